// SPDX-License-Identifier: GPL-2.0
/*
 * payload-check: the upstream tests/py payload oracle for the lowering.
 *
 * For each *.t file given, rebuild the context nftables' nft-test.py builds
 * (tables, chains, sets, elements, objects), and for every "rule;ok" line
 * and table family parse + evaluate + lower "add rule ..." and compare the
 * --debug=netlink print of the rule with the entry of the payload file that
 * nft-test.py would pick (FILE.t.payload.FAMILY, else FILE.t.payload).
 * Like nft-test.py only expression lines ("  [ ... ]") and set element
 * lines are compared, elements as unordered sets. Data bytes are compared
 * normalised: newer libnftnl prints big endian data byte by byte ("0x0016"),
 * 1.2.4 prints 32-bit host-order words ("0x00001600"); an 8-digit word in
 * the corpus is accepted in either reading.
 *
 * Each payload entry is counted once (several chains of one table share
 * it). Output: one line per file "FILE: N passed, N failed, N skipped" and
 * a last line "total: N passed, N failed, N skipped". Mismatches and errors
 * go to the log file (-l).
 *
 * -k (only inside the network namespace named by BNFT_NETNS): also send
 * every lowered context to the kernel as one nf_tables batch, count what it
 * rejects, and read the rules back (kdump) to compare their print.
 * -d: the arguments are whole rulesets (tests/shell dumps): lower each one
 * (and with -k load it), counting lowering errors.
 */
/* command texts are bounded by MAXL; truncation only shortens a test input */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/common.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/ir_elems.h"
#include "translator/kdump.h"
#include "translator/lower.h"

#define MAXL 8192

struct strvec {
	char **v;
	unsigned int n, cap;
};

static void sv_push(struct strvec *s, const char *x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			exit(2);
	}
	s->v[s->n++] = strdup(x);
}

static void sv_free(struct strvec *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static char *rstrip(char *s)
{
	size_t l = strlen(s);

	while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
		s[--l] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* Payload files                                                       */

struct entry {
	char *rule;
	struct strvec lines; /* relevant lines only */
	bool used;
};

struct pfile {
	char *path;
	struct entry *e;
	unsigned int n;
	unsigned int passed, failed;
};

static bool line_relevant(const char *l)
{
	while (*l == ' ' || *l == '\t')
		l++;
	return !strncmp(l, "[ ", 2) || !strncmp(l, "element", 7);
}

static int pfile_load(struct pfile *pf, const char *path)
{
	char line[MAXL];
	FILE *f = fopen(path, "r");
	struct entry *cur = NULL;

	memset(pf, 0, sizeof(*pf));
	if (!f)
		return -errno;
	pf->path = strdup(path);
	while (fgets(line, sizeof(line), f)) {
		rstrip(line);
		if (!strncmp(line, "# ", 2)) {
			pf->e = realloc(pf->e, (pf->n + 1) * sizeof(*pf->e));
			if (!pf->e)
				exit(2);
			cur = &pf->e[pf->n++];
			memset(cur, 0, sizeof(*cur));
			cur->rule = strdup(line + 2);
			continue;
		}
		if (cur && line_relevant(line))
			sv_push(&cur->lines, line);
	}
	fclose(f);
	return 0;
}

static void pfile_free(struct pfile *pf)
{
	unsigned int i;

	for (i = 0; i < pf->n; i++) {
		free(pf->e[i].rule);
		sv_free(&pf->e[i].lines);
	}
	free(pf->e);
	free(pf->path);
}

static struct entry *pfile_find(struct pfile *pf, const char *rule)
{
	unsigned int i;

	for (i = 0; i < pf->n; i++)
		if (!strcmp(pf->e[i].rule, rule))
			return &pf->e[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Normalised comparison                                               */

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Tokenise on whitespace; drop lone "." (concat separators of newer
 * libnftnl element lines) and trailing "]" handled as tokens. */
static unsigned int tokens(const char *s, char tok[][128], unsigned int max)
{
	unsigned int n = 0;

	while (*s && n < max) {
		size_t l;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		l = strcspn(s, " \t");
		if (l >= 128)
			l = 127;
		if (!(l == 1 && *s == '.')) {
			memcpy(tok[n], s, l);
			tok[n][l] = '\0';
			n++;
		}
		s += l;
	}
	return n;
}

/* Bytes of a data token (with or without 0x): newer format, in order,
 * padded to 4; returns false if not a data token. */
static bool tok_bytes(const char *t, uint8_t *b, bool reversed, bool word_only)
{
	size_t n;
	unsigned int i;

	if (!strncmp(t, "0x", 2))
		t += 2;
	else if (word_only)
		return false;
	n = strlen(t);
	if (!is_hex(t, n) || n > 8 || n % 2)
		return false;
	memset(b, 0, 4);
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		sscanf(t + 2 * i, "%2x", &v);
		b[i] = (uint8_t)v;
	}
	if (reversed) {
		uint8_t r[4];

		if (n != 8)
			return false;
		for (i = 0; i < 4; i++)
			r[i] = b[3 - i];
		memcpy(b, r, 4);
	}
	return true;
}

/*
 * One data token. Ours is always a 1.2.4 word (host order). The corpus
 * token may be a newer big endian byte string ("0x0016": bytes as written)
 * or a host order number ("0x0001" for a 16-bit host value, 8-digit words):
 * in strict mode (data of a payload/exthdr load) only the byte string and
 * the 8-digit word readings are accepted, in lenient mode (meta, ct ...
 * values, set elements) also the host number reading.
 */
static bool tok_equal(const char *want, const char *got, bool bare_hex, bool lenient)
{
	uint8_t a[4], b[4], r[4];
	const char *w = want;
	size_t n, i;

	if (!strcmp(want, got))
		return true;
	if (!tok_bytes(got, b, true, !bare_hex))
		return false;
	if (tok_bytes(want, a, false, !bare_hex) && !memcmp(a, b, 4))
		return true;
	if (tok_bytes(want, a, true, !bare_hex) && !memcmp(a, b, 4))
		return true;
	if (!lenient || !tok_bytes(want, a, false, !bare_hex))
		return false;
	if (!strncmp(w, "0x", 2))
		w += 2;
	n = strlen(w) / 2;
	memset(r, 0, 4);
	for (i = 0; i < n; i++)
		r[i] = a[n - 1 - i];
	return !memcmp(r, b, 4);
}

static bool is_word_tok(const char *t, bool bare_hex)
{
	if (!strncmp(t, "0x", 2))
		t += 2;
	else if (!bare_hex)
		return false;
	return strlen(t) == 8 && is_hex(t, 8);
}

static bool tokens_equal(char (*tw)[128], char (*tg)[128], unsigned int n, bool bare_hex,
			 bool lenient)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!tok_equal(tw[i], tg[i], bare_hex, lenient))
			return false;
	return true;
}

static bool line_equal(const char *want, const char *got, bool bare_hex, bool lenient)
{
	static char tw[256][128], tg[256][128], tr[256][128];
	unsigned int nw, ng, i, j, k;

	nw = tokens(want, tw, 256);
	ng = tokens(got, tg, 256);
	if (nw != ng)
		return false;
	if (tokens_equal(tw, tg, nw, bare_hex, lenient))
		return true;
	if (!lenient)
		return false;
	/* newer libnftnl prints multi-word host order numbers most
	 * significant word first: reverse runs of 8-digit words */
	for (i = 0; i < nw;) {
		if (!is_word_tok(tw[i], bare_hex)) {
			memcpy(tr[i], tw[i], 128);
			i++;
			continue;
		}
		for (j = i; j < nw && is_word_tok(tw[j], bare_hex); j++)
			;
		for (k = i; k < j; k++)
			memcpy(tr[k], tw[j - 1 - (k - i)], 128);
		i = j;
	}
	return tokens_equal(tr, tg, nw, bare_hex, lenient);
}

/* Split an element line into its "element ..." items. */
static void split_elems(const char *line, struct strvec *out)
{
	const char *p = line;

	while ((p = strstr(p, "element"))) {
		const char *q = strstr(p + 7, "element");
		size_t l = q ? (size_t)(q - p) : strlen(p);
		char buf[MAXL];

		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;
		memcpy(buf, p + 7, l - 7);
		buf[l - 7] = '\0';
		rstrip(buf);
		sv_push(out, buf);
		p += l;
	}
}

static bool elems_equal(const char *want, const char *got)
{
	struct strvec w = { 0 }, g = { 0 };
	bool ok = true, *used;
	unsigned int i, j;

	split_elems(want, &w);
	split_elems(got, &g);
	if (w.n != g.n) {
		ok = false;
		goto out;
	}
	used = calloc(g.n + 1, 1);
	for (i = 0; i < w.n && ok; i++) {
		for (j = 0; j < g.n; j++) {
			if (!used[j] && line_equal(w.v[i], g.v[j], true, true)) {
				used[j] = true;
				break;
			}
		}
		if (j == g.n)
			ok = false;
	}
	free(used);
out:
	sv_free(&w);
	sv_free(&g);
	return ok;
}

/* Index of the first line that differs, -1 when all match. */
static int payload_diff(const struct strvec *want, const struct strvec *got)
{
	bool lenient = true;
	unsigned int i;

	for (i = 0; i < want->n; i++) {
		const char *w = want->v[i];
		bool elems = strstr(w, "element") && !strstr(w, "[ ");

		if (i >= got->n)
			return (int)i;
		if (strstr(w, "[ payload load") || strstr(w, "[ exthdr load"))
			lenient = false;
		else if (strstr(w, " load ") || strstr(w, "[ immediate") || strstr(w, "[ hash") ||
			 strstr(w, "[ numgen") || strstr(w, "[ byteorder"))
			lenient = true;
		if (elems ? !elems_equal(w, got->v[i]) : !line_equal(w, got->v[i], false, lenient))
			return (int)i;
	}
	return got->n == want->n && want->n ? -1 : (int)want->n;
}

/* ------------------------------------------------------------------ */
/* .t files                                                            */

struct tchain {
	char *name, *config;
};

struct ttable {
	char *family, *name;
	struct strvec chains;
};

struct tctx {
	struct tchain chains[64];
	unsigned int nchains;
	struct ttable tables[8];
	unsigned int ntables;
	struct strvec setup; /* set/element/object commands, TABLE_PH = "family table" */
	bool rules_seen;
};

static const char *chain_config(const struct tctx *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nchains; i++)
		if (!strcmp(t->chains[i].name, name))
			return t->chains[i].config;
	return NULL;
}

/* Copy src to out replacing every "from" by "to". */
static void replace_all(char *out, size_t size, const char *src, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;

	while (*src && n + 1 < size) {
		if (!strncmp(src, from, fl) && n + tl + 1 < size) {
			memcpy(out + n, to, tl);
			n += tl;
			src += fl;
		} else {
			out[n++] = *src++;
		}
	}
	out[n] = '\0';
}

#define TABLE_PH "@@TABLE@@"

/* "type ipv4_addr timeout 60s flags interval" -> "type ipv4_addr; timeout 60s; flags interval;" */
static void set_cmd(char *out, size_t size, const char *name, const char *spec)
{
	char a[MAXL], b[MAXL];
	const char *kind = strstr(spec, " : ") ? "map" : "set";

	replace_all(a, sizeof(a), spec, " timeout ", "; timeout ");
	replace_all(b, sizeof(b), a, " flags ", "; flags ");
	snprintf(out, size, "add %s " TABLE_PH " %s { %s; }", kind, name, b);
}

static void obj_cmd(char *out, size_t size, const char *name, const char *spec)
{
	const char *p = spec;
	char type[64];

	if (!strncmp(p, "type ", 5))
		p += 5;
	if (!strncmp(p, "ct ", 3)) {
		size_t l = strcspn(p + 3, " ");

		snprintf(type, sizeof(type), "ct %.*s", (int)l, p + 3);
		p += 3 + l;
	} else {
		size_t l = strcspn(p, " ");

		snprintf(type, sizeof(type), "%.*s", (int)l, p);
		p += l;
	}
	while (*p == ' ')
		p++;
	snprintf(out, size, "add %s " TABLE_PH " %s %s", type, name, p);
}

struct counts {
	unsigned int passed, failed, skipped;
};

static FILE *logf;
static bool verbose;
static bool kload; /* -k: also load every lowered context into the kernel */
static unsigned int k_ok, k_fail, k_same, k_diff;

/* ------------------------------------------------------------------ */
/* Kernel acceptance (-k): the lowered IR as one nf_tables batch        */

struct kbatch {
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	char what[64][48]; /* per message, for error reports */
	uint32_t first_seq;
};

static struct nlmsghdr *kb_hdr(struct kbatch *kb, uint16_t type, uint16_t family, uint16_t flags,
			       const char *what)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(kb->b), type, family,
						      flags | NLM_F_ACK, kb->seq);
	unsigned int idx = kb->seq - kb->first_seq;

	if (idx < 64)
		snprintf(kb->what[idx], sizeof(kb->what[idx]), "%s", what);
	kb->seq++;
	return nlh;
}

static bool set_has_elems(struct nftnl_set *s)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	bool has = it && nftnl_set_elems_iter_next(it);

	nftnl_set_elems_iter_destroy(it);
	return has;
}

/* Expression lines of the last rule of ir ("  [ ... ]" only). */
static void rule_lines(const struct bnft_ir *ir, struct outbuf *o)
{
	struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(ir->rules);
	struct nftnl_rule *r, *last = NULL;
	struct outbuf all;
	char *save = NULL, *l;

	while (it && (r = nftnl_rule_list_iter_next(it)))
		last = r;
	nftnl_rule_list_iter_destroy(it);
	if (!last)
		return;
	outbuf_init(&all);
	bnft_ir_print_rule_debug(ir, last, &all);
	for (l = strtok_r(all.buf ? all.buf : (char *)"", "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(l);

		if (strncmp(l, "  [ ", 4))
			continue;
		/* the kernel always reports lookup flags; nft prints them when set */
		if (!strncmp(l, "  [ lookup ", 11) && n > 6 && !strcmp(l + n - 6, " 0x0 ]"))
			strcpy(l + n - 6, " ]");
		outbuf_printf(o, "%s\n", l);
	}
	outbuf_release(&all);
}

static bool kernel_same(const struct bnft_ir *ours, const struct bnft_ir *kern, const char *rule)
{
	struct outbuf a, b;
	bool same;

	outbuf_init(&a);
	outbuf_init(&b);
	rule_lines(ours, &a);
	rule_lines(kern, &b);
	same = a.buf && b.buf && !strcmp(a.buf, b.buf);
	if (!same && logf)
		fprintf(logf, "ROUNDTRIP %s\n  ours:\n%s  kernel:\n%s", rule, a.buf ? a.buf : "",
			b.buf ? b.buf : "");
	outbuf_release(&a);
	outbuf_release(&b);
	return same;
}

static int kb_flowtable(struct nftnl_flowtable *f, void *data)
{
	struct kbatch *kb = data;
	struct nlmsghdr *nlh;

	nftnl_flowtable_unset(f, NFTNL_FLOWTABLE_HANDLE);
	nlh = kb_hdr(kb, NFT_MSG_NEWFLOWTABLE, nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_FAMILY),
		     NLM_F_CREATE, "flowtable");
	nftnl_flowtable_nlmsg_build_payload(nlh, f);
	mnl_nlmsg_batch_next(kb->b);
	return 0;
}

/* Send ir to the kernel of this netns after flushing its ruleset.
 * Returns 0 or -errno with the failing object in err. */
static int kernel_load(struct bnft_ir *ir, char *err, size_t errlen)
{
	static char buf[1 << 20];
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct kbatch kb = { 0 };
	struct nlmsghdr *nlh;
	struct nftnl_table_list_iter *ti;
	struct nftnl_chain_list_iter *ci;
	struct nftnl_set_list_iter *si;
	struct nftnl_obj_list_iter *oi;
	struct nftnl_rule_list_iter *ri;
	struct nftnl_table *t;
	struct nftnl_chain *c;
	struct nftnl_set *st;
	struct nftnl_obj *o;
	struct nftnl_rule *r;
	unsigned int portid, pending;
	int ret = 0, n;

	/* libnftnl builds the element messages: the lowering's compact
	 * element stores become libnftnl elements first */
	if (bnft_ir_elems_to_nftnl(ir) < 0) {
		snprintf(err, errlen, "set elements: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -errno;
	}
	portid = mnl_socket_get_portid(nl);
	kb.seq = kb.first_seq = (uint32_t)time(NULL);
	kb.b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(kb.b), kb.seq++);
	mnl_nlmsg_batch_next(kb.b);
	kb.first_seq = kb.seq;
	/* flush ruleset */
	kb_hdr(&kb, NFT_MSG_DELTABLE, NFPROTO_UNSPEC, 0, "flush ruleset");
	mnl_nlmsg_batch_next(kb.b);

	ti = nftnl_table_list_iter_create(ir->tables);
	while ((t = nftnl_table_list_iter_next(ti))) {
		nftnl_table_unset(t, NFTNL_TABLE_HANDLE);
		nlh = kb_hdr(&kb, NFT_MSG_NEWTABLE, nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY),
			     NLM_F_CREATE, "table");
		nftnl_table_nlmsg_build_payload(nlh, t);
		mnl_nlmsg_batch_next(kb.b);
	}
	nftnl_table_list_iter_destroy(ti);
	ci = nftnl_chain_list_iter_create(ir->chains);
	while ((c = nftnl_chain_list_iter_next(ci))) {
		nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
		nlh = kb_hdr(&kb, NFT_MSG_NEWCHAIN, nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY),
			     NLM_F_CREATE, "chain");
		nftnl_chain_nlmsg_build_payload(nlh, c);
		mnl_nlmsg_batch_next(kb.b);
	}
	nftnl_chain_list_iter_destroy(ci);
	oi = nftnl_obj_list_iter_create(ir->objs);
	while ((o = nftnl_obj_list_iter_next(oi))) {
		nlh = kb_hdr(&kb, NFT_MSG_NEWOBJ, nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY),
			     NLM_F_CREATE, "object");
		nftnl_obj_nlmsg_build_payload(nlh, o);
		mnl_nlmsg_batch_next(kb.b);
	}
	nftnl_obj_list_iter_destroy(oi);
	nftnl_flowtable_list_foreach(ir->flowtables, kb_flowtable, &kb);
	si = nftnl_set_list_iter_create(ir->sets);
	while ((st = nftnl_set_list_iter_next(si))) {
		uint16_t fam = nftnl_set_get_u32(st, NFTNL_SET_FAMILY);

		nftnl_set_unset(st, NFTNL_SET_HANDLE);
		nlh = kb_hdr(&kb, NFT_MSG_NEWSET, fam, NLM_F_CREATE, "set");
		nftnl_set_nlmsg_build_payload(nlh, st);
		mnl_nlmsg_batch_next(kb.b);
		if (set_has_elems(st)) {
			nlh = kb_hdr(&kb, NFT_MSG_NEWSETELEM, fam, NLM_F_CREATE, "set elements");
			nftnl_set_elems_nlmsg_build_payload(nlh, st);
			mnl_nlmsg_batch_next(kb.b);
		}
	}
	nftnl_set_list_iter_destroy(si);
	ri = nftnl_rule_list_iter_create(ir->rules);
	while ((r = nftnl_rule_list_iter_next(ri))) {
		nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
		nftnl_rule_unset(r, NFTNL_RULE_POSITION);
		nlh = kb_hdr(&kb, NFT_MSG_NEWRULE, nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY),
			     NLM_F_CREATE | NLM_F_APPEND, "rule");
		nftnl_rule_nlmsg_build_payload(nlh, r);
		mnl_nlmsg_batch_next(kb.b);
	}
	nftnl_rule_list_iter_destroy(ri);
	nftnl_batch_end(mnl_nlmsg_batch_current(kb.b), kb.seq++);
	mnl_nlmsg_batch_next(kb.b);

	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(kb.b), mnl_nlmsg_batch_size(kb.b)) < 0) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		ret = -errno;
		goto out;
	}
	/* one ack (or error) per message */
	pending = kb.seq - kb.first_seq - 1;
	while (pending > 0) {
		const struct nlmsghdr *h;

		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n <= 0)
			break;
		for (h = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				unsigned int idx = h->nlmsg_seq - kb.first_seq;

				if (e->error && !ret) {
					ret = e->error;
					snprintf(err, errlen, "kernel rejected %s: %s",
						 idx < 64 ? kb.what[idx] : "?", strerror(-e->error));
				}
				if (pending)
					pending--;
			}
		}
		if (ret)
			break;
	}
out:
	(void)portid;
	mnl_socket_close(nl);
	return ret;
}

static void log_list(const char *title, const struct strvec *v)
{
	unsigned int i;

	fprintf(logf, "  %s:\n", title);
	for (i = 0; i < v->n; i++)
		fprintf(logf, "    %s\n", v->v[i]);
}

/* Build, evaluate and lower the context plus one rule; collect the
 * relevant debug lines of that rule in got. Returns 0 or -1 (error text
 * in err). */
static int run_rule(const struct tctx *t, const struct ttable *tb, const char *rule,
		    struct strvec *got, struct outbuf *err)
{
	struct bnft_ruleset rs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct list_head msgs;
	struct output_ctx octx = { 0 };
	struct bnft_ir *ir = NULL;
	struct outbuf cmds, dbg;
	char fam_tab[256], buf[MAXL];
	unsigned int i;
	int ret = -1;

	snprintf(fam_tab, sizeof(fam_tab), "%s %s", tb->family, tb->name);
	outbuf_init(&cmds);
	outbuf_init(&dbg);
	outbuf_printf(&cmds, "add table %s\n", fam_tab);
	for (i = 0; i < tb->chains.n; i++) {
		const char *cfg = chain_config(t, tb->chains.v[i]);

		if (cfg)
			outbuf_printf(&cmds, "add chain %s %s { %s; }\n", fam_tab, tb->chains.v[i],
				      cfg);
		else
			outbuf_printf(&cmds, "add chain %s %s\n", fam_tab, tb->chains.v[i]);
	}
	for (i = 0; i < t->setup.n; i++) {
		replace_all(buf, sizeof(buf), t->setup.v[i], TABLE_PH, fam_tab);
		outbuf_printf(&cmds, "%s\n", buf);
	}
	outbuf_printf(&cmds, "add rule %s %s %s\n", fam_tab, tb->chains.n ? tb->chains.v[0] : "",
		      rule);

	init_list_head(&msgs);
	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	if (bnft_parse_buffer(&pctx, cmds.buf, "<cmdline>") < 0) {
		outbuf_puts(err, "parse error:\n");
		erec_print_list(err, &msgs);
		goto out;
	}
	if (bnft_evaluate(&rs, &src, &msgs, &octx, NULL) < 0) {
		outbuf_puts(err, "evaluate error:\n");
		erec_print_list(err, &msgs);
		goto out;
	}
	if (bnft_lower(&rs, &ir, &msgs) < 0) {
		outbuf_puts(err, "lower error:\n");
		erec_print_list(err, &msgs);
		goto out;
	}
	{
		struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(ir->rules);
		struct nftnl_rule *r, *last = NULL;

		while (it && (r = nftnl_rule_list_iter_next(it)))
			last = r;
		nftnl_rule_list_iter_destroy(it);
		if (!last) {
			outbuf_puts(err, "no rule in the lowered ruleset\n");
			goto out;
		}
		bnft_ir_print_rule_debug(ir, last, &dbg);
	}
	if (kload) {
		char kerr[256] = "";

		if (kernel_load(ir, kerr, sizeof(kerr)) == 0) {
			struct bnft_ir *kir = NULL;

			k_ok++;
			/* round trip: what the kernel holds must print like our IR */
			if (bnft_kdump_new(&kir) == 0 && kernel_same(ir, kir, rule))
				k_same++;
			else
				k_diff++;
			bnft_ir_free(&kir);
		} else {
			k_fail++;
			if (logf)
				fprintf(logf, "KERNEL %s: %s\n", rule, kerr);
		}
	}
	{
		char *save = NULL, *l;

		for (l = strtok_r(dbg.buf ? dbg.buf : (char *)"", "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			if (line_relevant(l))
				sv_push(got, l);
	}
	ret = 0;
out:
	bnft_ir_free(&ir);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	bnft_ruleset_release(&rs);
	outbuf_release(&cmds);
	outbuf_release(&dbg);
	return ret;
}

/* -d: lower whole rulesets (tests/shell dumps); with -k also load them. */
static unsigned int d_ok, d_err, dk_ok, dk_fail;

static void check_dump(const char *path)
{
	struct bnft_ruleset rs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct list_head msgs;
	struct output_ctx octx = { 0 };
	struct bnft_ir *ir = NULL;
	struct outbuf err;

	init_list_head(&msgs);
	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	outbuf_init(&err);
	if (bnft_parse_file(&pctx, path) < 0 || bnft_evaluate(&rs, &src, &msgs, &octx, NULL) < 0) {
		/* the front end's business (conformance tier); not counted here */
		goto out;
	}
	if (bnft_lower(&rs, &ir, &msgs) < 0) {
		d_err++;
		erec_print_list(&err, &msgs);
		if (logf)
			fprintf(logf, "DUMP %s: lower error\n%s", path, err.buf ? err.buf : "");
		goto out;
	}
	d_ok++;
	if (kload) {
		char kerr[256] = "";

		if (kernel_load(ir, kerr, sizeof(kerr)) == 0) {
			dk_ok++;
		} else {
			dk_fail++;
			if (logf)
				fprintf(logf, "DUMP KERNEL %s: %s\n", path, kerr);
		}
	}
out:
	bnft_ir_free(&ir);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	bnft_ruleset_release(&rs);
	outbuf_release(&err);
}

static struct pfile *pfiles;
static unsigned int npfiles;

static struct pfile *pfile_get(const char *path)
{
	unsigned int i;

	for (i = 0; i < npfiles; i++)
		if (!strcmp(pfiles[i].path, path))
			return &pfiles[i];
	if (access(path, R_OK))
		return NULL;
	pfiles = realloc(pfiles, (npfiles + 1) * sizeof(*pfiles));
	if (!pfiles)
		exit(2);
	if (pfile_load(&pfiles[npfiles], path) < 0)
		return NULL;
	return &pfiles[npfiles++];
}

static void check_rule(struct tctx *t, const char *tfile, unsigned int lineno, const char *rule,
		       struct counts *c)
{
	unsigned int i;

	for (i = 0; i < t->ntables; i++) {
		const struct ttable *tb = &t->tables[i];
		char path[4096];
		struct pfile *pf;
		struct entry *e;
		struct strvec got = { 0 };
		struct outbuf err;
		int diff = 0;

		snprintf(path, sizeof(path), "%s.payload.%s", tfile, tb->family);
		pf = pfile_get(path);
		e = pf ? pfile_find(pf, rule) : NULL;
		if (!e) {
			snprintf(path, sizeof(path), "%s.payload", tfile);
			pf = pfile_get(path);
			e = pf ? pfile_find(pf, rule) : NULL;
		}
		if (!e) {
			c->skipped++;
			continue;
		}
		if (e->used)
			continue;
		e->used = true;
		outbuf_init(&err);
		if (run_rule(t, tb, rule, &got, &err) == 0 &&
		    (diff = payload_diff(&e->lines, &got)) < 0) {
			c->passed++;
			pf->passed++;
		} else {
			c->failed++;
			pf->failed++;
			if (logf) {
				fprintf(logf, "FAIL %s:%u [%s %s] %s\n  entry: %s\n", tfile, lineno,
					tb->family, tb->name, rule, pf->path);
				if (err.len)
					fprintf(logf, "%s", err.buf);
				fprintf(logf, "  first difference: line %d\n", diff + 1);
				log_list("want", &e->lines);
				log_list("got", &got);
			}
		}
		outbuf_release(&err);
		sv_free(&got);
	}
}

static void tctx_reset_tables(struct tctx *t)
{
	unsigned int i;

	for (i = 0; i < t->ntables; i++) {
		free(t->tables[i].family);
		free(t->tables[i].name);
		sv_free(&t->tables[i].chains);
	}
	t->ntables = 0;
}

static int check_tfile(const char *tfile, struct counts *total)
{
	struct tctx t;
	struct counts c = { 0 };
	char line[MAXL], cmd[MAXL];
	unsigned int lineno = 0, i;
	FILE *f = fopen(tfile, "r");

	if (!f)
		return -errno;
	memset(&t, 0, sizeof(t));
	while (fgets(line, sizeof(line), f)) {
		char *fields[4] = { 0 }, *p, *save = NULL;
		unsigned int nf = 0;

		lineno++;
		rstrip(line);
		if (!line[0] || line[0] == '#' || line[0] == '-')
			continue;
		/* split on ';' into at most 3 fields, the first may contain ';' only
		 * for chain configs (":name;config") */
		if (line[0] == ':') {
			p = strchr(line, ';');
			if (p && t.nchains < 64) {
				*p = '\0';
				t.chains[t.nchains].name = strdup(line + 1);
				t.chains[t.nchains].config = strdup(p + 1);
				t.nchains++;
			}
			continue;
		}
		if (line[0] == '*') {
			char *fam, *tab, *chs, *ch, *s2 = NULL;

			if (t.rules_seen) {
				tctx_reset_tables(&t);
				t.rules_seen = false;
			}
			fam = strtok_r(line + 1, ";", &save);
			tab = strtok_r(NULL, ";", &save);
			chs = strtok_r(NULL, ";", &save);
			if (!fam || !tab || t.ntables >= 8)
				continue;
			memset(&t.tables[t.ntables], 0, sizeof(t.tables[0]));
			t.tables[t.ntables].family = strdup(fam);
			t.tables[t.ntables].name = strdup(tab);
			for (ch = chs ? strtok_r(chs, ",", &s2) : NULL; ch; ch = strtok_r(NULL, ",", &s2))
				sv_push(&t.tables[t.ntables].chains, ch);
			t.ntables++;
			continue;
		}
		/* rule / set / elements / object lines: text;result[;expected] */
		p = strrchr(line, ';');
		for (p = strtok_r(line, ";", &save); p && nf < 4; p = strtok_r(NULL, ";", &save))
			fields[nf++] = p;
		if (nf < 2)
			continue;
		if (line[0] == '!' || line[0] == '?' || line[0] == '%') {
			/* objects and sets may hold ';' inside braces: rejoin */
			char whole[MAXL];
			const char *res;

			snprintf(whole, sizeof(whole), "%s", fields[0]);
			for (i = 1; i + 1 < nf; i++) {
				strncat(whole, ";", sizeof(whole) - strlen(whole) - 1);
				strncat(whole, fields[i], sizeof(whole) - strlen(whole) - 1);
			}
			res = fields[nf - 1];
			if (strcmp(res, "ok"))
				continue;
			p = strchr(whole, ' ');
			if (!p)
				continue;
			*p = '\0';
			if (whole[0] == '!')
				set_cmd(cmd, sizeof(cmd), whole + 1, p + 1);
			else if (whole[0] == '?')
				snprintf(cmd, sizeof(cmd), "add element " TABLE_PH " %s { %s }", whole + 1,
					 p + 1);
			else
				obj_cmd(cmd, sizeof(cmd), whole + 1, p + 1);
			sv_push(&t.setup, cmd);
			continue;
		}
		t.rules_seen = true;
		if (strcmp(fields[1], "ok"))
			continue;
		check_rule(&t, tfile, lineno, fields[0], &c);
		if (verbose)
			fprintf(stderr, "%s:%u %s\n", tfile, lineno, fields[0]);
	}
	fclose(f);
	/* entries of this file's payload files that no rule reached */
	for (i = 0; i < npfiles; i++) {
		unsigned int k;

		if (strncmp(pfiles[i].path, tfile, strlen(tfile)))
			continue;
		for (k = 0; k < pfiles[i].n; k++)
			if (!pfiles[i].e[k].used)
				c.skipped++;
	}
	printf("%s: %u passed, %u failed, %u skipped\n", tfile, c.passed, c.failed, c.skipped);
	total->passed += c.passed;
	total->failed += c.failed;
	total->skipped += c.skipped;
	tctx_reset_tables(&t);
	for (i = 0; i < t.nchains; i++) {
		free(t.chains[i].name);
		free(t.chains[i].config);
	}
	sv_free(&t.setup);
	return 0;
}

/* True when this process runs in the named network namespace given by
 * BNFT_NETNS (ip netns exec NAME ...), which the caller created for the test. */
static bool in_private_netns(void)
{
	const char *name = getenv("BNFT_NETNS");
	char path[512];
	struct stat a, b;

	if (!name || !*name || strchr(name, '/'))
		return false;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (stat("/proc/self/ns/net", &a) || stat(path, &b))
		return false;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int main(int argc, char **argv)
{
	struct counts total = { 0 };
	bool dumps = false;
	unsigned int i;
	int opt;

	/* like nft-test.py: times in the corpus are in UTC-2 */
	setenv("TZ", "UTC-2", 1);
	tzset();
	while ((opt = getopt(argc, argv, "dkl:v")) != -1) {
		switch (opt) {
		case 'd':
			dumps = true;
			break;
		case 'k':
			kload = true;
			break;
		case 'l':
			logf = fopen(optarg, "w");
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-k] [-v] [-l log] FILE.t...\n"
					"       %s -d [-k] [-l log] DUMP.nft...\n", argv[0], argv[0]);
			return 2;
		}
	}
	if (kload && !in_private_netns()) {
		/* -k flushes the ruleset it talks to: never the host's */
		fprintf(stderr, "payload-check: -k only inside the test network namespace "
				"named by BNFT_NETNS (ip netns exec NAME)\n");
		return 2;
	}
	if (dumps) {
		for (; optind < argc; optind++)
			check_dump(argv[optind]);
		printf("dumps: %u lowered, %u lowering errors", d_ok, d_err);
		if (kload)
			printf("; kernel: %u accepted, %u rejected", dk_ok, dk_fail);
		printf("\n");
		if (logf)
			fclose(logf);
		return 0;
	}
	for (; optind < argc; optind++)
		if (check_tfile(argv[optind], &total) < 0)
			fprintf(stderr, "%s: cannot read\n", argv[optind]);
	/* per payload file: entry counts */
	for (i = 0; i < npfiles; i++) {
		printf("file %s: %u passed, %u failed, %u entries\n", pfiles[i].path,
		       pfiles[i].passed, pfiles[i].failed, pfiles[i].n);
		pfile_free(&pfiles[i]);
	}
	free(pfiles);
	if (kload)
		printf("kernel: %u accepted, %u rejected; read back: %u identical, %u different\n",
		       k_ok, k_fail, k_same, k_diff);
	printf("total: %u passed, %u failed, %u skipped\n", total.passed, total.failed,
	       total.skipped);
	if (logf)
		fclose(logf);
	return total.failed ? 1 : 0;
}
