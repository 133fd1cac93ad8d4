/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live path of `bnft -f` / `bnft add ...`: hand an evaluated ruleset to
 * the datapath (daemon, lowering, codegen). Implemented in compat/lib/live.c
 * (the daemon engineer); bnftd and the CLI without a daemon use it.
 */
#ifndef BNFT_COMPAT_LIVE_H
#define BNFT_COMPAT_LIVE_H

#include "parser/ast.h"
#include "parser/ruleset.h"

/* Make rs the live ruleset. 0, or -1 with error records appended to msgs. */
int bnft_apply_live(const struct bnft_ruleset *rs, struct list_head *msgs);

/* Join PID 1's mount namespace so pins outlive `ip netns exec` (see
 * live.c). 0 or a negative errno; a no-op when already there or when
 * BNFT_NO_MNTNS_SWITCH is set. Call before any other thread exists. */
int bnft_live_enter_host_mntns(void);
/* Pin root: --pin-root, else /run/bnft/net-<netns inode>. */
void bnft_live_set_pin_root(const char *root);
const char *bnft_live_pin_root(void);
/* Load what is live in this netns into an empty rs, with live counter
 * values. 0 (also when nothing is live), or -1 with errors in msgs. */
int bnft_live_load_state(struct bnft_ruleset *rs, struct list_head *msgs);
/* The same for a process that only reads what is live (monitor trace): it
 * changes no state file and reads again when the daemon folded its intent
 * log meanwhile. */
int bnft_live_read_state(struct bnft_ruleset *rs, struct list_head *msgs);

struct bnft_load_stats;
/* Lower, compile, load beside the live generation with bnft_live_load_opts()
 * flags, flip, attach, then save the state (text plus handles) for the next
 * command or a restarted daemon. 0, or -1 with errors in msgs (live state
 * untouched when the load failed). */
int bnft_live_commit(const struct bnft_ruleset *rs, uint32_t flags, struct list_head *msgs,
		     struct bnft_load_stats *st);
/* The same; rules in `fresh` start new counters even when a rule with
 * their handle was live (replace rule keeps the handle). */
struct bnft_rule_key;
int bnft_live_commit_ex(const struct bnft_ruleset *rs, uint32_t flags,
			const struct bnft_rule_key *fresh, size_t nfresh, struct list_head *msgs,
			struct bnft_load_stats *st);
/* Live counter values into the rules of rs, matched by handle (rs must be
 * the ruleset of the active generation). 0 or a negative errno. */
int bnft_live_refresh_counters(struct bnft_ruleset *rs);
/* The saved state of rs: its text (stateless) and "#@bnft" comment lines
 * with every handle and handle generator. 0 or a negative errno. */
int bnft_live_state_text(const struct bnft_ruleset *rs, struct outbuf *out);
/* Evaluates a state text into an empty rs and restores its handles.
 * -1 with errors in msgs, else the number of objects whose handle could not
 * be restored (0: all). */
int bnft_live_restore_text(struct bnft_ruleset *rs, const char *text, const char *name,
			   struct list_head *msgs);
/* With `on`, a commit keeps its IR and compiled program set (millions of
 * small objects after a big ruleset: tens of ms to free) until
 * bnft_live_late_free() or, a slice at a time, bnft_live_late_free_some()
 * (bnftd, between requests). Off by default:
 * a commit frees them itself. */
void bnft_live_defer_frees(bool on);
/* Frees what the last commits kept (NULL-safe, idempotent). */
void bnft_live_late_free(void);
/* Frees about `budget` rules' worth of it, oldest commit first (bnftd, a
 * slice between requests); whether nothing is left. */
bool bnft_live_late_free_some(size_t budget);
/* Where the time of the last bnft_live_commit() went. */
struct bnft_commit_times {
	uint64_t lower_ns, compile_ns, load_ns, save_ns; /* load: load+flip+attach */
};
const struct bnft_commit_times *bnft_live_last_times(void);
/* Test hook: called right after a successful flip, before the state is
 * saved (tests kill the daemon there). NULL by default. */
extern void (*bnft_live_after_flip)(void);
/* The text of the request the next commit applies (bnftd, for a request
 * without include or -D; NULL: none): that commit appends it to the intent
 * log (<state>.intent) instead of writing the state text, which
 * bnft_live_snapshot() writes later. Reset it after the commit. */
void bnft_live_set_intent(const char *text, size_t len);
/* Whether the intent log has records (the state text is behind). */
bool bnft_live_intent_pending(void);
/* Folds the intent log into the state text: 1 when written, 0 when nothing
 * was due, a negative errno. */
int bnft_live_snapshot(const struct bnft_ruleset *rs);
/* Path of a state file of the pin root: /run/bnft-state/<root><ext>. */
int bnft_live_state_file(const char *ext, char *buf, size_t n);

#endif
