// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "translator/codegen_emit.h"

#define EMIT_MAX_INSNS (1u << 20)

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

void emit_init(struct emitter *e)
{
	memset(e, 0, sizeof(*e));
	e->last_bind = -1;
}

void emit_release(struct emitter *e)
{
	free(e->insns);
	free(e->labels);
	free(e->label_refs);
	free(e->fix);
	free(e->maps);
	memset(e, 0, sizeof(*e));
}

static bool emit_room(struct emitter *e, size_t k)
{
	if (e->err)
		return false;
	if (e->n + k > EMIT_MAX_INSNS) {
		e->err = -E2BIG;
		return false;
	}
	if (grow((void **)&e->insns, &e->cap, e->n + k, sizeof(*e->insns))) {
		e->err = -ENOMEM;
		return false;
	}
	return true;
}

void emit(struct emitter *e, struct bpf_insn insn)
{
	if (e->dead || !emit_room(e, 1))
		return;
	e->insns[e->n++] = insn;
}

uint32_t emit_label(struct emitter *e)
{
	size_t cap = e->labels_cap;

	if (e->err)
		return 0;
	if (grow((void **)&e->labels, &e->labels_cap, e->nlabels + 1, sizeof(*e->labels)) ||
	    grow((void **)&e->label_refs, &cap, e->nlabels + 1, sizeof(*e->label_refs))) {
		e->err = -ENOMEM;
		return 0;
	}
	e->labels[e->nlabels] = -1;
	e->label_refs[e->nlabels] = 0;
	return (uint32_t)e->nlabels++;
}

static void add_fixup(struct emitter *e, uint32_t label, enum emit_fixup_kind kind)
{
	if (e->err)
		return;
	if (label >= e->nlabels) {
		e->err = -EINVAL;
		return;
	}
	if (grow((void **)&e->fix, &e->fix_cap, e->nfix + 1, sizeof(*e->fix))) {
		e->err = -ENOMEM;
		return;
	}
	e->fix[e->nfix++] = (struct emit_fixup){ .insn = e->n - 1, .label = label, .kind = kind };
	e->label_refs[label]++;
}

void emit_bind(struct emitter *e, uint32_t label)
{
	if (e->err)
		return;
	if (label >= e->nlabels || e->labels[label] >= 0) {
		e->err = -EINVAL;
		return;
	}
	/* Drop "ja label" immediately before the label, unless another label
	 * is already bound after that ja (it would then point past the code
	 * it names). */
	while (!e->dead && e->nfix && e->n && e->last_bind != (int64_t)e->n &&
	       e->fix[e->nfix - 1].insn == e->n - 1 &&
	       e->fix[e->nfix - 1].label == label && e->fix[e->nfix - 1].kind == FIX_JMP &&
	       e->insns[e->n - 1].code == (BPF_JMP | BPF_JA)) {
		e->nfix--;
		e->n--;
		e->label_refs[label]--;
	}
	e->labels[label] = (int32_t)e->n;
	e->last_bind = (int64_t)e->n;
	if (e->label_refs[label])
		e->dead = false;
}

void emit_jmp_imm(struct emitter *e, uint8_t code, uint8_t reg, int32_t imm, uint32_t label)
{
	if (e->dead)
		return;
	emit(e, insn_make(code, reg, 0, 0, imm));
	add_fixup(e, label, FIX_JMP);
}

void emit_jmp_reg(struct emitter *e, uint8_t code, uint8_t dst, uint8_t src, uint32_t label)
{
	if (e->dead)
		return;
	emit(e, insn_make(code | BPF_X, dst, src, 0, 0));
	add_fixup(e, label, FIX_JMP);
}

void emit_ja(struct emitter *e, uint32_t label)
{
	if (e->dead)
		return;
	emit(e, insn_make(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	add_fixup(e, label, FIX_JMP);
	e->dead = true;
}

void emit_call_label(struct emitter *e, uint32_t label)
{
	if (e->dead)
		return;
	emit(e, insn_make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	add_fixup(e, label, FIX_CALL);
}

void emit_call_helper(struct emitter *e, int32_t helper)
{
	emit(e, insn_make(BPF_JMP | BPF_CALL, 0, 0, 0, helper));
}

void emit_exit(struct emitter *e)
{
	if (e->dead)
		return;
	emit(e, insn_make(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	e->dead = true;
}

void emit_ld_imm64(struct emitter *e, uint8_t reg, uint64_t v)
{
	if (e->dead || !emit_room(e, 2))
		return;
	e->insns[e->n++] = insn_make(BPF_LD | BPF_DW | BPF_IMM, reg, 0, 0, (int32_t)(uint32_t)v);
	e->insns[e->n++] = insn_make(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

void emit_ld_map(struct emitter *e, uint8_t reg, int32_t ref)
{
	if (e->dead || !emit_room(e, 2))
		return;
	if (grow((void **)&e->maps, &e->maps_cap, e->nmaps + 1, sizeof(*e->maps))) {
		e->err = -ENOMEM;
		return;
	}
	e->maps[e->nmaps++] = (struct emit_mapref){ .insn = e->n, .ref = ref };
	e->insns[e->n++] = insn_make(BPF_LD | BPF_DW | BPF_IMM, reg, BPF_PSEUDO_MAP_FD, 0, 0);
	e->insns[e->n++] = insn_make(0, 0, 0, 0, 0);
}

int emit_finish(struct emitter *e)
{
	size_t i;

	if (e->err)
		return e->err;
	for (i = 0; i < e->nfix; i++) {
		const struct emit_fixup *f = &e->fix[i];
		int64_t d;

		if (e->labels[f->label] < 0 || (size_t)e->labels[f->label] >= e->n)
			return -EINVAL;
		d = (int64_t)e->labels[f->label] - ((int64_t)f->insn + 1);
		if (f->kind == FIX_JMP) {
			if (d < INT16_MIN || d > INT16_MAX)
				return -E2BIG;
			e->insns[f->insn].off = (int16_t)d;
		} else {
			e->insns[f->insn].imm = (int32_t)d;
		}
	}
	return 0;
}
