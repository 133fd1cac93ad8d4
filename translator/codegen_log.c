// SPDX-License-Identifier: GPL-2.0
/*
 * `log` statements: one record (struct bnft_log_ev, bpf/lib/log.h) per
 * logged packet into the generation's ring buffer; the statement's constant
 * part (prefix, level, flags, hook) goes into the generation's log table.
 * daemon/lib/logd.c reads both and writes the kernel's nf_log_syslog line.
 *
 * Refused, with the rule named: `log group N` (nfnetlink_log groups are
 * fed by the kernel only; user space cannot multicast into them) and
 * `log level audit` (the kernel writes an audit record, not a log line).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_log.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/log.h"
#include "translator/codegen_stmt.h"

#define NFT_LOGLEVEL_AUDIT_ 8
#define EV_OFF(f) ((int16_t)offsetof(struct bnft_log_ev, f))

int cg_stmts_get(struct cg *cg, struct cg_stmts **out)
{
	if (!cg->stmts) {
		cg->stmts = calloc(1, sizeof(*cg->stmts));
		if (!cg->stmts)
			return -ENOMEM;
		cg->stmts->log_ring = cg->stmts->log_meta = cg->stmts->objs = -1;
	}
	*out = cg->stmts;
	return 0;
}

void cg_stmts_free(struct cg *cg)
{
	if (!cg->stmts)
		return;
	free(cg->stmts->obj);
	free(cg->stmts);
	cg->stmts = NULL;
}

int cg_map_add(struct cg *cg, const char *name, uint32_t type, uint32_t key_size,
	       uint32_t value_size, uint32_t max_entries)
{
	struct bnft_prog_set *ps = cg->ps;
	struct bnft_map_spec *m;

	m = realloc(ps->maps, (ps->nmaps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	ps->maps = m;
	m = &ps->maps[ps->nmaps];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->set, sizeof(m->set), "%s", name);
	m->type = type;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	return (int)ps->nmaps++;
}

int cg_map_append(struct cg *cg, int mi, const void *value)
{
	struct bnft_map_spec *m = &cg->ps->maps[mi];
	uint8_t *k, *v;
	uint32_t idx = m->nelems;

	k = realloc(m->keys, (size_t)(idx + 1) * m->key_size);
	if (!k)
		return -ENOMEM;
	m->keys = k;
	v = realloc(m->values, (size_t)(idx + 1) * m->value_size);
	if (!v)
		return -ENOMEM;
	m->values = v;
	memcpy(k + (size_t)idx * m->key_size, &idx, sizeof(idx));
	memcpy(v + (size_t)idx * m->value_size, value, m->value_size);
	m->nelems++;
	if (m->max_entries < m->nelems)
		m->max_entries = m->nelems;
	return (int)idx;
}

void cg_emit_skb_len(struct cg *cg, uint8_t reg)
{
	struct emitter *e = cg->e;

	emit(e, I_LDX(BPF_W, reg, R_CTX, SKB_OFF(len)));
	/* nf_hook_egress runs with the MAC header in place */
	if (cg->egress && cg->cur_chain->family == NFPROTO_NETDEV)
		return;
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
	emit(e, I_ALU32_REG(BPF_SUB, reg, BPF_REG_2));
}

/* nf_log's view of a base chain's hook. */
static uint32_t chain_stage(const struct cg_chain *b)
{
	if (b->family == NFPROTO_NETDEV)
		return b->hooknum == NF_NETDEV_EGRESS ? BNFT_LOGST_NETDEV_OUT : BNFT_LOGST_IN;
	switch (b->hooknum) {
	case NF_INET_FORWARD:
		return BNFT_LOGST_FWD;
	case NF_INET_LOCAL_OUT:
	case NF_INET_POST_ROUTING:
		return BNFT_LOGST_OUT;
	default:
		return BNFT_LOGST_IN;
	}
}

/* Whether chain `to` is reachable from chain `from` by jumps/gotos
 * (immediates and verdict maps); seen[] guards against revisits. */
static bool reaches(struct cg *cg, const struct cg_chain *from, const struct cg_chain *to,
		    bool *seen)
{
	struct cg_chain *c = (struct cg_chain *)from;
	size_t i;

	if (from == to)
		return true;
	if (seen[from->id])
		return false;
	seen[from->id] = true;
	/* every chain a base chain reaches has its targets (mark_depth()) */
	if (cg_chain_targets(cg, c))
		return false;
	for (i = 0; i < c->ntargets; i++)
		if (reaches(cg, c->targets[i], to, seen))
			return true;
	return false;
}

/*
 * nf_log's view of the hook the statement runs in: from the base chain
 * being emitted, or, in a chain shared by several (a subprogram), from the
 * base chains that reach it: one stage if they agree; input and forward
 * only: told apart at run time by the route class; else the attach point
 * (ingress: IN=, egress: OUT=).
 */
static uint32_t log_stage(struct cg *cg)
{
	uint32_t mask = 0;
	bool *seen;
	size_t i;

	if (!cg->in_sub && cg->base_chain)
		return chain_stage(cg->base_chain);
	seen = calloc(cg->nchains ? cg->nchains : 1, sizeof(*seen));
	if (!seen)
		return BNFT_LOGST_RUNTIME;
	for (i = 0; i < cg->nchains; i++) {
		const struct cg_chain *b = &cg->chains[i];

		if (!b->base)
			continue;
		memset(seen, 0, cg->nchains * sizeof(*seen));
		if (!reaches(cg, b, cg->cur_chain, seen))
			continue;
		/* input apart from prerouting/ingress (same format, but the
		 * route class only tells input from forward) */
		if (chain_stage(b) == BNFT_LOGST_IN && b->family != NFPROTO_NETDEV &&
		    b->hooknum == NF_INET_LOCAL_IN)
			mask |= 1u << 8;
		else
			mask |= 1u << chain_stage(b);
	}
	free(seen);
	if (mask == 1u << BNFT_LOGST_FWD)
		return BNFT_LOGST_FWD;
	if (mask == 1u << BNFT_LOGST_OUT)
		return BNFT_LOGST_OUT;
	if (mask == 1u << BNFT_LOGST_NETDEV_OUT)
		return BNFT_LOGST_NETDEV_OUT;
	if (mask == 1u << BNFT_LOGST_IN || mask == 1u << 8)
		return BNFT_LOGST_IN;
	if (!(mask & ~((1u << 8) | (1u << BNFT_LOGST_FWD) | (1u << BNFT_LOGST_OUT))))
		return BNFT_LOGST_ROUTE;
	return BNFT_LOGST_RUNTIME;
}

static int log_maps(struct cg *cg, struct cg_stmts *st)
{
	int mi;

	if (st->log_ring >= 0)
		return 0;
	mi = cg_map_add(cg, BNFT_LOG_MAP_RING, BPF_MAP_TYPE_RINGBUF, 0, 0,
			BNFT_LOG_EV_RING_SIZE);
	if (mi < 0)
		return mi;
	st->log_ring = mi;
	mi = cg_map_add(cg, BNFT_LOG_MAP_META, BPF_MAP_TYPE_ARRAY, 4,
			sizeof(struct bnft_log_meta), 1);
	if (mi < 0)
		return mi;
	st->log_meta = mi;
	return 0;
}

int cg_log(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	struct bnft_log_meta m;
	struct cg_stmts *st;
	uint32_t skip, full, nocap, submit;
	int err, id;

	if (nftnl_expr_is_set(ex, NFTNL_EXPR_LOG_GROUP))
		return cg_fail(cg, -EOPNOTSUPP,
			       "log group %u is not supported: nfnetlink_log groups are fed by "
			       "the kernel only (use log without group)",
			       nftnl_expr_get_u16(ex, NFTNL_EXPR_LOG_GROUP));
	memset(&m, 0, sizeof(m));
	m.level = nftnl_expr_is_set(ex, NFTNL_EXPR_LOG_LEVEL) ?
			  nftnl_expr_get_u32(ex, NFTNL_EXPR_LOG_LEVEL) : 4; /* warn */
	if (m.level == NFT_LOGLEVEL_AUDIT_)
		return cg_fail(cg, -EOPNOTSUPP, "log level audit is not supported");
	if (m.level > 7)
		return cg_fail(cg, -EINVAL, "log level %u out of range", m.level);
	m.flags = nftnl_expr_is_set(ex, NFTNL_EXPR_LOG_FLAGS) ?
			  nftnl_expr_get_u32(ex, NFTNL_EXPR_LOG_FLAGS) & NF_LOG_MASK : 0;
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_LOG_PREFIX))
		snprintf(m.prefix, sizeof(m.prefix), "%s",
			 nftnl_expr_get_str(ex, NFTNL_EXPR_LOG_PREFIX));
	m.stage = log_stage(cg);
	m.family = cg->cur_chain->family;
	m.handle = cg->cur_rule ? nftnl_rule_get_u64(cg->cur_rule, NFTNL_RULE_HANDLE) : 0;

	err = cg_stmts_get(cg, &st);
	err = err ?: log_maps(cg, st);
	if (err)
		return err;
	id = cg_map_append(cg, st->log_meta, &m);
	if (id < 0)
		return id;

	skip = emit_label(e);
	full = emit_label(e);
	nocap = emit_label(e);
	submit = emit_label(e);
	emit_ld_map(e, BPF_REG_1, st->log_ring);
	emit(e, I_MOV64_IMM(BPF_REG_2, sizeof(struct bnft_log_ev)));
	emit(e, I_MOV64_IMM(BPF_REG_3, 0));
	emit_call_helper(e, BPF_FUNC_ringbuf_reserve);
	/* ring full: the record is lost, the rule goes on (printk would
	 * not lose it; the kernel's own limit is the user's `limit`) */
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, skip);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(magic), BNFT_LOG_MAGIC));
	emit(e, I_ST(BPF_H, R_SAVE1, EV_OFF(version), BNFT_LOG_EV_VERSION));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(stmt), id));
#define COPY_SKB(f, dst)                                                                   \
	do {                                                                               \
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(f)));                       \
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(dst)));                    \
	} while (0)
#define COPY_CB(i, dst)                                                                    \
	do {                                                                               \
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(i)));                        \
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(dst)));                    \
	} while (0)
	COPY_SKB(ifindex, ifindex);
	COPY_SKB(ingress_ifindex, iif);
	COPY_SKB(len, len);
	COPY_SKB(mark, mark);
	COPY_SKB(protocol, protocol);
	COPY_CB(BNFT_CB_OIF, oif);
	COPY_CB(BNFT_CB_OFFS, offs);
	COPY_CB(BNFT_CB_INFO, info);
#undef COPY_SKB
#undef COPY_CB
	if ((m.flags & NF_LOG_UID) && cg->egress) {
		emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
		emit_call_helper(e, BPF_FUNC_get_socket_uid);
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_0, EV_OFF(uid)));
	} else {
		emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(uid), -1));
	}
	/* the first BNFT_LOG_CAP bytes from the MAC header */
	emit(e, I_LDX(BPF_W, BPF_REG_4, R_CTX, SKB_OFF(len)));
	emit_jmp_imm(e, BPF_JMP | BPF_JGE | BPF_K, BPF_REG_4, BNFT_LOG_CAP, full);
	emit(e, I_ALU64_IMM(BPF_AND, BPF_REG_4, BNFT_LOG_CAP - 1));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_4, 0, nocap);
	{
		uint32_t load = emit_label(e);

		emit_ja(e, load);
		emit_bind(e, full);
		emit(e, I_MOV64_IMM(BPF_REG_4, BNFT_LOG_CAP));
		emit_bind(e, load);
	}
	emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_4));
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_IMM(BPF_REG_2, 0));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SAVE1));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, EV_OFF(pkt)));
	emit_call_helper(e, BPF_FUNC_skb_load_bytes);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, nocap);
	emit(e, I_STX(BPF_H, R_SAVE1, R_SAVE2, EV_OFF(caplen)));
	emit_ja(e, submit);
	emit_bind(e, nocap);
	emit(e, I_ST(BPF_H, R_SAVE1, EV_OFF(caplen), 0));
	emit_bind(e, submit);
	emit(e, I_MOV64_REG(BPF_REG_1, R_SAVE1));
	emit(e, I_MOV64_IMM(BPF_REG_2, 0));
	emit_call_helper(e, BPF_FUNC_ringbuf_submit);
	{
		uint32_t end = emit_label(e);

		emit_ja(e, end);
		/* ring full: count it in the statement's table entry */
		emit_bind(e, skip);
		emit(e, I_ST(BPF_W, R_SCR, SCR_TMP, id));
		emit_ld_map(e, BPF_REG_1, st->log_meta);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
		emit_call_helper(e, BPF_FUNC_map_lookup_elem);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, end);
		emit(e, I_MOV64_IMM(BPF_REG_1, 1));
		emit(e, insn_make(BPF_STX | BPF_DW | BPF_ATOMIC, BPF_REG_0, BPF_REG_1,
				  (int16_t)offsetof(struct bnft_log_meta, lost), BPF_ADD));
		emit_bind(e, end);
	}
	return e->err;
}
