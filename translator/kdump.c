// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/common.h>

#include "translator/kdump.h"

#define KDUMP_RETRIES 5

struct kd {
	struct mnl_socket *nl;
	uint32_t portid, seq;
	char *buf;
	size_t bufsz;
	struct bnft_ir *ir;
	struct nftnl_set *cur_set;
	int err;
};

typedef int (*kd_add_fn)(struct kd *kd, const struct nlmsghdr *nlh);

struct kd_cb {
	struct kd *kd;
	kd_add_fn add;
};

static int kd_mnl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kd_cb *c = data;
	int err = c->add(c->kd, nlh);

	if (err) {
		c->kd->err = err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* One NLM_F_DUMP request; the payload of GETSETELEM names the set. */
static int kd_dump(struct kd *kd, uint16_t type, const struct nftnl_set *set, kd_add_fn add)
{
	struct kd_cb c = { .kd = kd, .add = add };
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	kd->seq++;
	nlh = nftnl_nlmsg_build_hdr(kd->buf, type,
				    set ? (uint16_t)nftnl_set_get_u32(set, NFTNL_SET_FAMILY) :
					  NFPROTO_UNSPEC,
				    NLM_F_DUMP, kd->seq);
	if (set)
		nftnl_set_elems_nlmsg_build_payload(nlh, (struct nftnl_set *)set);
	if (mnl_socket_sendto(kd->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	kd->err = 0;
	for (;;) {
		n = mnl_socket_recvfrom(kd->nl, kd->buf, kd->bufsz);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(kd->buf, (size_t)n, kd->seq, kd->portid, kd_mnl_cb, &c);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (kd->err)
		return kd->err;
	if (ret < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	return 0;
}

static int add_table(struct kd *kd, const struct nlmsghdr *nlh)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		return -ENOMEM;
	if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		return -EINVAL;
	}
	nftnl_table_list_add_tail(t, kd->ir->tables);
	return 0;
}

static int add_chain(struct kd *kd, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nftnl_chain_free(c);
		return -EINVAL;
	}
	nftnl_chain_list_add_tail(c, kd->ir->chains);
	return 0;
}

static int add_set(struct kd *kd, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return -ENOMEM;
	if (nftnl_set_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return -EINVAL;
	}
	nftnl_set_list_add_tail(s, kd->ir->sets);
	return 0;
}

static int add_elems(struct kd *kd, const struct nlmsghdr *nlh)
{
	return nftnl_set_elems_nlmsg_parse(nlh, kd->cur_set) < 0 ? -EINVAL : 0;
}

static int add_rule(struct kd *kd, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return -EINVAL;
	}
	nftnl_rule_list_add_tail(r, kd->ir->rules);
	return 0;
}

static int add_obj(struct kd *kd, const struct nlmsghdr *nlh)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o)
		return -ENOMEM;
	if (nftnl_obj_nlmsg_parse(nlh, o) < 0) {
		nftnl_obj_free(o);
		return -EINVAL;
	}
	nftnl_obj_list_add_tail(o, kd->ir->objs);
	return 0;
}

static int kd_run(struct kd *kd)
{
	struct nftnl_set_list_iter *it;
	struct nftnl_set *s;
	int err;

	err = kd_dump(kd, NFT_MSG_GETTABLE, NULL, add_table);
	err = err ?: kd_dump(kd, NFT_MSG_GETCHAIN, NULL, add_chain);
	err = err ?: kd_dump(kd, NFT_MSG_GETSET, NULL, add_set);
	err = err ?: kd_dump(kd, NFT_MSG_GETRULE, NULL, add_rule);
	err = err ?: kd_dump(kd, NFT_MSG_GETOBJ, NULL, add_obj);
	if (err)
		return err;
	it = nftnl_set_list_iter_create(kd->ir->sets);
	if (!it)
		return -ENOMEM;
	while (!err && (s = nftnl_set_list_iter_next(it))) {
		kd->cur_set = s;
		err = kd_dump(kd, NFT_MSG_GETSETELEM, s, add_elems);
	}
	nftnl_set_list_iter_destroy(it);
	return err;
}

int bnft_kdump(struct bnft_ir *ir)
{
	struct kd kd = { .ir = ir };
	int err;

	kd.bufsz = 1 << 18;
	kd.buf = malloc(kd.bufsz);
	if (!kd.buf)
		return -ENOMEM;
	kd.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!kd.nl) {
		err = -errno;
		goto out;
	}
	if (mnl_socket_bind(kd.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	kd.portid = mnl_socket_get_portid(kd.nl);
	kd.seq = (uint32_t)time(NULL);
	err = kd_run(&kd);
out:
	if (kd.nl)
		mnl_socket_close(kd.nl);
	free(kd.buf);
	return err;
}

int bnft_kdump_new(struct bnft_ir **out)
{
	struct bnft_ir *ir = NULL;
	int err, tries;

	for (tries = 0; tries < KDUMP_RETRIES; tries++) {
		err = bnft_ir_new(&ir);
		if (err)
			return err;
		err = bnft_kdump(ir);
		if (!err) {
			*out = ir;
			return 0;
		}
		bnft_ir_free(&ir);
		if (err != -EAGAIN)
			break;
	}
	return err;
}
