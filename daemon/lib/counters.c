// SPDX-License-Identifier: GPL-2.0
/*
 * Per-rule counters of a generation: a PERCPU_ARRAY the generated code adds
 * to (plain adds on this CPU's slot, no atomics), and a plain ARRAY "cbase"
 * only user space writes. A counter's value is cbase plus the sum of the
 * per-CPU slots. User space never writes a slot the datapath adds to, so
 * start values, the carry across a flip and a reset are all exact.
 *
 * Carry across a flip: before the flip the new base is the old value; the
 * old generation keeps counting packets that read the old generation word
 * until they finish. After the flip one RCU grace period (BPF programs of
 * TC run in RCU read-side sections; an update of an ARRAY_OF_MAPS waits for
 * one, kernel/bpf/syscall.c maybe_wait_bpf_programs()) makes sure none
 * runs it any more, and the difference is added to the new base.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "daemon/lib/load_int.h"
#include "daemon/lib/rcu.h"

static const char *const gm_names[GM_N] = { "counters", "rules", "chains", "cbase" };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t bnft__ncounted(const struct bnft_prog_set *ps)
{
	size_t i = ps->nrules;

	while (i && !(ps->rules[i - 1].flags & BNFT_RULE_F_COUNTER))
		i--;
	return (uint32_t)i;
}

int bnft__ctr_create(struct bnft_live *lv, uint32_t g, const struct bnft_prog_set *ps)
{
	uint32_t nc = bnft__ncounted(ps), n = nc ? nc : 1, i;
	int *m = lv->gen_maps[g];

	m[GM_COUNTERS] = bnft__map_new("bnft_counters", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				       sizeof(struct bnft_counter), n, 0);
	if (m[GM_COUNTERS] < 0)
		return m[GM_COUNTERS];
	m[GM_CBASE] = bnft__map_new("bnft_cbase", BPF_MAP_TYPE_ARRAY, 4,
				    sizeof(struct bnft_counter), n, 0);
	if (m[GM_CBASE] < 0)
		return m[GM_CBASE];
	/* start values of the IR (nft -f "counter packets 3 bytes 252", or
	 * a migrated live kernel's counters) */
	for (i = 0; i < nc; i++) {
		struct bnft_counter c = { ps->rules[i].init_packets, ps->rules[i].init_bytes };

		if ((c.packets || c.bytes) && bpf_map_update_elem(m[GM_CBASE], &i, &c, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The whole rules array in one batch (NULL: read it entry by entry). */
static struct bnft_rule_id *rules_read(int fd, uint32_t n)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, bo);
	struct bnft_rule_id *v = calloc((size_t)n + 1, sizeof(*v));
	uint32_t *keys = calloc((size_t)n + 1, sizeof(*keys)), count = n, done = 0, out;
	int err = 0;

	if (!v || !keys) {
		free(v);
		free(keys);
		return NULL;
	}
	/* an array's batches run in key order from in_batch (NULL: the first) */
	while (done < n && !err) {
		count = n - done;
		err = bpf_map_lookup_batch(fd, done ? &out : NULL, &out, keys + done, v + done,
					   &count, &bo);
		if (err && errno != ENOENT)
			break;
		done += count;
		if (err) /* ENOENT: the end */
			err = done == n ? 0 : -ENOENT;
	}
	free(keys);
	if (err || done != n) {
		free(v);
		return NULL;
	}
	return v;
}

/* The value of counter id: base (cbase_fd may be -1: none) + per-CPU sum.
 * pc has room for ncpu entries. */
static int ctr_value(int cnt_fd, int cbase_fd, uint32_t id, struct bnft_counter *pc, int ncpu,
		     struct bnft_counter *out)
{
	struct bnft_counter base = { 0 };
	int c;

	if (bpf_map_lookup_elem(cnt_fd, &id, pc))
		return -errno;
	if (cbase_fd >= 0 && bpf_map_lookup_elem(cbase_fd, &id, &base))
		memset(&base, 0, sizeof(base));
	*out = base;
	for (c = 0; c < ncpu; c++) {
		out->packets += pc[c].packets;
		out->bytes += pc[c].bytes;
	}
	return 0;
}

struct old_ctr {
	char *key;
	uint32_t id;
};

static int old_ctr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct old_ctr *)a)->key, ((const struct old_ctr *)b)->key);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *rule_key(uint32_t family, const char *table, const char *chain, uint64_t handle)
{
	char *k = NULL;

	if (asprintf(&k, "%u/%s/%s/%llu", family, table, chain, (unsigned long long)handle) < 0)
		return NULL;
	return k;
}

void bnft__ctr_carry_drop(struct bnft_live *lv)
{
	int k;

	free(lv->carry);
	lv->carry = NULL;
	lv->ncarry = 0;
	for (k = 0; k < GM_N; k++) {
		if (lv->carry_old[k] >= 0)
			close(lv->carry_old[k]);
		lv->carry_old[k] = -1;
	}
}

static int open_old(struct bnft_live *lv, uint32_t old)
{
	char rel[64];
	int k;

	for (k = 0; k < GM_N; k++) {
		if (lv->gen_maps[old][k] >= 0) {
			lv->carry_old[k] = dup(lv->gen_maps[old][k]);
		} else if (lv->root) {
			snprintf(rel, sizeof(rel), "g%u/%s", old, gm_names[k]);
			lv->carry_old[k] = bnft__obj_get(lv->root, rel);
		}
		/* no base: pins of an older bnft, the per-CPU sum is all */
		if (lv->carry_old[k] < 0 && k != GM_CBASE)
			return -ENOENT;
	}
	return 0;
}

int bnft__ctr_carry(struct bnft_live *lv, uint32_t old, uint32_t g,
		    const struct bnft_prog_set *ps, const struct bnft_rule_key *fresh,
		    size_t nfresh)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0, *of = lv->carry_old;
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i, n = 0;
	struct bnft_counter *pc = NULL;
	struct old_ctr *tab = NULL;
	char **fk = NULL;
	size_t nf = 0;

	if (ncpu <= 0)
		return ncpu ?: -EINVAL;
	bnft__ctr_carry_drop(lv);
	if (!bnft__ncounted(ps))
		return 0; /* no counter to carry into */
	if (open_old(lv, old)) {
		bnft__ctr_carry_drop(lv);
		return 0; /* nothing loaded there: nothing to carry */
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(of[GM_RULES], &info, &ilen))
		return -errno;
	tab = calloc(info.max_entries + 1, sizeof(*tab));
	pc = calloc((size_t)ncpu, sizeof(*pc));
	lv->carry = calloc(ps->nrules + 1, sizeof(*lv->carry));
	fk = calloc(nfresh + 1, sizeof(*fk));
	if (!tab || !pc || !lv->carry || !fk) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < info.max_entries; i++) {
		struct bnft_rule_id rid;
		struct bnft_chain_id cid;

		if (bpf_map_lookup_elem(of[GM_RULES], &i, &rid) ||
		    !(rid.flags & BNFT_RULE_F_COUNTER) ||
		    bpf_map_lookup_elem(of[GM_CHAINS], &rid.chain, &cid))
			continue;
		tab[n].key = rule_key(cid.family, cid.table, cid.chain, rid.handle);
		if (!tab[n].key) {
			err = -ENOMEM;
			goto out;
		}
		tab[n++].id = i;
	}
	qsort(tab, n, sizeof(*tab), old_ctr_cmp);
	for (nf = 0; nf < nfresh; nf++) {
		fk[nf] = rule_key(fresh[nf].family, fresh[nf].table, fresh[nf].chain,
				  fresh[nf].handle);
		if (!fk[nf]) {
			err = -ENOMEM;
			goto out;
		}
	}
	qsort(fk, nf, sizeof(*fk), str_cmp);
	for (i = 0; i < ps->nrules && !err; i++) {
		const struct bnft_rule_id *r = &ps->rules[i];
		const struct bnft_chain_id *ch = &ps->chains[r->chain];
		struct bnft_carry *c = &lv->carry[lv->ncarry];
		struct bnft_counter v;
		struct old_ctr q, *hit;

		if (!(r->flags & BNFT_RULE_F_COUNTER))
			continue;
		q.key = rule_key(ch->family, ch->table, ch->chain, r->handle);
		if (!q.key) {
			err = -ENOMEM;
			break;
		}
		hit = bsearch(&q, tab, n, sizeof(*tab), old_ctr_cmp);
		if (hit && nf && bsearch(&q.key, fk, nf, sizeof(*fk), str_cmp))
			hit = NULL;
		free(q.key);
		if (!hit || ctr_value(of[GM_COUNTERS], of[GM_CBASE], hit->id, pc, ncpu, &v))
			continue;
		if (bpf_map_update_elem(lv->gen_maps[g][GM_CBASE], &i, &v, BPF_ANY)) {
			err = -errno;
			break;
		}
		c->new_id = i;
		c->old_id = hit->id;
		c->packets = v.packets;
		c->bytes = v.bytes;
		lv->ncarry++;
	}
out:
	for (i = 0; tab && i < n; i++)
		free(tab[i].key);
	for (i = 0; fk && i < nf; i++)
		free(fk[i]);
	free(fk);
	free(tab);
	free(pc);
	if (err)
		bnft__ctr_carry_drop(lv);
	return err;
}

static int64_t settle(const struct bnft_carry *carry, size_t n, const int *of, int cbase_new)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct bnft_counter *pc;
	uint64_t t0 = mono_ns(), t1;
	size_t i;

	if (!n)
		return 0;
	if (ncpu <= 0)
		return ncpu ?: -EINVAL;
	err = bnft_rcu_sync();
	if (err)
		return err;
	t1 = mono_ns();
	pc = calloc((size_t)ncpu, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		const struct bnft_carry *c = &carry[i];
		struct bnft_counter fin, base;

		if (ctr_value(of[GM_COUNTERS], of[GM_CBASE], c->old_id, pc, ncpu, &fin))
			continue;
		if (fin.packets == c->packets && fin.bytes == c->bytes)
			continue;
		if (bpf_map_lookup_elem(cbase_new, &c->new_id, &base)) {
			err = -errno;
			break;
		}
		base.packets += fin.packets - c->packets;
		base.bytes += fin.bytes - c->bytes;
		if (bpf_map_update_elem(cbase_new, &c->new_id, &base, BPF_ANY))
			err = -errno;
	}
	free(pc);
	return err ? err : (int64_t)(t1 - t0);
}

int64_t bnft__ctr_settle(struct bnft_live *lv, uint32_t g)
{
	return settle(lv->carry, lv->ncarry, lv->carry_old, lv->gen_maps[g][GM_CBASE]);
}

/* A settle put off until bnft_live_settle() (BNFT_LOAD_DEFER_SETTLE): the
 * carry and dups of the maps it needs, which outlive the loader's handle. */
static struct {
	struct bnft_carry *carry;
	size_t n;
	int old[GM_N];
	int cbase;
} pend = { .old = { -1, -1, -1, -1 }, .cbase = -1 };

int64_t bnft_live_settle(void)
{
	int64_t r;
	int k;

	if (!pend.carry)
		return 0;
	r = settle(pend.carry, pend.n, pend.old, pend.cbase);
	free(pend.carry);
	pend.carry = NULL;
	pend.n = 0;
	for (k = 0; k < GM_N; k++) {
		if (pend.old[k] >= 0)
			close(pend.old[k]);
		pend.old[k] = -1;
	}
	if (pend.cbase >= 0)
		close(pend.cbase);
	pend.cbase = -1;
	return r;
}

void bnft__ctr_defer(struct bnft_live *lv, uint32_t g)
{
	int k;

	bnft_live_settle();
	if (!lv->ncarry)
		return;
	pend.cbase = dup(lv->gen_maps[g][GM_CBASE]);
	if (pend.cbase < 0) {
		bnft__ctr_settle(lv, g); /* cannot keep it: now */
		return;
	}
	pend.carry = lv->carry;
	pend.n = lv->ncarry;
	lv->carry = NULL;
	lv->ncarry = 0;
	for (k = 0; k < GM_N; k++) {
		pend.old[k] = lv->carry_old[k];
		lv->carry_old[k] = -1;
	}
}

/* Walks the counters of one generation; with reset, zeroes those for which
 * cb returns 1 (and goes on), else stops at cb's first non-zero return. */
static int counters_walk(const int *fds, bnft_counter_cb cb, void *data, bool reset)
{
	int ncpu = libbpf_num_possible_cpus();
	struct bnft_counter *pc;
	struct bnft_rule_id *rids;
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i, last_chain = UINT32_MAX, first = 0;
	int err = 0, nreset = 0;

	if (ncpu <= 0)
		return ncpu ?: -EINVAL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fds[GM_RULES], &info, &ilen))
		return -errno;
	pc = calloc((size_t)ncpu, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	rids = rules_read(fds[GM_RULES], info.max_entries);
	for (i = 0; i < info.max_entries && !err; i++) {
		struct bnft_counter_row row = { 0 };
		struct bnft_counter v, base = { 0 }, sum;
		struct bnft_rule_id rid;
		struct bnft_chain_id cid;
		int r;

		if (rids)
			rid = rids[i];
		else if (bpf_map_lookup_elem(fds[GM_RULES], &i, &rid))
			continue;
		/* Rule ids run in chain order: the index restarts per chain. */
		if (rid.chain != last_chain) {
			last_chain = rid.chain;
			first = i;
		}
		if (!(rid.flags & BNFT_RULE_F_COUNTER))
			continue;
		if (bpf_map_lookup_elem(fds[GM_CHAINS], &rid.chain, &cid) ||
		    ctr_value(fds[GM_COUNTERS], fds[GM_CBASE], i, pc, ncpu, &v))
			continue;
		row.packets = v.packets;
		row.bytes = v.bytes;
		row.family = cid.family;
		row.table = cid.table;
		row.chain = cid.chain;
		row.handle = rid.handle;
		row.index = i - first;
		r = cb(&row, data);
		if (!reset) {
			err = r;
			continue;
		}
		if (r <= 0) {
			err = r;
			continue;
		}
		if (fds[GM_CBASE] < 0) {
			err = -EOPNOTSUPP; /* pins of an older bnft */
			break;
		}
		/* value = base + sum = 0 as of the read above */
		bpf_map_lookup_elem(fds[GM_CBASE], &i, &base);
		sum.packets = v.packets - base.packets;
		sum.bytes = v.bytes - base.bytes;
		base.packets = 0 - sum.packets;
		base.bytes = 0 - sum.bytes;
		if (bpf_map_update_elem(fds[GM_CBASE], &i, &base, BPF_ANY))
			err = -errno;
		else
			nreset++;
	}
	free(rids);
	free(pc);
	return err < 0 || !reset ? err : nreset;
}

int bnft_live_counters_fd(const struct bnft_live *lv, bnft_counter_cb cb, void *data)
{
	uint32_t g;
	int err = bnft__conf_get(lv, BNFT_CONF_ACTIVE, &g);

	if (err)
		return err;
	g &= 1;
	if (lv->gen_maps[g][GM_COUNTERS] < 0)
		return -ENOENT;
	return counters_walk(lv->gen_maps[g], cb, data, false);
}

static int pinned_walk(const char *pin_root, bnft_counter_cb cb, void *data, bool reset)
{
	int conf, fds[GM_N] = { -1, -1, -1, -1 }, err, k;
	uint32_t key = BNFT_CONF_ACTIVE, g;
	char rel[64];

	conf = bnft__obj_get(pin_root, "conf");
	if (conf < 0)
		return conf;
	err = bpf_map_lookup_elem(conf, &key, &g) ? -errno : 0;
	close(conf);
	if (err)
		return err;
	for (k = 0; k < GM_N; k++) {
		snprintf(rel, sizeof(rel), "g%u/%s", g & 1, gm_names[k]);
		fds[k] = bnft__obj_get(pin_root, rel);
		if (fds[k] < 0 && k != GM_CBASE) {
			err = fds[k];
			goto out;
		}
	}
	err = counters_walk(fds, cb, data, reset);
out:
	for (k = 0; k < GM_N; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return err;
}

int bnft_live_counters(const char *pin_root, bnft_counter_cb cb, void *data)
{
	return pinned_walk(pin_root, cb, data, false);
}

int bnft_live_counters_reset(const char *pin_root, bnft_counter_cb sel, void *data)
{
	return pinned_walk(pin_root, sel, data, true);
}
