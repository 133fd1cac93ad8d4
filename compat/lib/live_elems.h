/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Set elements added to or deleted from the live maps in place, without
 * compiling or loading programs (compat/lib/live_elems.c), and the journal
 * that keeps the saved state in step without printing the whole ruleset.
 *
 * Which sets: named plain sets (no map data, no intervals, no
 * concatenations, no timeouts, no per-element statements, not updated from
 * the datapath) whose hash map the
 * last full commit of this process created. Everything else takes the full
 * commit. One request updates one set and only adds or only deletes: each
 * map update is atomic, so during the update a packet sees the old set, the
 * new one, or the old one with some of the new elements (a subset of the
 * new set when adding, a superset when deleting); a request mixing adds and
 * deletes, or several sets, is committed as a whole new generation instead.
 */
#ifndef BNFT_COMPAT_LIVE_ELEMS_H
#define BNFT_COMPAT_LIVE_ELEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parser/ruleset.h"
#include "translator/codegen.h"

#define BNFT_ELEM_KEY_MAX 64

struct bnft_elem_op {
	bool add;
	uint32_t klen;
	uint8_t key[BNFT_ELEM_KEY_MAX];
};

/* After a full commit: remember the set maps of generation gen. */
void bnft_live_elems_note(const struct bnft_prog_set *ps, uint32_t gen);

/* After a restart: compile (no load) the live ruleset rs to find its set
 * maps, checked against the pins. 0 or a negative errno. */
int bnft_live_elems_renote(const struct bnft_ruleset *rs);

/* The live map of s when it can be updated in place: 0 with *ksize, else
 * -EOPNOTSUPP / -ENOENT. */
int bnft_live_elems_map(const struct bnft_ruleset *rs, const struct set *s, uint32_t *ksize);

/* Key bytes of element e of s as the map holds them. 0 or -EOPNOTSUPP. */
int bnft_live_elem_key(const struct set *s, const struct expr *e, struct bnft_elem_op *op,
		       uint32_t ksize);

/* Applies ops to the live map of s. 0, or a negative errno with the map as
 * it was (-ENOSPC: the map is full, commit the whole ruleset). */
int bnft_live_elems_apply(const struct bnft_ruleset *rs, const struct set *s,
			  const struct bnft_elem_op *ops, size_t n);

/* Journal of in-place changes since the last saved state: command lines.
 * *before: its length before (for bnft_live_journal_truncate()). */
int bnft_live_journal_append(const char *text, size_t len, off_t *before);
void bnft_live_journal_truncate(off_t len);
/* Its size in bytes (0 when there is none). */
off_t bnft_live_journal_size(void);
/* The saved state now includes everything: drop the journal. */
void bnft_live_journal_drop(void);
/* Applies the journal to rs (evaluated from the saved state), line by line,
 * skipping lines that fail. Returns the number of lines applied. */
int bnft_live_journal_replay(struct bnft_ruleset *rs);

#endif
