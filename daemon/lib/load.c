// SPDX-License-Identifier: GPL-2.0
/*
 * Live state: entry programs and shared maps (created once, pinned), and
 * two generations of generated programs and their maps. See load.h.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/ct_abi.h"
#include "bpf/lib/limit.h"
#include "bpf/bnft_entry.skel.h"
#include "daemon/lib/attach.h"
#include "daemon/lib/ctcfg.h"
#include "daemon/lib/load.h"
#include "daemon/lib/load_int.h"
#include "daemon/lib/mcast.h"
#include "bpf/lib/mcast.h"



static int path_of(char *buf, size_t n, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int path_of(char *buf, size_t n, const char *root, const char *fmt, ...)
{
	char tail[128];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	r = snprintf(buf, n, "%s/%s", root, tail);
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

static int mkdir_p(const char *path)
{
	char tmp[4096], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The pin root must be a bpffs; mount one if it is not (only lasting if
 * the caller's mount namespace lasts, see load.h). */
static int prepare_root(const char *root)
{
	struct statfs sf;
	int err = mkdir_p(root);

	if (err)
		return err;
	if (statfs(root, &sf))
		return -errno;
	if (sf.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", root, "bpf", 0, "mode=0700"))
		return -ENOTSUP;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void gen_release(struct bnft_live *lv, int g)
{
	size_t i;
	int k;

	for (k = 0; k < lv->gen_nfds[g]; k++)
		close_fd(&lv->gen_fds[g][k]);
	lv->gen_nfds[g] = 0;
	free(lv->gen_fds[g]);
	free(lv->gen_slots[g]);
	lv->gen_fds[g] = NULL;
	lv->gen_slots[g] = NULL;
	for (k = 0; k < GM_N; k++)
		close_fd(&lv->gen_maps[g][k]);
	for (i = 0; i < lv->gen_nsets[g]; i++)
		close_fd(&lv->gen_sets[g][i]);
	free(lv->gen_sets[g]);
	lv->gen_sets[g] = NULL;
	lv->gen_nsets[g] = 0;
}

void bnft_live_close(struct bnft_live **lvp)
{
	struct bnft_live *lv = *lvp;

	if (!lv)
		return;
	bnft__ctr_carry_drop(lv);
	gen_release(lv, 0);
	gen_release(lv, 1);
	if (lv->skel) {
		bnft_entry_bpf__destroy(lv->skel);
	} else {
		close_fd(&lv->conf_fd);
		close_fd(&lv->progs_fd);
		close_fd(&lv->ifinfo_fd);
		close_fd(&lv->ifhdr_fd);
		close_fd(&lv->ct_fd);
		close_fd(&lv->ct_pkt_fd);
		close_fd(&lv->limits_fd);
		close_fd(&lv->ing_fd);
		close_fd(&lv->eg_fd);
	}
	free(lv->root);
	free(lv);
	*lvp = NULL;
}

int bnft__obj_get(const char *root, const char *name)
{
	char p[4096];
	int fd;

	if (path_of(p, sizeof(p), root, "%s", name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(p);
	return fd < 0 ? -errno : fd;
}

static int obj_pin(int fd, const char *root, const char *fmt, const char *arg)
{
	char p[4096];

	if (path_of(p, sizeof(p), root, fmt, arg))
		return -ENAMETOOLONG;
	unlink(p);
	return bpf_obj_pin(fd, p) ? -errno : 0;
}

static int open_pinned(struct bnft_live *lv)
{
	lv->conf_fd = bnft__obj_get(lv->root, "conf");
	if (lv->conf_fd < 0)
		return lv->conf_fd;
	lv->progs_fd = bnft__obj_get(lv->root, "progs");
	lv->ifinfo_fd = bnft__obj_get(lv->root, "ifinfo");
	lv->ifhdr_fd = bnft__obj_get(lv->root, "ifhdr");
	lv->ct_fd = bnft__obj_get(lv->root, "ct");
	lv->ct_pkt_fd = bnft__obj_get(lv->root, "ct_pkt");
	lv->limits_fd = bnft__obj_get(lv->root, "limits");
	lv->ing_fd = bnft__obj_get(lv->root, "entry_ingress");
	lv->eg_fd = bnft__obj_get(lv->root, "entry_egress");
	if (lv->progs_fd < 0 || lv->ifinfo_fd < 0 || lv->ifhdr_fd < 0 || lv->ct_fd < 0 ||
	    lv->ct_pkt_fd < 0 || lv->limits_fd < 0 || lv->ing_fd < 0 || lv->eg_fd < 0)
		return -ENOENT;
	{
		/* Pins of an older layout (another bnft build): start over. */
		struct bpf_map_info info;
		uint32_t ilen = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(lv->progs_fd, &info, &ilen) ||
		    info.max_entries != BNFT_PROGS_ENTRIES)
			return -ENOENT;
	}
	return 0;
}

/* The maps named by bnft_ct_kept_pins (ctcfg.c), in that order. */
struct bpf_map *bnft__kept_map(struct bnft_entry_bpf *skel, int k)
{
	struct bpf_map *m[6] = { skel->maps.bnft_ct,	     skel->maps.bnft_ct_pkt,
				 skel->maps.bnft_ct_cfg,     skel->maps.bnft_ct_stats,
				 skel->maps.bnft_reject_cfg, skel->maps.bnft_reject_peers };

	return k < 6 ? m[k] : NULL;
}

/* Conntrack state outlives the entry object and `flush ruleset`
 * (bpf/lib/CT.md): reuse the pinned tables a previous entry object left,
 * unless their layout differs (another bnft build: a new map is pinned
 * over it). A table of another size than an explicit BNFT_CT_MAX is
 * replaced: *old_ct gets its fd, create_entry copies its entries. */
int bnft__reuse_ct_maps(struct bnft_live *lv, uint32_t want, int explicit_, int *old_ct)
{
	int k, fd, err;

	for (k = 0; lv->root && bnft_ct_kept_pins[k] && bnft__kept_map(lv->skel, k); k++) {
		struct bpf_map *m = bnft__kept_map(lv->skel, k);
		struct bpf_map_info info;
		uint32_t ilen = sizeof(info);

		fd = bnft__obj_get(lv->root, bnft_ct_kept_pins[k]);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || info.type != bpf_map__type(m) ||
		    info.key_size != bpf_map__key_size(m) ||
		    info.value_size != bpf_map__value_size(m)) {
			close(fd);
			continue;
		}
		if (k == 0 && explicit_ && info.max_entries != want) {
			*old_ct = fd;
			continue;
		}
		err = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

/* The netns' conntrack and ICMP rate-limit sysctls, at every load
 * (ctcfg.c); not fatal. */
static void ct_sysctls(const struct bnft_live *lv)
{
	int c, r;

	if (lv->skel) {
		bnft_ctcfg_apply(bpf_map__fd(lv->skel->maps.bnft_ct_cfg),
				 bpf_map__fd(lv->skel->maps.bnft_reject_cfg));
		return;
	}
	if (!lv->root)
		return;
	c = bnft__obj_get(lv->root, BNFT_CT_PIN_CFG);
	r = bnft__obj_get(lv->root, "reject_cfg");
	bnft_ctcfg_apply(c, r);
	if (c >= 0)
		close(c);
	if (r >= 0)
		close(r);
}

static int create_entry(struct bnft_live *lv)
{
	struct {
		uint32_t slot;
		struct bpf_program *prog;
	} fixed[3];
	int err, k, explicit_, old_ct = -1;
	uint32_t ct_max = bnft_ct_max_entries(&explicit_);

	/* loaded ahead by the daemon when it can (entry_spare.c) */
	lv->skel = bnft__spare_take(lv->root, ct_max, explicit_);
	if (lv->skel)
		goto loaded;
	lv->skel = bnft_entry_bpf__open();
	if (!lv->skel)
		return -errno ?: -EINVAL;
	err = bpf_map__set_max_entries(lv->skel->maps.bnft_ct, ct_max);
	err = err ?: bnft__reuse_ct_maps(lv, ct_max, explicit_, &old_ct);
	err = err ?: bnft_entry_bpf__load(lv->skel);
	if (!err && old_ct >= 0) /* resized by BNFT_CT_MAX: keep the flows */
		bnft_ct_copy(old_ct, bpf_map__fd(lv->skel->maps.bnft_ct));
	if (old_ct >= 0)
		close(old_ct);
	if (err)
		return err;
loaded:
	lv->conf_fd = bpf_map__fd(lv->skel->maps.bnft_conf);
	lv->progs_fd = bpf_map__fd(lv->skel->maps.bnft_progs);
	lv->ifinfo_fd = bpf_map__fd(lv->skel->maps.bnft_ifinfo);
	lv->ifhdr_fd = bpf_map__fd(lv->skel->maps.bnft_ifhdr);
	lv->ct_fd = bpf_map__fd(lv->skel->maps.bnft_ct);
	lv->ct_pkt_fd = bpf_map__fd(lv->skel->maps.bnft_ct_pkt);
	lv->limits_fd = bpf_map__fd(lv->skel->maps.bnft_limits);
	lv->ing_fd = bpf_program__fd(lv->skel->progs.bnft_ingress);
	lv->eg_fd = bpf_program__fd(lv->skel->progs.bnft_egress);
	/* The fixed programs stay in their slots across generations. */
	fixed[0].slot = BNFT_SLOT_CT_ACCEPT;
	fixed[0].prog = lv->skel->progs.bnft_ct_accept_prog;
	fixed[1].slot = BNFT_SLOT_REJECT;
	fixed[1].prog = lv->skel->progs.bnft_reject_prog;
	fixed[2].slot = BNFT_SLOT_CT_TRACK;
	fixed[2].prog = lv->skel->progs.bnft_ct_track_prog;
	for (k = 0; k < 3; k++) {
		int fd = bpf_program__fd(fixed[k].prog);

		if (bpf_map_update_elem(lv->progs_fd, &fixed[k].slot, &fd, BPF_ANY))
			return -errno;
	}
	if (!lv->root)
		return 0;
	for (k = 0; bnft_ct_kept_pins[k] && bnft__kept_map(lv->skel, k) && !err; k++)
		err = obj_pin(bpf_map__fd(bnft__kept_map(lv->skel, k)), lv->root, "%s",
			      bnft_ct_kept_pins[k]);
	/* conf last: its presence marks a complete pinned state. */
	err = err ?: obj_pin(lv->progs_fd, lv->root, "%s", "progs");
	err = err ?: obj_pin(lv->ifinfo_fd, lv->root, "%s", "ifinfo");
	err = err ?: obj_pin(lv->ifhdr_fd, lv->root, "%s", "ifhdr");
	err = err ?: obj_pin(lv->limits_fd, lv->root, "%s", "limits");
	err = err ?: obj_pin(bpf_map__fd(lv->skel->maps.bnft_mcast), lv->root, "%s",
			     BNFT_MCAST_PIN);
	err = err ?: obj_pin(lv->ing_fd, lv->root, "%s", "entry_ingress");
	err = err ?: obj_pin(lv->eg_fd, lv->root, "%s", "entry_egress");
	err = err ?: obj_pin(lv->conf_fd, lv->root, "%s", "conf");
	return err;
}

int bnft_live_open(const char *pin_root, bool create, struct bnft_live **out)
{
	struct bnft_live *lv = calloc(1, sizeof(*lv));
	int err = 0, g, k;

	if (!lv)
		return -ENOMEM;
	lv->conf_fd = lv->progs_fd = lv->ifinfo_fd = lv->ifhdr_fd = lv->ing_fd = lv->eg_fd = -1;
	lv->ct_fd = lv->ct_pkt_fd = lv->limits_fd = -1;
	for (k = 0; k < GM_N; k++)
		lv->carry_old[k] = -1;
	for (g = 0; g < 2; g++)
		for (k = 0; k < GM_N; k++)
			lv->gen_maps[g][k] = -1;
	if (pin_root) {
		lv->root = strdup(pin_root);
		if (!lv->root) {
			err = -ENOMEM;
			goto out;
		}
		if (create) {
			err = prepare_root(pin_root);
			if (err)
				goto out;
			bnft__unpark(pin_root); /* entry_park.c */
		}
		err = open_pinned(lv);
		if (!err)
			goto out;
		bnft_live_close(&lv);
		if (!create)
			return -ENOENT;
		lv = calloc(1, sizeof(*lv));
		if (!lv)
			return -ENOMEM;
		lv->conf_fd = lv->progs_fd = lv->ifinfo_fd = lv->ifhdr_fd = lv->ing_fd = lv->eg_fd = -1;
	lv->ct_fd = lv->ct_pkt_fd = lv->limits_fd = -1;
		for (k = 0; k < GM_N; k++)
			lv->carry_old[k] = -1;
		for (g = 0; g < 2; g++)
			for (k = 0; k < GM_N; k++)
				lv->gen_maps[g][k] = -1;
		lv->root = strdup(pin_root);
		if (!lv->root) {
			err = -ENOMEM;
			goto out;
		}
	} else if (!create) {
		err = -ENOENT;
		goto out;
	}
	err = create_entry(lv);
	if (!err) {
		int n = bnft_ifinfo_sync(lv->ifinfo_fd, lv->ifhdr_fd);

		err = n < 0 ? n : 0;
		n = err ? 0 : bnft_live_mcast_sync(lv);
		err = n < 0 ? n : 0;
	}
out:
	if (err) {
		bnft_live_close(&lv);
		return err;
	}
	*out = lv;
	return 0;
}

int bnft_live_entry_fd(const struct bnft_live *lv, bool egress)
{
	return egress ? lv->eg_fd : lv->ing_fd;
}

int bnft_live_sync_ifaces(struct bnft_live *lv)
{
	int n = bnft_live_mcast_sync(lv);

	return n < 0 ? n : bnft_ifinfo_sync(lv->ifinfo_fd, lv->ifhdr_fd);
}

int bnft_live_ifinfo_fd(const struct bnft_live *lv)
{
	return lv->ifinfo_fd;
}

int bnft__conf_get(const struct bnft_live *lv, uint32_t key, uint32_t *v)
{
	return bpf_map_lookup_elem(lv->conf_fd, &key, v) ? -errno : 0;
}

static int conf_set(const struct bnft_live *lv, uint32_t key, uint32_t v)
{
	return bpf_map_update_elem(lv->conf_fd, &key, &v, BPF_ANY) ? -errno : 0;
}

int bnft_live_gen_prog_fd(const struct bnft_live *lv, uint32_t slot)
{
	uint32_t g;
	int k;

	if (bnft__conf_get(lv, BNFT_CONF_ACTIVE, &g))
		return -ENOENT;
	g &= 1;
	for (k = 0; k < lv->gen_nfds[g]; k++)
		if (lv->gen_slots[g][k] == slot)
			return lv->gen_fds[g][k];
	return -ENOENT;
}

/* Fills a map, batched where the map type supports it. */
/* Entries 0..n-1 of an array map: one batch, one by one if refused. */
static int array_fill(int fd, const void *vals, size_t vsize, uint32_t n)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = BPF_ANY);
	uint32_t *keys, i, count = n;
	int err = 0;

	if (!n)
		return 0;
	keys = malloc((size_t)n * sizeof(*keys));
	if (keys) {
		for (i = 0; i < n; i++)
			keys[i] = i;
		if (!bpf_map_update_batch(fd, keys, vals, &count, &bo)) {
			free(keys);
			return 0;
		}
		free(keys);
	}
	for (i = 0; i < n && !err; i++)
		if (bpf_map_update_elem(fd, &i, (const uint8_t *)vals + (size_t)i * vsize, BPF_ANY))
			err = -errno;
	return err;
}

/* An open hash table (translator/oht.h): the array's memory at once. */
static int image_fill(int fd, const struct bnft_map_spec *m)
{
	size_t len = (size_t)m->max_entries * m->value_size;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	memcpy(p, m->values, len);
	munmap(p, len);
	return 0;
}

static int map_fill(int fd, const struct bnft_map_spec *m)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = BPF_ANY);
	uint32_t i, count = m->nelems;

	if (m->image)
		return image_fill(fd, m);
	if (!count)
		return 0;
	if (m->type == BPF_MAP_TYPE_HASH && !bpf_map_update_batch(fd, m->keys, m->values,
								   &count, &bo))
		return 0;
	for (i = 0; i < m->nelems; i++)
		if (bpf_map_update_elem(fd, m->keys + (size_t)i * m->key_size,
					m->values + (size_t)i * m->value_size, BPF_ANY))
			return -errno;
	return 0;
}

int bnft__map_new(const char *name, int type, uint32_t ks, uint32_t vs, uint32_t max,
		  uint32_t flags)
{
	DECLARE_LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create((enum bpf_map_type)type, name, ks, vs, max, &o);

	return fd < 0 ? -errno : fd;
}

static int load_prog(const struct bnft_live *lv, const struct bnft_prog_spec *p, uint32_t g,
		     const int *set_fds, int counters_fd, struct bnft_load_stats *st)
{
	struct bpf_insn *insns = malloc(p->ninsns * sizeof(*insns));
	DECLARE_LIBBPF_OPTS(bpf_prog_load_opts, o);
	struct bpf_prog_info info;
	uint32_t ilen = sizeof(info);
	size_t i;
	int fd;

	if (!insns)
		return -ENOMEM;
	memcpy(insns, p->insns, p->ninsns * sizeof(*insns));
	for (i = 0; i < p->nmaprefs; i++) {
		int32_t r = p->maprefs[i].ref;

		insns[p->maprefs[i].insn].imm = r == BNFT_MAPREF_COUNTERS ? counters_fd :
						r == BNFT_MAPREF_PROGS	  ? lv->progs_fd :
						r == BNFT_MAPREF_IFINFO	  ? lv->ifinfo_fd :
						r == BNFT_MAPREF_CT_PKT	  ? lv->ct_pkt_fd :
						r == BNFT_MAPREF_CT	  ? lv->ct_fd :
						r == BNFT_MAPREF_LIMITS	  ? lv->limits_fd :
									    set_fds[r];
	}
	for (i = 0; i < p->ngenrefs; i++)
		insns[p->genrefs[i]].imm += (int32_t)(g * BNFT_PROGS_PER_GEN);
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, p->name, "GPL", insns, p->ninsns, &o);
	if (fd < 0 && st) {
		int e = errno;
		char *log = malloc(1 << 24);

		if (log) {
			DECLARE_LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log,
					    .log_size = 1 << 24, .log_level = 1);
			int fd2;

			log[0] = 0;
			fd2 = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, p->name, "GPL", insns,
					    p->ninsns, &lo);
			if (fd2 >= 0)
				close(fd2);
			else {
				size_t l = strlen(log);
				const char *tail = l > sizeof(st->verifier_log) - 1 ?
							   log + l - (sizeof(st->verifier_log) - 1) :
							   log;

				size_t tl = strlen(tail);

				memcpy(st->verifier_log, tail, tl + 1);
			}
			free(log);
		}
		errno = e;
	}
	free(insns);
	if (fd < 0)
		return -errno;
	if (st) {
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
			st->verified_insns += info.verified_insns;
		st->insns += p->ninsns;
		st->nprogs++;
	}
	return fd;
}

static int gen_dir_clear(const char *root, uint32_t g)
{
	char dir[4096], p[4096 + 256];
	struct dirent *de;
	DIR *d;

	if (path_of(dir, sizeof(dir), root, "g%u", g))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return mkdir(dir, 0700) && errno != EEXIST ? -errno : 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
		}
	closedir(d);
	return 0;
}

int bnft__gen_pin(struct bnft_live *lv, uint32_t g, int fd, const char *name)
{
	char rel[128];

	if (!lv->root)
		return 0;
	snprintf(rel, sizeof(rel), "g%u/%s", g, name);
	return obj_pin(fd, lv->root, "%s", rel);
}

/* Counter identity maps, so counters can be listed from the pins alone. */
static int load_meta(struct bnft_live *lv, uint32_t g, const struct bnft_prog_set *ps)
{
	uint32_t nc = bnft__ncounted(ps), n = nc ? nc : 1;
	int *m = lv->gen_maps[g], err;

	/* the counters (and their bases) first */
	err = bnft__ctr_create(lv, g, ps);
	if (err)
		return err;
	m[GM_RULES] = bnft__map_new("bnft_rules", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct bnft_rule_id), n, 0);
	if (m[GM_RULES] < 0)
		return m[GM_RULES];
	m[GM_CHAINS] = bnft__map_new("bnft_chains", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct bnft_chain_id),
		       ps->nchains ? (uint32_t)ps->nchains : 1, 0);
	if (m[GM_CHAINS] < 0)
		return m[GM_CHAINS];
	err = array_fill(m[GM_RULES], ps->rules, sizeof(*ps->rules), nc);
	return err ?: array_fill(m[GM_CHAINS], ps->chains, sizeof(*ps->chains),
				 (uint32_t)ps->nchains);
}

/* Limit buckets of the new generation start full at load time (the
 * kernel's nft_limit_init), in bpf_ktime_get_ns()'s clock. */
static int init_limits(struct bnft_live *lv, uint32_t g, const struct bnft_prog_set *ps)
{
	struct bnft_limit_state v;
	struct timespec ts;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < ps->nlimits; i++) {
		uint32_t key = g * BNFT_LIMITS_PER_GEN + ps->limits[i].slot;

		memset(&v, 0, sizeof(v));
		v.last = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		v.tokens = ps->limits[i].tokens_max;
		if (bpf_map_update_elem(lv->limits_fd, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

int bnft_live_load(struct bnft_live *lv, const struct bnft_prog_set *ps,
		   struct bnft_load_stats *st)
{
	return bnft_live_load_opts(lv, ps, 0, st);
}

int bnft_live_load_opts(struct bnft_live *lv, const struct bnft_prog_set *ps, uint32_t flags,
			struct bnft_load_stats *st)
{
	return bnft_live_load_ex(lv, ps, flags, NULL, 0, st);
}

int (*bnft_live_before_flip)(void *data);
void *bnft_live_before_flip_data;

/* Large sets are filled by a thread while the programs are verified. */
#define FILL_THREAD_MIN 4096

struct fill_job {
	pthread_t th;
	const int *fds;
	const struct bnft_map_spec *maps;
	size_t n;
	int err;
	bool running;
};

static void *fill_main(void *arg)
{
	struct fill_job *j = arg;
	size_t i;

	for (i = 0; i < j->n && !j->err; i++)
		j->err = map_fill(j->fds[i], &j->maps[i]);
	return NULL;
}

static void fill_start(struct fill_job *j, const int *fds, const struct bnft_map_spec *maps,
		       size_t n)
{
	size_t i, elems = 0;

	j->fds = fds;
	j->maps = maps;
	j->n = n;
	j->err = 0;
	for (i = 0; i < n; i++)
		elems += maps[i].nelems;
	j->running = elems >= FILL_THREAD_MIN && !pthread_create(&j->th, NULL, fill_main, j);
	if (!j->running)
		fill_main(j);
}

static int fill_wait(struct fill_job *j)
{
	if (j->running) {
		pthread_join(j->th, NULL);
		j->running = false;
	}
	return j->err;
}

int bnft_live_load_ex(struct bnft_live *lv, const struct bnft_prog_set *ps, uint32_t flags,
		      const struct bnft_rule_key *fresh, size_t nfresh,
		      struct bnft_load_stats *st)
{
	struct fill_job fill = { 0 };
	uint32_t active, g, slot;
	int64_t drain;
	size_t i;
	int err, k;

	if (st)
		memset(st, 0, sizeof(*st));
	bnft_live_settle(); /* a deferred carry goes first */
	ct_sysctls(lv);
	if (ps->nprogs > BNFT_PROGS_PER_GEN)
		return -E2BIG;
	err = bnft__conf_get(lv, BNFT_CONF_ACTIVE, &active);
	if (err)
		return err;
	g = (active & 1) ^ 1;
	gen_release(lv, (int)g);
	if (lv->root) {
		err = gen_dir_clear(lv->root, g);
		if (err)
			return err;
	}
	lv->gen_fds[g] = calloc(ps->nprogs + 1, sizeof(int));
	lv->gen_slots[g] = calloc(ps->nprogs + 1, sizeof(uint32_t));
	if (!lv->gen_fds[g] || !lv->gen_slots[g]) {
		err = -ENOMEM;
		goto fail;
	}
	bnft__ctr_carry_drop(lv);
	err = load_meta(lv, g, ps);
	if (!err && (flags & BNFT_LOAD_KEEP_COUNTERS))
		err = bnft__ctr_carry(lv, active & 1, g, ps, fresh, nfresh);
	if (err)
		goto fail;
	lv->gen_sets[g] = calloc(ps->nmaps ? ps->nmaps : 1, sizeof(int));
	if (!lv->gen_sets[g]) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < ps->nmaps; i++) {
		const struct bnft_map_spec *m = &ps->maps[i];
		int fd = bnft__map_new(m->name, (enum bpf_map_type)m->type, m->key_size, m->value_size,
				 m->max_entries, m->flags);

		if (fd < 0) {
			err = fd;
			goto fail;
		}
		lv->gen_sets[g][lv->gen_nsets[g]++] = fd;
	}
	fill_start(&fill, lv->gen_sets[g], ps->maps, ps->nmaps);
	err = init_limits(lv, g, ps);
	for (i = 0; !err && i < ps->nprogs; i++) {
		int fd = load_prog(lv, &ps->progs[i], g, lv->gen_sets[g],
				   lv->gen_maps[g][GM_COUNTERS], st);

		if (fd < 0) {
			err = fd;
			break;
		}
		lv->gen_fds[g][lv->gen_nfds[g]] = fd;
		lv->gen_slots[g][lv->gen_nfds[g]++] = ps->progs[i].slot;
	}
	err = fill_wait(&fill) ?: err;
	if (err)
		goto fail;
	/* Program-array slots of the inactive generation. Every update of a
	 * slot that generated code tail-calls with a constant key patches
	 * the JITed call sites (text poke, ~16 ms here), so only the slots
	 * in use are written now; stale ones are cleared after the flip. */
	for (k = 0; k < lv->gen_nfds[g]; k++) {
		uint32_t key = g * BNFT_PROGS_PER_GEN + lv->gen_slots[g][k];

		if (bpf_map_update_elem(lv->progs_fd, &key, &lv->gen_fds[g][k], BPF_ANY)) {
			err = -errno;
			goto fail;
		}
	}
	if (lv->root) {
		char name[32];

		err = bnft__gen_pin(lv, g, lv->gen_maps[g][GM_COUNTERS], "counters");
		err = err ?: bnft__gen_pin(lv, g, lv->gen_maps[g][GM_CBASE], "cbase");
		err = err ?: bnft__gen_pin(lv, g, lv->gen_maps[g][GM_RULES], "rules");
		err = err ?: bnft__gen_pin(lv, g, lv->gen_maps[g][GM_CHAINS], "chains");
		for (i = 0; !err && i < lv->gen_nsets[g]; i++) {
			snprintf(name, sizeof(name), "s%zu", i);
			err = bnft__gen_pin(lv, g, lv->gen_sets[g][i], name);
		}
		for (k = 0; !err && k < lv->gen_nfds[g]; k++) {
			snprintf(name, sizeof(name), "prog_%u", lv->gen_slots[g][k]);
			err = bnft__gen_pin(lv, g, lv->gen_fds[g][k], name);
		}
		if (err)
			goto fail;
	}
	if (bnft_live_before_flip) {
		err = bnft_live_before_flip(bnft_live_before_flip_data);
		if (err)
			goto fail;
	}
	/* The switch: flags of the new generation first, then the word. */
	err = conf_set(lv, BNFT_CONF_FLAGS(g), ps->gen_flags);
	err = err ?: conf_set(lv, BNFT_CONF_ACTIVE, g);
	if (err)
		goto fail;
	if (st)
		st->gen = g;
	/* Unreachable leftovers of an older ruleset in this generation's
	 * range: released after the switch, off the swap's critical path. */
	for (slot = 0; slot < BNFT_PROGS_PER_GEN; slot++) {
		uint32_t key = g * BNFT_PROGS_PER_GEN + slot;
		bool used = false;

		for (k = 0; k < lv->gen_nfds[g] && !used; k++)
			used = lv->gen_slots[g][k] == slot;
		if (used)
			continue;
		if (bpf_map_delete_elem(lv->progs_fd, &key) && errno == ENOENT && slot > 16 &&
		    slot > (uint32_t)lv->gen_nfds[g] + 16)
			break;
	}
	/* The generation is live whatever happens now: a failed settle only
	 * leaves the carried counters short of the packets in flight. */
	if (st)
		st->ncarried = (uint32_t)lv->ncarry;
	if (flags & BNFT_LOAD_DEFER_SETTLE) {
		bnft__ctr_defer(lv, g);
		drain = 0;
	} else {
		drain = bnft__ctr_settle(lv, g);
	}
	if (st)
		st->drain_ns = drain > 0 ? (uint64_t)drain : 0;
	bnft__ctr_carry_drop(lv);
	return 0;
fail:
	bnft__ctr_carry_drop(lv);
	gen_release(lv, (int)g);
	if (lv->root)
		gen_dir_clear(lv->root, g);
	return err;
}

int bnft_live_apply(const struct bnft_prog_set *ps, const char *pin_root,
		    struct bnft_load_stats *st)
{
	return bnft_live_apply_opts(ps, pin_root, 0, st);
}

int bnft_live_apply_opts(const struct bnft_prog_set *ps, const char *pin_root, uint32_t flags,
			 struct bnft_load_stats *st)
{
	return bnft_live_apply_ex(ps, pin_root, flags, NULL, 0, st);
}

int bnft_live_apply_ex(const struct bnft_prog_set *ps, const char *pin_root, uint32_t flags,
		       const struct bnft_rule_key *fresh, size_t nfresh,
		       struct bnft_load_stats *st)
{
	struct bnft_live *lv = NULL;
	int err;

	bnft__unpark_join(); /* the entry object attached back meanwhile */
	err = bnft_live_open(pin_root, true, &lv);
	if (err)
		return err;
	err = bnft_ifinfo_sync(lv->ifinfo_fd, lv->ifhdr_fd);
	if (err >= 0)
		err = bnft_live_mcast_sync(lv);
	if (err >= 0)
		err = bnft_live_load_ex(lv, ps, flags, fresh, nfresh, st);
	if (!err) {
		err = bnft_attach_all(lv->ing_fd, lv->eg_fd);
		err = err < 0 ? err : 0;
	}
	bnft_live_close(&lv);
	return err;
}

/* Pins that outlive `flush ruleset` at the top of the pin root. */
static bool kept_pin(const char *name)
{
	int k;

	for (k = 0; bnft_ct_kept_pins[k]; k++)
		if (!strcmp(name, bnft_ct_kept_pins[k]))
			return true;
	return false;
}

static int rm_tree(const char *dir, bool keep_ct, bool keep_parked)
{
	char p[4096 + 256];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (keep_ct && kept_pin(de->d_name)) ||
		    (keep_parked && !strcmp(de->d_name, "parked")))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (!lstat(p, &sb) && S_ISDIR(sb.st_mode)) {
			rm_tree(p, false, false);
			rmdir(p);
		} else {
			unlink(p);
		}
	}
	closedir(d);
	return 0;
}

int bnft_live_flush(const char *pin_root)
{
	int n;

	bnft__unpark_join();
	n = bnft_detach_all();

	if (n < 0)
		return n;
	/* conntrack state stays, as the kernel's does (bpf/lib/CT.md); the
	 * daemon keeps the entry object too (entry_park.c) */
	return pin_root ? rm_tree(pin_root, true, !bnft__park(pin_root)) : 0;
}

