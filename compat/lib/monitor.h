/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bnft monitor`: ruleset changes printed as `nft monitor` prints them.
 *
 * bnftd records the changes of a transaction while the evaluator commits it
 * (bnft_ruleset.on_change, parser/ruleset.h), rendered at once (deleted
 * objects are freed right after), and sends them to the monitor clients
 * after the new generation went live. A monitor client is a connection
 * whose request was "monitor ...": it stays open and receives one message
 * per commit (a BNFT_MSG_STDOUT item with the lines).
 */
#ifndef BNFT_COMPAT_MONITOR_H
#define BNFT_COMPAT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser/ruleset.h"

/* event types (filter bits) */
#define BNFT_MON_TABLES (1u << 0)
#define BNFT_MON_CHAINS (1u << 1)
#define BNFT_MON_SETS (1u << 2)
#define BNFT_MON_RULES (1u << 3)
#define BNFT_MON_ELEMS (1u << 4)
#define BNFT_MON_OBJS (1u << 5)
#define BNFT_MON_FLOWTABLES (1u << 6)
#define BNFT_MON_ALL 0x7f

struct bnft_mon_event {
	uint32_t type;	/* BNFT_MON_* */
	bool add;
	char *text;	/* one line, no newline */
	char *text_h;	/* the same with -a */
};

/* The changes of one transaction. */
struct bnft_mon_log {
	const struct bnft_ruleset *rs;
	struct bnft_mon_event *ev;
	size_t n, cap;
};

void bnft_mon_log_init(struct bnft_mon_log *log, const struct bnft_ruleset *rs);
void bnft_mon_log_release(struct bnft_mon_log *log);
/* The change hook: set rs->on_change to this and rs->on_change_data to a
 * log while evaluating. */
void bnft_mon_on_change(const struct ruleset_change *ch, void *data);

/* What a monitor client asked for ("monitor [new|destroy] [what]"). */
struct bnft_mon_filter {
	uint32_t types;
	bool no_add, no_del;
	bool gen;	/* "# new generation ..." lines (plain `monitor`) */
	bool handles;	/* -a */
	bool json;	/* -j */
};

/* Parses the words after "monitor". 0, or -1 with a message in err. */
int bnft_mon_parse(const char *words, struct bnft_mon_filter *f, char *err, size_t errlen);

/* The lines one client gets for a committed transaction. */
void bnft_mon_format(const struct bnft_mon_log *log, const struct bnft_mon_filter *f,
		     uint32_t genid, int pid, const char *comm, struct outbuf *out);

/* CLI: `bnft monitor [...]` through bnftd; returns the exit status. */
struct output_ctx;
int bnft_monitor_run(int argc, char **argv, const struct output_ctx *octx, bool debug_netlink);

/*
 * `bnft monitor trace` (compat/lib/trace.c, the dynsets engineer): argv are
 * the words after "monitor" ("trace" first). Returns the exit status.
 */
int bnft_monitor_trace(int argc, char **argv, const struct output_ctx *octx);

#endif
