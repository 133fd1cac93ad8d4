/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small eBPF instruction emitter for the code generator.
 *
 * Control flow is expressed with labels: a jump names a label, the label is
 * bound to an instruction index later, and every reference is a typed fixup
 * (conditional/unconditional jump offset, or bpf-to-bpf call immediate)
 * resolved in emit_finish(), which checks that offsets fit in 16 bits.
 * All jumps go forward: the verifier rejects back-edges anyway.
 *
 * Errors are sticky: after the first failure (ENOMEM, E2BIG) further emits
 * do nothing and emit_finish() returns the error, so callers may emit a
 * sequence and check once.
 *
 * Dead code: after an unconditional jump or exit, instructions are dropped
 * until a label that something jumps to is bound (the verifier rejects
 * unreachable instructions, and nft rulesets do have rules after an
 * unconditional verdict).
 */
#ifndef BNFT_TRANSLATOR_CODEGEN_EMIT_H
#define BNFT_TRANSLATOR_CODEGEN_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

enum emit_fixup_kind {
	FIX_JMP,	/* insn.off = label - (idx + 1) */
	FIX_CALL,	/* insn.imm = label - (idx + 1), BPF_PSEUDO_CALL */
};

struct emit_fixup {
	uint32_t insn;
	uint32_t label;
	enum emit_fixup_kind kind;
};

/* A map reference: the LD_IMM64 at insn gets the fd of map `ref` at load. */
struct emit_mapref {
	uint32_t insn;
	int32_t ref;
};

struct emitter {
	struct bpf_insn *insns;
	size_t n, cap;
	int32_t *labels; /* label -> insn index, -1 unbound */
	uint32_t *label_refs;
	size_t nlabels, labels_cap;
	struct emit_fixup *fix;
	size_t nfix, fix_cap;
	struct emit_mapref *maps;
	size_t nmaps, maps_cap;
	int64_t last_bind;	/* insn index of the latest emit_bind() */
	bool dead;
	int err;
};

void emit_init(struct emitter *e);
void emit_release(struct emitter *e);
/* Appends one instruction (dropped while the code is dead). */
void emit(struct emitter *e, struct bpf_insn insn);
/* Allocates a new unbound label; returns its id (0 on sticky error). */
uint32_t emit_label(struct emitter *e);
/* Binds a label to the next instruction; a pending "ja label" right before
 * it is removed. */
void emit_bind(struct emitter *e, uint32_t label);
/* Conditional jump of `code` (BPF_JMP|BPF_JEQ|BPF_K, ...) to a label. */
void emit_jmp_imm(struct emitter *e, uint8_t code, uint8_t reg, int32_t imm, uint32_t label);
void emit_jmp_reg(struct emitter *e, uint8_t code, uint8_t dst, uint8_t src, uint32_t label);
void emit_ja(struct emitter *e, uint32_t label);
void emit_call_label(struct emitter *e, uint32_t label);
void emit_call_helper(struct emitter *e, int32_t helper);
void emit_exit(struct emitter *e);
/* LD_IMM64 of a 64-bit constant (two instruction slots). */
void emit_ld_imm64(struct emitter *e, uint8_t reg, uint64_t v);
/* LD_IMM64 of map reference `ref` (BPF_PSEUDO_MAP_FD, fd patched at load). */
void emit_ld_map(struct emitter *e, uint8_t reg, int32_t ref);
/* Resolves fixups. Returns 0, the sticky error, -EINVAL for an unbound
 * label or -E2BIG for a jump that does not fit in 16 bits. */
int emit_finish(struct emitter *e);

/* Instruction constructors (uapi encodings). */
static inline struct bpf_insn insn_make(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
					int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	return i;
}
#define I_ALU64_IMM(op, dst, imm) insn_make(BPF_ALU64 | BPF_OP(op) | BPF_K, dst, 0, 0, imm)
#define I_ALU64_REG(op, dst, src) insn_make(BPF_ALU64 | BPF_OP(op) | BPF_X, dst, src, 0, 0)
#define I_ALU32_IMM(op, dst, imm) insn_make(BPF_ALU | BPF_OP(op) | BPF_K, dst, 0, 0, imm)
#define I_ALU32_REG(op, dst, src) insn_make(BPF_ALU | BPF_OP(op) | BPF_X, dst, src, 0, 0)
#define I_MOV64_REG(dst, src) I_ALU64_REG(BPF_MOV, dst, src)
#define I_MOV64_IMM(dst, imm) I_ALU64_IMM(BPF_MOV, dst, imm)
#define I_MOV32_IMM(dst, imm) I_ALU32_IMM(BPF_MOV, dst, imm)
#define I_LDX(sz, dst, src, off) insn_make(BPF_LDX | BPF_SIZE(sz) | BPF_MEM, dst, src, off, 0)
#define I_STX(sz, dst, src, off) insn_make(BPF_STX | BPF_SIZE(sz) | BPF_MEM, dst, src, off, 0)
#define I_ST(sz, dst, off, imm) insn_make(BPF_ST | BPF_SIZE(sz) | BPF_MEM, dst, 0, off, imm)
/* Byte swap to big endian (a swap on little-endian hosts), width 16/32/64. */
#define I_BE(dst, bits) insn_make(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits)

/* Size code for a width in bytes (1, 2, 4, 8). */
static inline uint8_t bpf_size_of(unsigned int bytes)
{
	return bytes == 8 ? BPF_DW : bytes == 4 ? BPF_W : bytes == 2 ? BPF_H : BPF_B;
}

#endif
