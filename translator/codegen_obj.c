// SPDX-License-Identifier: GPL-2.0
/*
 * quota statements and named objects (counter, quota, limit) referenced by
 * `counter name "x"`, `quota name "x"`, `limit name "x"`. State lives in
 * the generation's bnft_obj map (bpf/lib/quota.h), named limits in a
 * bnft_limits slot of their own; bnft_live_refresh_objects() reads the
 * live values back into a ruleset for listings and for the next compile.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/quota.h"
#include "parser/ast.h"
#include "parser/ruleset.h"
#include "translator/codegen_stmt.h"
#include "translator/stmt_live.h"
#include "daemon/lib/rcu.h"

#define OBJ_OFF(f) ((int16_t)offsetof(struct bnft_obj, f))

static int obj_map(struct cg *cg, struct cg_stmts *st)
{
	int mi;

	if (st->objs >= 0)
		return st->objs;
	mi = cg_map_add(cg, BNFT_OBJ_MAP, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct bnft_obj), 1);
	if (mi >= 0) {
		/* mmapable: a reset swaps values to 0 atomically (no packet
		 * counted between a read and a write is lost) */
		cg->ps->maps[mi].flags = BPF_F_MMAPABLE;
		st->objs = mi;
	}
	return mi;
}

static void name_cpy(char *dst, const char *src)
{
	snprintf(dst, BNFT_OBJ_NAMELEN, "%s", src ? src : "");
}

/* R0 = &bnft_obj[idx], or jump to `none`. */
static void emit_obj_lookup(struct cg *cg, int mi, int idx, uint32_t none)
{
	struct emitter *e = cg->e;

	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP, idx));
	emit_ld_map(e, BPF_REG_1, mi);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, none);
}

/* lock *(u64 *)(dst + off) += src, optionally fetching the old value. */
static struct bpf_insn atomic_add64(uint8_t dst, uint8_t src, int16_t off, bool fetch)
{
	return insn_make(BPF_STX | BPF_DW | BPF_ATOMIC, dst, src, off,
			 BPF_ADD | (fetch ? BPF_FETCH : 0));
}

static void emit_counter_obj(struct cg *cg, int mi, int idx)
{
	struct emitter *e = cg->e;
	uint32_t none = emit_label(e);

	emit_obj_lookup(cg, mi, idx, none);
	emit(e, I_MOV64_IMM(BPF_REG_1, 1));
	emit(e, atomic_add64(BPF_REG_0, BPF_REG_1, OBJ_OFF(v0), false));
	cg_emit_skb_len(cg, BPF_REG_1);
	emit(e, atomic_add64(BPF_REG_0, BPF_REG_1, OBJ_OFF(v1), false));
	emit_bind(e, none);
}

/* nft_quota_do_eval(): consumed = add_return(len); over = consumed > quota. */
static void emit_quota_obj(struct cg *cg, int mi, int idx, bool inv)
{
	struct emitter *e = cg->e;

	emit_obj_lookup(cg, mi, idx, cg->lbl_rule_fail);
	cg_emit_skb_len(cg, BPF_REG_1);
	emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_1));
	emit(e, atomic_add64(BPF_REG_0, BPF_REG_1, OBJ_OFF(v1), true));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_3));
	emit(e, I_LDX(BPF_DW, BPF_REG_2, BPF_REG_0, OBJ_OFF(v0)));
	/* `quota N` stops when over, `quota over N` when not */
	emit_jmp_reg(e, BPF_JMP | (inv ? BPF_JLE : BPF_JGT), BPF_REG_1, BPF_REG_2,
		     cg->lbl_rule_fail);
}

int cg_quota(struct cg *cg, struct nftnl_expr *ex)
{
	struct bnft_obj o;
	struct cg_stmts *st;
	uint32_t nth;
	int err, mi, idx;

	err = cg_stmts_get(cg, &st);
	if (err)
		return err;
	mi = obj_map(cg, st);
	if (mi < 0)
		return mi;
	memset(&o, 0, sizeof(o));
	o.kind = BNFT_OBJ_RULE_QUOTA;
	o.v0 = nftnl_expr_get_u64(ex, NFTNL_EXPR_QUOTA_BYTES);
	o.v1 = nftnl_expr_is_set(ex, NFTNL_EXPR_QUOTA_CONSUMED) ?
		       nftnl_expr_get_u64(ex, NFTNL_EXPR_QUOTA_CONSUMED) : 0;
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_QUOTA_FLAGS) &&
	    (nftnl_expr_get_u32(ex, NFTNL_EXPR_QUOTA_FLAGS) & NFT_QUOTA_F_INV))
		o.flags = BNFT_OBJ_F_INV;
	o.family = cg->cur_chain->family;
	o.handle = nftnl_rule_get_u64(cg->cur_rule, NFTNL_RULE_HANDLE);
	name_cpy(o.table, cg->cur_chain->table);
	name_cpy(o.name, cg->cur_chain->name);
	/* which quota of the rule this is (listings put `used` back) */
	nth = cg_expr_nth(cg, ex, BNFT_XK_QUOTA);
	o.nth = nth;
	/* a rule emitted in two programs shares its quota */
	for (idx = 0; idx < (int)cg->ps->maps[mi].nelems; idx++) {
		const struct bnft_obj *p =
			(const void *)(cg->ps->maps[mi].values + (size_t)idx * sizeof(o));

		if (p->kind == o.kind && p->family == o.family && p->handle == o.handle &&
		    p->nth == nth && !strcmp(p->table, o.table) && !strcmp(p->name, o.name))
			break;
	}
	if (idx == (int)cg->ps->maps[mi].nelems)
		idx = cg_map_append(cg, mi, &o);
	if (idx < 0)
		return idx;
	emit_quota_obj(cg, mi, idx, o.flags & BNFT_OBJ_F_INV);
	return cg->e->err;
}

/* The IR object (family, table, name, type), or NULL. */
static struct nftnl_obj *ir_obj(struct cg *cg, uint32_t family, const char *table, uint32_t type,
				const char *name)
{
	struct nftnl_obj_list_iter *it;
	struct nftnl_obj *o, *found = NULL;

	if (!cg->ir->objs)
		return NULL;
	it = nftnl_obj_list_iter_create(cg->ir->objs);
	if (!it)
		return NULL;
	while (!found && (o = nftnl_obj_list_iter_next(it))) {
		if (nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == type &&
		    nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY) == family &&
		    !strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), table) &&
		    !strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_NAME), name))
			found = o;
	}
	nftnl_obj_list_iter_destroy(it);
	return found;
}

static struct cg_obj *obj_slot(struct cg_stmts *st, uint32_t family, const char *table,
			       uint32_t type, const char *name)
{
	struct cg_obj *p;
	size_t i;

	for (i = 0; i < st->nobj; i++)
		if (st->obj[i].type == type && st->obj[i].family == family &&
		    !strcmp(st->obj[i].table, table) && !strcmp(st->obj[i].name, name))
			return &st->obj[i];
	p = realloc(st->obj, (st->nobj + 1) * sizeof(*p));
	if (!p)
		return NULL;
	st->obj = p;
	p = &st->obj[st->nobj++];
	p->family = family;
	p->type = type;
	p->table = table;
	p->name = name;
	p->slot = -1;
	return p;
}

/* The bnft_obj index of counter/quota `name` of table (family, table),
 * added on first use. */
static int obj_index_in(struct cg *cg, struct cg_stmts *st, int mi, uint32_t family,
			const char *table, uint32_t type, const char *name)
{
	struct nftnl_obj *no = ir_obj(cg, family, table, type, name);
	struct cg_obj *slot;
	struct bnft_obj o;

	if (!no)
		return cg_fail(cg, -EINVAL, "reference to missing object %s", name);
	slot = obj_slot(st, family, table, type, name);
	if (!slot)
		return -ENOMEM;
	if (slot->slot >= 0)
		return slot->slot;
	memset(&o, 0, sizeof(o));
	o.family = family;
	name_cpy(o.table, table);
	name_cpy(o.name, name);
	if (type == NFT_OBJECT_COUNTER) {
		o.kind = BNFT_OBJ_COUNTER;
		o.v0 = nftnl_obj_get_u64(no, NFTNL_OBJ_CTR_PKTS);
		o.v1 = nftnl_obj_get_u64(no, NFTNL_OBJ_CTR_BYTES);
	} else {
		o.kind = BNFT_OBJ_QUOTA;
		o.v0 = nftnl_obj_get_u64(no, NFTNL_OBJ_QUOTA_BYTES);
		o.v1 = nftnl_obj_get_u64(no, NFTNL_OBJ_QUOTA_CONSUMED);
		o.flags = (nftnl_obj_get_u32(no, NFTNL_OBJ_QUOTA_FLAGS) & NFT_QUOTA_F_INV) ?
				  BNFT_OBJ_F_INV : 0;
	}
	slot->slot = cg_map_append(cg, mi, &o);
	return slot->slot;
}

static int obj_index(struct cg *cg, struct cg_stmts *st, int mi, uint32_t type, const char *name)
{
	return obj_index_in(cg, st, mi, cg->cur_chain->family, cg->cur_chain->table, type, name);
}

/* Named counters and quotas no rule references still keep their values
 * (listings, reloads, reset): each gets its bnft_obj slot. 0 or a negative
 * errno. */
int cg_objs_unreferenced(struct cg *cg)
{
	struct nftnl_obj_list_iter *it;
	struct cg_stmts *st;
	struct nftnl_obj *o;
	uint32_t type;
	int mi, err = 0;

	if (!cg->ir->objs || nftnl_obj_list_is_empty(cg->ir->objs))
		return 0;
	it = nftnl_obj_list_iter_create(cg->ir->objs);
	if (!it)
		return -ENOMEM;
	while (err >= 0 && (o = nftnl_obj_list_iter_next(it))) {
		type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
		if (type != NFT_OBJECT_COUNTER && type != NFT_OBJECT_QUOTA)
			continue;
		err = cg_stmts_get(cg, &st);
		mi = err ? err : obj_map(cg, st);
		err = mi < 0 ? mi
			     : obj_index_in(cg, st, mi, nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY),
					    nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), type,
					    nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
	}
	nftnl_obj_list_iter_destroy(it);
	return err < 0 ? err : 0;
}

typedef unsigned __int128 u128;

struct om_elem {
	uint8_t key[16];
	uint32_t flags;
	int idx;	/* bnft_obj index, -1 for an interval end */
};

static int om_cmp(const void *a, const void *b, void *klen)
{
	return memcmp(((const struct om_elem *)a)->key, ((const struct om_elem *)b)->key,
		      *(const uint32_t *)klen);
}

static u128 key_u128(const uint8_t *k, uint32_t n)
{
	u128 v = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | k[i];
	return v;
}

/* One key of map km: exact (key bytes) or LPM (prefix length + bytes). */
static int om_push(struct cg *cg, int km, const uint8_t *key, int idx)
{
	struct bnft_map_spec *m = &cg->ps->maps[km];
	uint8_t *nk = realloc(m->keys, (size_t)(m->nelems + 1) * m->key_size), *nv;

	if (!nk)
		return -ENOMEM;
	m->keys = nk;
	nv = realloc(m->values, (size_t)(m->nelems + 1) * 4);
	if (!nv)
		return -ENOMEM;
	m->values = nv;
	memcpy(nk + (size_t)m->nelems * m->key_size, key, m->key_size);
	memcpy(nv + (size_t)m->nelems * 4, &idx, 4);
	m->nelems++;
	m->max_entries = m->nelems;
	return 0;
}

/* [lo, hi] of klen-byte keys as LPM prefixes (rbtree semantics: a key
 * belongs to the greatest interval start <= it). */
static int om_range(struct cg *cg, int km, u128 lo, u128 hi, uint32_t klen, int idx)
{
	uint32_t bits = klen * 8, k, i;
	uint8_t key[4 + 16];
	int err;

	for (;;) {
		for (k = 0; k < bits && !((lo >> k) & 1) &&
			    (k + 1 < 128 ? lo + (((u128)1 << (k + 1)) - 1) <= hi : lo == 0);
		     k++)
			;
		*(uint32_t *)key = bits - k;
		for (i = 0; i < klen; i++)
			key[4 + i] = (uint8_t)(lo >> (8 * (klen - 1 - i)));
		if (cg->ps->maps[km].nelems >= 65536)
			return -E2BIG;
		err = om_push(cg, km, key, idx);
		if (err || k == bits)
			return err;
		if (lo + (((u128)1 << k) - 1) >= hi)
			return 0;
		lo += (u128)1 << k;
	}
}

/*
 * `counter name ip saddr map { 10.0.0.1 : "c1", 10.1.0.0/16 : "c2" }`
 * (nft_objref_map_eval): a hash map (an LPM trie for interval keys) from
 * the key to the object's bnft_obj index; no element: the rule breaks.
 * Quota objects decide `over` from their flags at run time. Concatenated
 * intervals and limit objects are refused.
 */
static int cg_objmap(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	const char *sn = nftnl_expr_get_str(ex, NFTNL_EXPR_OBJREF_SET_NAME);
	struct cg_set *set = sn ? cg_find_set(cg, cg->cur_chain->family, cg->cur_chain->table, sn)
				: NULL;
	struct bnft_elems_iter it;
	const struct bnft_elem *el;
	struct om_elem *ev = NULL;
	struct cg_stmts *st;
	uint32_t type, done, klen;
	size_t n = 0, i;
	bool lpm;
	int err, mi, km, so;

	if (!set || !(set->flags & NFT_SET_OBJECT))
		return cg_fail(cg, -EINVAL, "object map %s missing", sn ? sn : "?");
	type = nftnl_set_get_u32(set->s, NFTNL_SET_OBJ_TYPE);
	if (type != NFT_OBJECT_COUNTER && type != NFT_OBJECT_QUOTA)
		return cg_fail(cg, -EOPNOTSUPP, "object map %s: only counter and quota maps are "
				"supported", sn);
	klen = set->key_len;
	lpm = set->flags & NFT_SET_INTERVAL;
	if (klen == 0 || klen > (lpm ? 16u : (uint32_t)SCR_KEY_MAX))
		return cg_fail(cg, -EOPNOTSUPP, "object map %s: key of %u bytes", sn, klen);
	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_OBJREF_SET_SREG), klen);
	if (so < 0)
		return so;
	err = cg_stmts_get(cg, &st);
	if (err)
		return err;
	mi = obj_map(cg, st);
	if (mi < 0)
		return mi;
	km = cg_map_add(cg, "bnft_om", lpm ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH,
			lpm ? 4 + klen : klen, 4, 1);
	if (km < 0)
		return km;
	if (lpm)
		cg->ps->maps[km].flags = BPF_F_NO_PREALLOC;
	cg_set_elems(set, &it);
	while (!err && (el = bnft_elems_iter_next(&it))) {
		uint32_t kl = el->key_len;
		const void *k = el->key;
		const char *on = el->objref;
		uint32_t fl = el->flags;
		struct om_elem *nev;

		if (!k || kl != klen || el->key_end || (!on && !(fl & NFT_SET_ELEM_INTERVAL_END))) {
			err = cg_fail(cg, -EOPNOTSUPP, "object map %s: element not supported", sn);
			break;
		}
		nev = realloc(ev, (n + 1) * sizeof(*ev));
		if (!nev) {
			err = -ENOMEM;
			break;
		}
		ev = nev;
		memset(&ev[n], 0, sizeof(ev[n]));
		memcpy(ev[n].key, k, kl);
		ev[n].flags = fl;
		ev[n].idx = (fl & NFT_SET_ELEM_INTERVAL_END) ? -1 : obj_index(cg, st, mi, type, on);
		if (ev[n].idx < 0 && !(fl & NFT_SET_ELEM_INTERVAL_END))
			err = ev[n].idx;
		n++;
	}
	bnft_elems_iter_done(&it);
	err = err ?: it.err;
	if (!err && lpm) {
		u128 max = klen == 16 ? ~(u128)0 : (((u128)1 << (klen * 8)) - 1);

		qsort_r(ev, n, sizeof(*ev), om_cmp, &klen);
		for (i = 0; !err && i < n; i++) {
			u128 lo = key_u128(ev[i].key, klen), hi = max;

			if (ev[i].idx < 0)
				continue;
			if (i + 1 < n) {
				hi = key_u128(ev[i + 1].key, klen);
				if (hi == lo)
					continue;
				hi--;
			}
			err = om_range(cg, km, lo, hi, klen, ev[i].idx);
		}
	} else {
		for (i = 0; !err && i < n; i++)
			if (ev[i].idx >= 0)
				err = om_push(cg, km, ev[i].key, ev[i].idx);
	}
	free(ev);
	if (err)
		return err == -E2BIG ? cg_fail(cg, err, "object map %s: too many prefixes", sn)
				     : err;

	if (lpm) {
		uint32_t off;

		emit(e, I_ST(BPF_W, R_SCR, SCR_KEY, (int32_t)klen * 8));
		for (off = 0; off < klen; off++) {
			emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, (int16_t)(so + (int)off)));
			emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, (int16_t)(SCR_KEY + 4 + (int)off)));
		}
		so = SCR_KEY;
	}
	/* R0 = &index or break; then the object */
	emit_ld_map(e, BPF_REG_1, km);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, so));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_TMP));
	emit_ld_map(e, BPF_REG_1, mi);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	if (type == NFT_OBJECT_COUNTER) {
		emit(e, I_MOV64_IMM(BPF_REG_1, 1));
		emit(e, atomic_add64(BPF_REG_0, BPF_REG_1, OBJ_OFF(v0), false));
		cg_emit_skb_len(cg, BPF_REG_1);
		emit(e, atomic_add64(BPF_REG_0, BPF_REG_1, OBJ_OFF(v1), false));
		return e->err;
	}
	done = emit_label(e);
	cg_emit_skb_len(cg, BPF_REG_1);
	emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_1));
	emit(e, atomic_add64(BPF_REG_0, BPF_REG_1, OBJ_OFF(v1), true));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_3));
	emit(e, I_LDX(BPF_DW, BPF_REG_2, BPF_REG_0, OBJ_OFF(v0)));
	/* R4 = over (consumed > quota), flipped by `over` quotas */
	emit(e, I_MOV64_IMM(BPF_REG_4, 0));
	{
		uint32_t le = emit_label(e);

		emit_jmp_reg(e, BPF_JMP | BPF_JLE, BPF_REG_1, BPF_REG_2, le);
		emit(e, I_MOV64_IMM(BPF_REG_4, 1));
		emit_bind(e, le);
	}
	emit(e, I_LDX(BPF_W, BPF_REG_5, BPF_REG_0, OBJ_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_5, BNFT_OBJ_F_INV));
	emit(e, I_ALU32_REG(BPF_XOR, BPF_REG_4, BPF_REG_5));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, cg->lbl_rule_fail);
	emit_bind(e, done);
	return e->err;
}

int cg_objref(struct cg *cg, struct nftnl_expr *ex)
{
	struct cg_stmts *st;
	struct nftnl_obj *no;
	struct cg_obj *slot;
	uint32_t type;
	const char *name;
	int err, mi, idx;

	if (nftnl_expr_is_set(ex, NFTNL_EXPR_OBJREF_SET_NAME))
		return cg_objmap(cg, ex);
	type = nftnl_expr_get_u32(ex, NFTNL_EXPR_OBJREF_IMM_TYPE);
	name = nftnl_expr_get_str(ex, NFTNL_EXPR_OBJREF_IMM_NAME);
	if (!name)
		return cg_fail(cg, -EINVAL, "object reference without a name");
	if (type != NFT_OBJECT_COUNTER && type != NFT_OBJECT_QUOTA && type != NFT_OBJECT_LIMIT)
		return cg_fail(cg, -EOPNOTSUPP, "%s objects are not supported",
			       type == NFT_OBJECT_CT_HELPER ? "ct helper" :
			       type == NFT_OBJECT_CT_TIMEOUT ? "ct timeout" :
			       type == NFT_OBJECT_CT_EXPECT ? "ct expectation" :
			       type == NFT_OBJECT_SECMARK ? "secmark" :
			       type == NFT_OBJECT_SYNPROXY ? "synproxy" : "these");
	no = ir_obj(cg, cg->cur_chain->family, cg->cur_chain->table, type, name);
	if (!no)
		return cg_fail(cg, -EINVAL, "reference to missing object %s", name);
	err = cg_stmts_get(cg, &st);
	if (err)
		return err;
	slot = obj_slot(st, cg->cur_chain->family, cg->cur_chain->table, type, name);
	if (!slot)
		return -ENOMEM;
	if (type == NFT_OBJECT_LIMIT) {
		if (slot->slot < 0)
			slot->slot = (int32_t)(0x80000000u | st->lim_key++);
		return cg_limit_emit(cg, nftnl_obj_get_u64(no, NFTNL_OBJ_LIMIT_RATE),
				     nftnl_obj_get_u64(no, NFTNL_OBJ_LIMIT_UNIT),
				     nftnl_obj_get_u32(no, NFTNL_OBJ_LIMIT_BURST),
				     nftnl_obj_get_u32(no, NFTNL_OBJ_LIMIT_TYPE),
				     nftnl_obj_get_u32(no, NFTNL_OBJ_LIMIT_FLAGS),
				     (uint32_t)slot->slot);
	}
	mi = obj_map(cg, st);
	if (mi < 0)
		return mi;
	idx = obj_index(cg, st, mi, type, name);
	if (idx < 0)
		return idx;
	if (type == NFT_OBJECT_COUNTER) {
		emit_counter_obj(cg, mi, idx);
	} else {
		const struct bnft_obj *p = (const void *)(cg->ps->maps[mi].values +
							  (size_t)idx * sizeof(struct bnft_obj));

		emit_quota_obj(cg, mi, idx, p->flags & BNFT_OBJ_F_INV);
	}
	return cg->e->err;
}

/* ---- live values back into a ruleset ---------------------------------- */

/* The values the last refresh read (bnftd is single threaded): what the
 * next compile starts the objects at, and what bnft_live_objects_settle()
 * subtracts from the old generation's final values. */
static struct bnft_obj *snap;
static size_t nsnap;

static struct table *rs_table(struct bnft_ruleset *rs, uint32_t family, const char *name)
{
	struct table *t;

	list_for_each_entry(t, &rs->tables, list)
		if (t->handle.family == family && !strcmp(t->handle.table, name))
			return t;
	return NULL;
}

static void fill_obj(struct bnft_ruleset *rs, const struct bnft_obj *v)
{
	struct table *t = rs_table(rs, v->family, v->table);
	struct chain *c;
	struct rule *r;
	struct stmt *s;
	struct obj *o;
	uint32_t n = 0;
	uint64_t used = v->v1;

	if (!t)
		return;
	/* nft_quota_do_dump() reports consumed capped at the quota */
	if (v->kind != BNFT_OBJ_COUNTER && used > v->v0)
		used = v->v0;
	if (v->kind == BNFT_OBJ_COUNTER || v->kind == BNFT_OBJ_QUOTA) {
		list_for_each_entry(o, &t->objs, list) {
			if (strcmp(o->handle.set, v->name))
				continue;
			if (v->kind == BNFT_OBJ_COUNTER && o->type == NFT_OBJECT_COUNTER) {
				o->counter.packets = v->v0;
				o->counter.bytes = v->v1;
			} else if (v->kind == BNFT_OBJ_QUOTA && o->type == NFT_OBJECT_QUOTA) {
				o->quota.used = used;
			}
		}
		return;
	}
	list_for_each_entry(c, &t->chains, list) {
		if (strcmp(c->handle.chain, v->name))
			continue;
		list_for_each_entry(r, &c->rules, list) {
			if (r->handle.handle.id != v->handle)
				continue;
			list_for_each_entry(s, &r->stmts, list)
				if (s->type == STMT_QUOTA && n++ == v->nth)
					s->quota.used = used;
			return;
		}
	}
}

static int active_gen(const char *root)
{
	uint32_t key = BNFT_CONF_ACTIVE, g = 0;
	char p[4200];
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/conf", root);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, &g))
		err = -errno;
	close(fd);
	return err ? err : (int)(g & 1);
}

/* Fd of the active generation's set map with BPF object name `name`, or a
 * negative errno (-ENOENT when there is none). */
static int gen_map(const char *root, int g, const char *name, int *fd_out)
{
	char dir[4200], p[4500];
	struct dirent *de;
	DIR *d;
	int ret = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/g%d", root, g);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (ret == -ENOENT && (de = readdir(d))) {
		struct bpf_map_info info;
		uint32_t ilen = sizeof(info);
		int fd;

		if (de->d_name[0] != 's')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(p);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &ilen) && !strcmp(info.name, name)) {
			*fd_out = fd;
			ret = 0;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return ret;
}

int bnft_live_gen_map(const char *root, const char *name, int *fd_out)
{
	int g = active_gen(root);

	return g < 0 ? g : gen_map(root, g, name, fd_out);
}

/* Live values of named counters/quotas and rule quotas replace those of rs.
 * 0 (also when nothing is live or no object exists) or a negative errno. */
int bnft_live_refresh_objects(struct bnft_ruleset *rs, const char *root)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i;
	struct bnft_obj v;
	int fd, err;

	err = bnft_live_gen_map(root, BNFT_OBJ_MAP, &fd);
	if (err)
		return err == -ENOENT ? 0 : err;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || info.value_size != sizeof(v)) {
		close(fd);
		return -EINVAL;
	}
	free(snap);
	snap = calloc(info.max_entries ? info.max_entries : 1, sizeof(*snap));
	nsnap = 0;
	for (i = 0; i < info.max_entries; i++)
		if (!bpf_map_lookup_elem(fd, &i, &v) && v.kind) {
			fill_obj(rs, &v);
			if (snap)
				snap[nsnap++] = v;
		}
	close(fd);
	return 0;
}

static bool same_obj(const struct bnft_obj *a, const struct bnft_obj *b)
{
	return a->kind == b->kind && a->family == b->family && a->handle == b->handle &&
	       a->nth == b->nth && !strcmp(a->table, b->table) && !strcmp(a->name, b->name);
}

int bnft_live_objects_settle(const char *root)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i;
	int ofd = -1, nfd = -1, g, err;
	struct bnft_obj *nv = MAP_FAILED, ov;
	size_t k, len = 0;

	if (!nsnap)
		return 0;
	g = active_gen(root);
	err = g < 0 ? g : gen_map(root, g ^ 1, BNFT_OBJ_MAP, &ofd);
	err = err ?: gen_map(root, g, BNFT_OBJ_MAP, &nfd);
	err = err ?: bnft_rcu_sync();
	if (!err) {
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(nfd, &info, &ilen) || info.value_size != sizeof(ov) ||
		    !(info.map_flags & BPF_F_MMAPABLE))
			err = -EINVAL;
	}
	if (!err) {
		len = ((size_t)info.max_entries * sizeof(ov) + 4095) & ~(size_t)4095;
		nv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, nfd, 0);
		if (nv == MAP_FAILED)
			err = -errno;
	}
	/* what the old generation counted after the values were read */
	for (i = 0; !err; i++) {
		if (bpf_map_lookup_elem(ofd, &i, &ov))
			break;
		for (k = 0; ov.kind && k < nsnap && !same_obj(&snap[k], &ov); k++)
			;
		if (!ov.kind || k == nsnap ||
		    (ov.v0 == snap[k].v0 && ov.v1 == snap[k].v1))
			continue;
		for (uint32_t j = 0; j < info.max_entries; j++) {
			if (!same_obj(&nv[j], &ov))
				continue;
			if (ov.kind == BNFT_OBJ_COUNTER)
				__atomic_add_fetch(&nv[j].v0, ov.v0 - snap[k].v0, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&nv[j].v1, ov.v1 - snap[k].v1, __ATOMIC_SEQ_CST);
			break;
		}
	}
	if (nv != MAP_FAILED)
		munmap(nv, len);
	if (ofd >= 0)
		close(ofd);
	if (nfd >= 0)
		close(nfd);
	free(snap);
	snap = NULL;
	nsnap = 0;
	return err == -ENOENT ? 0 : err;
}

int bnft_live_reset_objects(const char *root, uint32_t family, const char *table, const char *name,
			    uint32_t type)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i;
	struct bnft_obj *v;
	size_t len;
	int fd, err, n = 0;
	void *mem;

	err = bnft_live_gen_map(root, BNFT_OBJ_MAP, &fd);
	if (err)
		return err == -ENOENT ? 0 : err;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || info.value_size != sizeof(*v) ||
	    !(info.map_flags & BPF_F_MMAPABLE)) {
		close(fd);
		return -EINVAL;
	}
	len = (size_t)info.max_entries * sizeof(*v);
	len = (len + 4095) & ~(size_t)4095;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED)
		return -errno;
	for (i = 0; i < info.max_entries; i++) {
		v = (struct bnft_obj *)mem + i;
		if ((type == NFT_OBJECT_COUNTER && v->kind != BNFT_OBJ_COUNTER) ||
		    (type == NFT_OBJECT_QUOTA && v->kind != BNFT_OBJ_QUOTA) ||
		    (family && v->family != family) || (table && strcmp(v->table, table)) ||
		    (name && strcmp(v->name, name)))
			continue;
		if (v->kind == BNFT_OBJ_COUNTER)
			__atomic_exchange_n(&v->v0, 0, __ATOMIC_SEQ_CST);
		__atomic_exchange_n(&v->v1, 0, __ATOMIC_SEQ_CST);
		n++;
	}
	munmap(mem, len);
	return n;
}
