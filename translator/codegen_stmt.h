/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statements with state or side effects (log, quota, named objects,
 * payload/meta mangling): translator/codegen_log.c, codegen_obj.c,
 * codegen_mangle.c. Internal to the code generator.
 */
#ifndef BNFT_TRANSLATOR_CODEGEN_STMT_H
#define BNFT_TRANSLATOR_CODEGEN_STMT_H

#include "translator/codegen_int.h"

/* Per compile: indexes of the generation maps these statements use (-1
 * until the first use) and the slots handed out. */
struct cg_stmts {
	int log_ring, log_meta;	/* ps->maps indexes */
	int objs;		/* ps->maps index of bnft_obj */
	/* named objects: index in bnft_obj, or limit slot; per IR object */
	struct cg_obj {
		uint32_t family, type;
		const char *table, *name;
		int32_t slot;	/* bnft_obj index / bnft_limits slot, -1 not yet */
	} *obj;
	size_t nobj;
	uint32_t lim_key;	/* next pseudo rule id of a named limit's slot */
};

/* Allocates cg->stmts on first use; 0 or -ENOMEM. */
int cg_stmts_get(struct cg *cg, struct cg_stmts **out);
void cg_stmts_free(struct cg *cg);

/* Slots for the named counters/quotas no rule references (codegen_obj.c). */
int cg_objs_unreferenced(struct cg *cg);


/* R1 = the packet length as the hook's skb->len (clobbers R2). */
void cg_emit_skb_len(struct cg *cg, uint8_t reg);

int cg_log(struct cg *cg, struct nftnl_expr *ex);
int cg_quota(struct cg *cg, struct nftnl_expr *ex);
int cg_objref(struct cg *cg, struct nftnl_expr *ex);
int cg_payload_set(struct cg *cg, struct nftnl_expr *ex);
int cg_meta_set(struct cg *cg, struct nftnl_expr *ex);

#endif
