// SPDX-License-Identifier: GPL-2.0
/*
 * nf_tables sets -> BPF maps.
 *  exact sets and maps:   HASH, key = the set key bytes as the register holds
 *                         them (concatenations included, 4-byte padded)
 *  interval sets/maps:    LPM_TRIE; every interval is cut into prefixes, so
 *                         ranges that are not prefixes work too
 * Values: 1 byte for plain sets, the data for maps, struct bnft_vmap_val
 * for verdict maps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/dynset.h"
#include "translator/codegen_int.h"
#include "translator/oht.h"

#define CG_MAX_PREFIXES (4u << 20)
#define CG_NAMED_SET_SLACK 1024

typedef unsigned __int128 u128;

struct elem {
	uint8_t key[16];
	uint32_t flags;
	const uint8_t *val;
};

static uint32_t set_hash(uint32_t family, const char *table, const char *name)
{
	uint32_t h = 2166136261u ^ family;

	for (; *table; table++)
		h = (h ^ (uint8_t)*table) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

/* Every rule looks its sets up by name: a walk over all sets was
 * quadratic (8000 rules with three anonymous sets each: 2.9 s of strcmp). */
static int set_index_build(struct cg *cg)
{
	size_t cap = 16, i;

	while (cap < 2 * cg->nsets)
		cap *= 2;
	free(cg->setix);
	cg->setix = calloc(cap, sizeof(*cg->setix));
	if (!cg->setix)
		return -ENOMEM;
	cg->setix_cap = cap;
	for (i = 0; i < cg->nsets; i++) {
		const struct cg_set *s = &cg->sets[i];
		size_t k = set_hash(s->family, s->table, s->name) & (cap - 1);

		while (cg->setix[k])
			k = (k + 1) & (cap - 1);
		cg->setix[k] = (uint32_t)i + 1;
	}
	return 0;
}

struct cg_set *cg_find_set(struct cg *cg, uint32_t family, const char *table, const char *name)
{
	size_t k;

	if (!cg->setix_cap)
		return NULL;
	k = set_hash(family, table, name) & (cg->setix_cap - 1);
	for (; cg->setix[k]; k = (k + 1) & (cg->setix_cap - 1)) {
		struct cg_set *s = &cg->sets[cg->setix[k] - 1];

		if (s->family == family && !strcmp(s->name, name) && !strcmp(s->table, table))
			return s;
	}
	return NULL;
}

void cg_set_elems(const struct cg_set *s, struct bnft_elems_iter *it)
{
	bnft_elems_iter_init(it, s->s, s->elems);
}

static int set_verdicts(struct cg *cg, struct cg_set *s)
{
	struct bnft_elems_iter it;
	const struct bnft_elem *el;
	int err = 0;

	cg_set_elems(s, &it);
	while (!err && (el = bnft_elems_iter_next(&it))) {
		struct bnft_vmap_val v = { 0 };
		struct cg_chain *t = NULL;
		const char *ch = el->chain;
		size_t k;

		if (!el->has_verdict)
			continue;
		switch (el->verdict) {
		case NF_ACCEPT: v.code = BNFT_V_ACCEPT; break;
		case NF_DROP: v.code = BNFT_V_DROP; break;
		case NFT_CONTINUE: v.code = BNFT_V_CONTINUE; break;
		case NFT_RETURN: v.code = BNFT_V_RETURN; break;
		case NFT_JUMP: v.code = BNFT_V_JUMP; break;
		case NFT_GOTO: v.code = BNFT_V_GOTO; break;
		default:
			err = cg_fail(cg, -EOPNOTSUPP, "set %s: verdict %d is not supported",
				      s->name, el->verdict);
			continue;
		}
		if (v.code == BNFT_V_JUMP || v.code == BNFT_V_GOTO) {
			t = ch ? cg_find_chain(cg, s->family, s->table, ch) : NULL;
			if (!t) {
				err = cg_fail(cg, -EINVAL, "set %s: jump to missing chain %s",
					      s->name, ch ? ch : "?");
				continue;
			}
			v.chain = t->id;
		}
		for (k = 0; k < s->nverdicts; k++)
			if (!memcmp(&s->verdicts[k], &v, sizeof(v)))
				break;
		if (k == s->nverdicts) {
			void *p = realloc(s->verdicts, (s->nverdicts + 1) * sizeof(v));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			s->verdicts = p;
			s->verdicts[s->nverdicts++] = v;
		}
	}
	bnft_elems_iter_done(&it);
	return err ?: it.err;
}

/* Elements with an explicit end key: per-field ranges (pipapo). */
static bool set_has_key_end(const struct cg_set *s)
{
	struct bnft_elems_iter it;
	const struct bnft_elem *el;
	bool any = false;

	cg_set_elems(s, &it);
	while (!any && (el = bnft_elems_iter_next(&it)))
		any = el->key_end;
	bnft_elems_iter_done(&it);
	return any;
}

int cg_sets_init(struct cg *cg)
{
	struct nftnl_set_list_iter *it;
	struct nftnl_set *s;
	size_t i;
	int err = 0;

	it = nftnl_set_list_iter_create(cg->ir->sets);
	if (!it)
		return -ENOMEM;
	while ((s = nftnl_set_list_iter_next(it))) {
		struct cg_set *cs;

		if (cg->nsets == cg->setcap) {
			size_t nc = cg->setcap ? 2 * cg->setcap : 16;
			void *p = realloc(cg->sets, nc * sizeof(*cs));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			cg->sets = p;
			cg->setcap = nc;
		}
		cs = &cg->sets[cg->nsets++];
		memset(cs, 0, sizeof(*cs));
		cs->s = s;
		cs->elems = bnft_ir_elems(cg->ir, s);
		cs->table = nftnl_set_get_str(s, NFTNL_SET_TABLE);
		cs->name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		cs->family = nftnl_set_get_u32(s, NFTNL_SET_FAMILY);
		cs->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		cs->flags = nftnl_set_is_set(s, NFTNL_SET_FLAGS) ?
				    nftnl_set_get_u32(s, NFTNL_SET_FLAGS) : 0;
		if (nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE)) {
			cs->data_type = nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE);
			cs->data_len = nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN);
		}
		cs->map = -1;
		if (nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT)) {
			uint32_t fl = 0;
			const uint8_t *f = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &fl);

			for (cs->nfields = 0; f && cs->nfields < fl && cs->nfields < 16 &&
					      f[cs->nfields];
			     cs->nfields++)
				cs->field_len[cs->nfields] = f[cs->nfields];
		}
		if (!cs->table || !cs->name) {
			err = cg_fail(cg, -EINVAL, "set without table or name in the IR");
			break;
		}
	}
	nftnl_set_list_iter_destroy(it);
	if (!err)
		err = set_index_build(cg);
	for (i = 0; !err && i < cg->nsets; i++) {
		struct cg_set *cs = &cg->sets[i];

		if ((cs->flags & NFT_SET_MAP) && cs->data_type == NFT_DATA_VERDICT)
			err = set_verdicts(cg, cs);
		if (!err && (cs->flags & NFT_SET_INTERVAL) &&
		    (cs->nfields > 1 || set_has_key_end(cs))) {
			cs->scan = true;
			if (!cs->nfields) {
				cs->nfields = 1;
				cs->field_len[0] = (uint8_t)cs->key_len;
			}
		}
	}
	return err ?: cg_dynset_init(cg);
}

void cg_sets_free(struct cg *cg)
{
	size_t i;

	for (i = 0; i < cg->nsets; i++)
		free(cg->sets[i].verdicts);
	free(cg->sets);
	cg->sets = NULL;
	cg->nsets = 0;
	cg->setcap = 0;
	free(cg->setix);
	cg->setix = NULL;
	cg->setix_cap = 0;
}

static u128 key_to_u128(const uint8_t *k, uint32_t n)
{
	u128 v = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | k[i];
	return v;
}

static void u128_to_key(u128 v, uint8_t *k, uint32_t n)
{
	uint32_t i;

	for (i = n; i-- > 0;) {
		k[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int cmp_elem(const void *a, const void *b, void *arg)
{
	return memcmp(((const struct elem *)a)->key, ((const struct elem *)b)->key,
		      *(uint32_t *)arg);
}

struct map_build {
	struct bnft_map_spec *m;
	size_t cap;
};

static int map_push(struct map_build *b, const uint8_t *key, const uint8_t *val)
{
	struct bnft_map_spec *m = b->m;

	if (m->nelems == b->cap) {
		size_t nc = b->cap ? 2 * b->cap : 64;
		uint8_t *k = realloc(m->keys, nc * m->key_size);

		if (!k)
			return -ENOMEM;
		m->keys = k;
		k = realloc(m->values, nc * m->value_size);
		if (!k)
			return -ENOMEM;
		m->values = k;
		b->cap = nc;
	}
	memcpy(m->keys + (size_t)m->nelems * m->key_size, key, m->key_size);
	memcpy(m->values + (size_t)m->nelems * m->value_size, val, m->value_size);
	m->nelems++;
	return 0;
}

/* Value bytes of one element in the map's value layout. */
static int elem_value(struct cg *cg, struct cg_set *s, const struct bnft_elem *el, uint8_t *out,
		      uint32_t vsize)
{
	memset(out, 0, vsize);
	if (s->dset) {
		cg_dset_elem_hdr(s, el, out);
		out += s->dset_data_off;
		vsize -= s->dset_data_off;
		if (!(s->flags & NFT_SET_MAP))
			return 0;
	}
	if (!(s->flags & NFT_SET_MAP)) {
		out[0] = 1;
		return 0;
	}
	if (s->data_type == NFT_DATA_VERDICT) {
		struct bnft_vmap_val v = { 0 };
		struct cg_chain *t;
		int err = cg_nft_verdict(cg, el->has_verdict ? el->verdict : 0, el->chain, &v.code,
					 &t);

		if (err)
			return err;
		if (t)
			v.chain = t->id;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	if (!el->data || el->data_len != s->data_len)
		return cg_fail(cg, -EINVAL, "set %s: element data of %u bytes", s->name,
			       el->data_len);
	memcpy(out, el->data, el->data_len);
	return 0;
}

/* Cut [lo, hi] (width klen bytes) into prefixes and add them with val. */
static int add_range(struct map_build *b, u128 lo, u128 hi, uint32_t klen, const uint8_t *val)
{
	uint32_t bits = klen * 8;
	uint8_t key[4 + 16];

	for (;;) {
		uint32_t k = 0; /* the block is 2^k keys, lo aligned to it */
		u128 last;

		while (k < bits && !((lo >> k) & 1)) {
			if (k + 1 == 128) {
				if (lo == 0 && hi == ~(u128)0)
					k = 128;
				break;
			}
			if (lo + (((u128)1 << (k + 1)) - 1) > hi)
				break;
			k++;
		}
		if (b->m->nelems >= CG_MAX_PREFIXES)
			return -E2BIG;
		*(uint32_t *)key = bits - k;
		u128_to_key(lo, key + 4, klen);
		if (map_push(b, key, val))
			return -ENOMEM;
		if (k == bits)
			return 0;
		last = lo + (((u128)1 << k) - 1);
		if (last >= hi)
			return 0;
		lo = last + 1;
	}
}

static int build_interval(struct cg *cg, struct cg_set *s, struct map_build *b)
{
	struct bnft_elems_iter it;
	const struct bnft_elem *el;
	struct elem *ev = NULL;
	size_t n, i;
	uint8_t *val = NULL;
	u128 max = s->key_len == 16 ? ~(u128)0 : (((u128)1 << (s->key_len * 8)) - 1);
	int err = 0;

	n = bnft_elems_total(s->s, s->elems);
	ev = calloc(n ? n : 1, sizeof(*ev));
	val = calloc(n ? n : 1, b->m->value_size);
	cg_set_elems(s, &it);
	if (!ev || !val) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && (el = bnft_elems_iter_next(&it)); i++) {
		if (el->key_end) {
			err = cg_fail(cg, -EOPNOTSUPP,
				      "set %s: concatenated interval sets are not supported",
				      s->name);
			goto out;
		}
		if (!el->key || el->key_len != s->key_len) {
			err = cg_fail(cg, -EINVAL, "set %s: element key of %u bytes", s->name,
				      el->key_len);
			goto out;
		}
		memcpy(ev[i].key, el->key, el->key_len);
		ev[i].flags = el->flags;
		ev[i].val = val + i * b->m->value_size;
		err = (ev[i].flags & NFT_SET_ELEM_INTERVAL_END) ?
			      0 : elem_value(cg, s, el, (uint8_t *)ev[i].val, b->m->value_size);
		if (err)
			goto out;
	}
	if (i < n) {
		err = it.err ?: -EINVAL;
		goto out;
	}
	qsort_r(ev, n, sizeof(*ev), cmp_elem, &s->key_len);
	/* rbtree semantics: a key matches the greatest element <= key when
	 * that element is an interval start. */
	for (i = 0; i < n; i++) {
		u128 lo, hi;

		if (ev[i].flags & NFT_SET_ELEM_INTERVAL_END)
			continue;
		lo = key_to_u128(ev[i].key, s->key_len);
		if (i + 1 < n) {
			hi = key_to_u128(ev[i + 1].key, s->key_len);
			if (hi == lo)
				continue;
			hi--;
		} else {
			hi = max;
		}
		err = add_range(b, lo, hi, s->key_len, ev[i].val);
		if (err) {
			if (err == -E2BIG)
				err = cg_fail(cg, -E2BIG, "set %s: more than %u prefixes", s->name,
					      CG_MAX_PREFIXES);
			goto out;
		}
	}
out:
	bnft_elems_iter_done(&it);
	free(ev);
	free(val);
	return err;
}

static int build_exact(struct cg *cg, struct cg_set *s, struct map_build *b)
{
	struct bnft_elems_iter it;
	const struct bnft_elem *el;
	uint8_t val[256];
	int err = 0;

	cg_set_elems(s, &it);
	while (!err && (el = bnft_elems_iter_next(&it))) {
		if (!el->key || el->key_len != s->key_len) {
			err = cg_fail(cg, -EINVAL, "set %s: element key of %u bytes", s->name,
				      el->key_len);
			break;
		}
		err = elem_value(cg, s, el, val, b->m->value_size);
		if (!err)
			err = map_push(b, el->key, val);
	}
	bnft_elems_iter_done(&it);
	return err ?: it.err;
}

/* Sets from this many elements: BNFT_OHT_MIN, or the environment's
 * BNFT_OHT_MIN (tests: 1 makes every constant hash set one; 0 none). */
uint32_t cg_oht_min_opt(void)
{
	const char *v = getenv("BNFT_OHT_MIN");

	return v && *v && !strtoul(v, NULL, 0) ? UINT32_MAX : 1;
}

uint32_t cg_oht_min(void)
{
	const char *v = getenv("BNFT_OHT_MIN");

	if (v && *v)
		return strtoul(v, NULL, 0) ?: UINT32_MAX;
	return BNFT_OHT_MIN;
}

/* A large constant set as an open hash table (oht.h); stays a hash map
 * when no table keeps lookups short. */
static int to_oht(struct cg_set *s, struct bnft_map_spec *m)
{
	struct cg_oht o;
	int err = cg_oht_spec(m, (s->flags & NFT_SET_MAP) ? m->value_size : 0, &o);

	if (err)
		return err < 0 ? err : 0;
	s->oht = true;
	s->oht_seed = o.seed;
	s->oht_mask = o.mask;
	s->oht_probe = o.probe;
	s->oht_key_pad = o.key_pad;
	return 0;
}

/* Loads the key's chunk at off ([R_SCR + so + off], up to 4 bytes) into
 * dst, as bnft_oht_chunk() reads it; clobbers R2. */
static void oht_chunk(struct emitter *e, uint32_t klen, int so, uint32_t off, uint8_t dst)
{
	uint32_t n = klen - off < 4 ? klen - off : 4;

	switch (n) {
	case 4:
		emit(e, I_LDX(BPF_W, dst, R_SCR, so + (int)off));
		break;
	case 2:
		emit(e, I_LDX(BPF_H, dst, R_SCR, so + (int)off));
		break;
	case 1:
		emit(e, I_LDX(BPF_B, dst, R_SCR, so + (int)off));
		break;
	default: /* 3 */
		emit(e, I_LDX(BPF_H, dst, R_SCR, so + (int)off));
		emit(e, I_LDX(BPF_B, BPF_REG_2, R_SCR, so + (int)off + 2));
		emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_2, 16));
		emit(e, I_ALU32_REG(BPF_OR, dst, BPF_REG_2));
		break;
	}
}

/* R3 ^= R3 >> sh; R3 *= mul (mul 0: none) */
static void oht_mix(struct emitter *e, int sh, uint32_t mul)
{
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_3));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, sh));
	emit(e, I_ALU32_REG(BPF_XOR, BPF_REG_3, BPF_REG_1));
	if (mul)
		emit(e, I_ALU32_IMM(BPF_MUL, BPF_REG_3, (int32_t)mul));
}

void cg_oht_emit(struct cg *cg, const struct cg_oht *o, int so, int mi)
{
	struct emitter *e = cg->e;
	uint32_t hit = emit_label(e), miss = emit_label(e), done = emit_label(e), off, p;

	/* [SCR_TMP + 4] = bnft_oht_hash(key) & mask: the home slot */
	emit(e, I_MOV32_IMM(BPF_REG_3, (int32_t)o->seed));
	for (off = 0; off < o->klen; off += 4) {
		oht_chunk(e, o->klen, so, off, BPF_REG_1);
		emit(e, I_ALU32_REG(BPF_XOR, BPF_REG_3, BPF_REG_1));
		emit(e, I_ALU32_IMM(BPF_MUL, BPF_REG_3, (int32_t)BNFT_OHT_MUL));
	}
	oht_mix(e, 16, BNFT_OHT_FMIX1);
	oht_mix(e, 13, BNFT_OHT_FMIX2);
	oht_mix(e, 16, 0);
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_3, (int32_t)o->mask));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_3, SCR_TMP + 4));
	for (p = 0; p < o->probe; p++) {
		uint32_t next = emit_label(e);

		if (p) {
			emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_TMP + 4));
			emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, (int32_t)p));
			emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, (int32_t)o->mask));
			emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_TMP));
		} else {
			emit(e, I_STX(BPF_W, R_SCR, BPF_REG_3, SCR_TMP));
		}
		emit_ld_map(e, BPF_REG_1, mi);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
		emit_call_helper(e, BPF_FUNC_map_lookup_elem);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, miss);
		emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, 0));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, miss);
		emit_jmp_imm(e, BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, (int32_t)BNFT_OHT_TOMB, next);
		for (off = 0; off < o->klen; off += 4) {
			uint32_t n = o->klen - off < 4 ? o->klen - off : 4;
			/* the same loads on both sides: the slot holds the key
			 * bytes as they are in the register */
			uint8_t sz = n == 4 ? BPF_W : n == 1 ? BPF_B : BPF_H;

			emit(e, I_LDX(sz, BPF_REG_1, BPF_REG_0, 4 + (int)off));
			emit(e, I_LDX(sz, BPF_REG_2, R_SCR, so + (int)off));
			emit_jmp_reg(e, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_2, next);
			if (n == 3) {
				emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, 4 + (int)off + 2));
				emit(e, I_LDX(BPF_B, BPF_REG_2, R_SCR, so + (int)off + 2));
				emit_jmp_reg(e, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_2,
					     next);
			}
		}
		emit_ja(e, hit);
		emit_bind(e, next);
	}
	emit_bind(e, miss);
	emit(e, I_MOV64_IMM(BPF_REG_0, 0));
	emit_ja(e, done);
	emit_bind(e, hit);
	/* R0: the value (maps), the slot (sets: only found or not) */
	if (o->value)
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_0, 4 + (int32_t)o->key_pad));
	emit_bind(e, done);
}

void cg_oht_lookup(struct cg *cg, struct cg_set *s, int so, int mi)
{
	struct cg_oht o = {
		.seed = s->oht_seed,
		.mask = s->oht_mask,
		.probe = s->oht_probe,
		.klen = s->key_len,
		.key_pad = s->oht_key_pad,
		.value = s->flags & NFT_SET_MAP,
	};

	cg_oht_emit(cg, &o, so, mi);
}

int cg_oht_spec(struct bnft_map_spec *m, uint32_t vlen, struct cg_oht *o)
{
	struct bnft_oht t;
	int err;

	err = bnft_oht_build(m->keys, m->values, m->nelems, m->key_size, vlen, &t);
	if (err)
		return err == -E2BIG ? 1 : err;
	o->seed = t.seed;
	o->mask = t.nslots - 1;
	o->probe = t.max_probe;
	o->klen = m->key_size;
	o->key_pad = t.key_pad;
	o->value = vlen > 0;
	free(m->keys);
	free(m->values);
	m->keys = NULL;
	m->values = t.image;
	m->image = true;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->flags = BPF_F_MMAPABLE;
	m->oht_klen = o->klen;
	m->oht_seed = t.seed;
	m->oht_probe = t.max_probe;
	m->key_size = 4;
	m->value_size = t.slot_size;
	m->max_entries = t.nslots;
	m->nelems = 0;
	return 0;
}

int cg_set_map(struct cg *cg, struct cg_set *s)
{
	struct bnft_prog_set *ps = cg->ps;
	struct map_build b = { 0 };
	struct bnft_map_spec *m;
	int err;

	if (s->map >= 0)
		return s->map;
	if (s->flags & NFT_SET_OBJECT)
		return cg_fail(cg, -EOPNOTSUPP, "set %s: object maps are not supported", s->name);
	if (s->dset && s->scan)
		return cg_fail(cg, -EOPNOTSUPP,
			       "set %s: timeouts on concatenated interval sets are not supported",
			       s->name);
	if (s->key_len == 0 || s->key_len > SCR_KEY_MAX)
		return cg_fail(cg, -EINVAL, "set %s: key length %u", s->name, s->key_len);
	if ((s->flags & NFT_SET_INTERVAL) && s->key_len > 16)
		return cg_fail(cg, -EOPNOTSUPP,
			       "set %s: interval keys longer than 16 bytes are not supported",
			       s->name);
	if ((s->flags & NFT_SET_MAP) && s->data_type != NFT_DATA_VERDICT &&
	    (s->data_len == 0 || s->data_len > 64))
		return cg_fail(cg, -EINVAL, "set %s: data length %u", s->name, s->data_len);

	m = realloc(ps->maps, (ps->nmaps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	ps->maps = m;
	m = &ps->maps[ps->nmaps];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "bnft_s%zu", ps->nmaps);
	snprintf(m->set, sizeof(m->set), "%s", s->name);
	if (!(s->flags & NFT_SET_MAP))
		m->value_size = 1;
	else if (s->data_type == NFT_DATA_VERDICT)
		m->value_size = sizeof(struct bnft_vmap_val);
	else
		m->value_size = s->data_len;
	if (s->dset) {
		/* named for the reader (bpf/lib/dynset.h) */
		snprintf(m->name, sizeof(m->name), "bnft_d%08x",
			 bnft_dset_hash(s->family, s->table, s->name));
		m->value_size = s->dset_data_off + ((s->flags & NFT_SET_MAP) ? m->value_size : 0);
	}
	s->lpm = s->flags & NFT_SET_INTERVAL;
	if (s->lpm) {
		m->type = BPF_MAP_TYPE_LPM_TRIE;
		m->key_size = 4 + s->key_len;
		m->flags = BPF_F_NO_PREALLOC;
	} else {
		m->type = BPF_MAP_TYPE_HASH;
		m->key_size = s->key_len;
	}
	b.m = m;
	ps->nmaps++; /* owned by ps from here: freed with it on error */
	err = s->lpm ? build_interval(cg, s, &b) : build_exact(cg, s, &b);
	if (!err && !s->lpm && !s->dset && m->nelems && m->nelems >= cg_oht_min())
		err = to_oht(s, m);
	if (err)
		return err;
	if (s->oht) {
		s->map = (int)(ps->nmaps - 1);
		return s->map;
	}
	m->max_entries = m->nelems ? m->nelems : 1;
	if (!(s->flags & NFT_SET_ANONYMOUS))
		m->max_entries += CG_NAMED_SET_SLACK;
	if (s->dset_dyn && !s->lpm) {
		/* the set's size bounds what the datapath adds */
		uint32_t sz = nftnl_set_is_set(s->s, NFTNL_SET_DESC_SIZE) ?
				      nftnl_set_get_u32(s->s, NFTNL_SET_DESC_SIZE) : 0;

		m->max_entries = sz ? sz : BNFT_DSET_DEFAULT_SIZE;
		if (m->max_entries < m->nelems)
			m->max_entries = m->nelems;
	}
	s->map = (int)(ps->nmaps - 1);
	return s->map;
}

/* Compares [R9 + off, len) with constant d; jumps like emit_bcmp. */
static void scan_bcmp(struct cg *cg, int off, const uint8_t *d, unsigned int len, uint32_t lt,
		      uint32_t eq, uint32_t gt)
{
	struct emitter *e = cg->e;
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		uint64_t v = 0;
		unsigned int k;

		sz = 1;
		while (sz < 8 && 2 * sz <= len - i && (off + (int)i) % (int)(2 * sz) == 0)
			sz *= 2;
		for (k = 0; k < sz; k++)
			v = v << 8 | d[i + k];
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_0, R_SCR, (int16_t)(off + (int)i)));
		if (sz > 1)
			emit(e, I_BE(BPF_REG_0, (int32_t)sz * 8));
		if (sz == 8) {
			emit_ld_imm64(e, BPF_REG_1, v);
			emit_jmp_reg(e, BPF_JMP | BPF_JLT, BPF_REG_0, BPF_REG_1, lt);
			emit_jmp_reg(e, BPF_JMP | BPF_JGT, BPF_REG_0, BPF_REG_1, gt);
		} else if (sz == 4) {
			emit_jmp_imm(e, BPF_JMP32 | BPF_JLT | BPF_K, BPF_REG_0, (int32_t)v, lt);
			emit_jmp_imm(e, BPF_JMP32 | BPF_JGT | BPF_K, BPF_REG_0, (int32_t)v, gt);
		} else {
			emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_0, (int32_t)v, lt);
			emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_0, (int32_t)v, gt);
		}
	}
	emit_ja(e, eq);
}

#define CG_SCAN_MAX_ELEMS 512

/*
 * A concatenated interval set (pipapo in the kernel: per field ranges)
 * becomes an inline scan: for every element, every field is compared with
 * its [start, end] constants. nft refuses overlapping elements, so the
 * order of the scan does not matter. Elements are compile-time constants:
 * later element updates of a named set need a reload.
 */
int cg_set_scan(struct cg *cg, struct cg_set *s, int so, bool has_dreg, uint32_t dreg, bool inv)
{
	struct emitter *e = cg->e;
	struct bnft_elems_iter it;
	const struct bnft_elem *el;
	uint32_t found = emit_label(e), n = 0, f;
	int err = 0;

	if (has_dreg && dreg != NFT_REG_VERDICT && s->data_type == NFT_DATA_VERDICT)
		return cg_fail(cg, -EINVAL, "data lookup in a verdict map");
	cg_set_elems(s, &it);
	while (!err && (el = bnft_elems_iter_next(&it))) {
		uint32_t kl = el->key_len, el_len = kl, next = emit_label(e), foff = 0;
		const uint8_t *k = el->key;
		const uint8_t *ke = k;

		if (++n > CG_SCAN_MAX_ELEMS) {
			err = cg_fail(cg, -EOPNOTSUPP,
				      "set %s: more than %d concatenated interval elements",
				      s->name, CG_SCAN_MAX_ELEMS);
			break;
		}
		if (el->key_end) {
			ke = el->key_end;
			el_len = el->key_end_len;
		}
		if (!k || kl != s->key_len || el_len != kl) {
			err = cg_fail(cg, -EINVAL, "set %s: element key of %u bytes", s->name, kl);
			break;
		}
		for (f = 0; f < s->nfields; f++) {
			uint32_t c1 = emit_label(e), c2 = emit_label(e);

			scan_bcmp(cg, so + (int)foff, k + foff, s->field_len[f], next, c1, c1);
			emit_bind(e, c1);
			scan_bcmp(cg, so + (int)foff, ke + foff, s->field_len[f], c2, c2, next);
			emit_bind(e, c2);
			foff += (s->field_len[f] + 3) & ~3u;
		}
		if (!has_dreg) {
			emit_ja(e, inv ? cg->lbl_rule_fail : found);
		} else if (dreg == NFT_REG_VERDICT) {
			uint32_t code;
			struct cg_chain *t;

			err = cg_nft_verdict(cg, el->has_verdict ? el->verdict : 0, el->chain, &code,
					     &t);
			err = err ?: cg_verdict(cg, code, t);
			emit_ja(e, cg->lbl_rule_end);
		} else {
			uint32_t dl = el->data_len, i;
			const uint8_t *d = el->data;
			int dof = cg_reg_off(cg, dreg, s->data_len);

			if (dof < 0 || !d || dl != s->data_len) {
				err = dof < 0 ? dof : cg_fail(cg, -EINVAL, "set %s: element data",
							      s->name);
				break;
			}
			if (dl % 4)
				emit(e, I_ST(BPF_W, R_SCR, (int16_t)(dof + (int)(dl / 4) * 4), 0));
			for (i = 0; i < dl; i++)
				emit(e, I_ST(BPF_B, R_SCR, (int16_t)(dof + (int)i), d[i]));
			emit_ja(e, found);
		}
		emit_bind(e, next);
	}
	bnft_elems_iter_done(&it);
	err = err ?: it.err;
	if (err)
		return err;
	if (!(inv && !has_dreg))
		emit_ja(e, cg->lbl_rule_fail);
	emit_bind(e, found);
	return e->err;
}
