// SPDX-License-Identifier: GPL-2.0
/*
 * bnftd: the single writer of the live ruleset of one network namespace and
 * pin root.
 *
 * It listens on the abstract Unix socket "\0bnftd:<pin root>" (abstract
 * names are per network namespace; binding it is the lock against a second
 * daemon), keeps the evaluated ruleset (with handles) in memory, and serves
 * one request at a time (compat/lib/client.h): parse, evaluate into the
 * ruleset as one transaction, and for commands that change it lower,
 * compile, load beside the live generation and flip (compat/lib/live.c).
 * Any failure leaves the live generation and the in-memory ruleset as they
 * were: the evaluator undoes its own transaction, and a failure after it
 * (lowering, compiling, the verifier, saving) reloads the ruleset from the
 * state saved by the last commit, which is what is live.
 *
 * State: the ruleset text with every handle (/run/bnft-state/<root>.nft),
 * the programs and maps pinned under the pin root. kill -9 leaves filtering
 * as it was; a restarted daemon evaluates the saved text back, restores
 * the handles and reads the counters from the live maps.
 *
 * Counters of rules that survive a commit carry over exactly: the loader
 * bases the new counters on the old values, and after the reply waits for
 * the old generation to drain and adds what it counted meanwhile
 * (daemon/lib/counters.c). `reset rules/counters` zero live counters in
 * place. Element adds or deletes on one plain set update its live map in
 * place (compat/lib/live_elems.h), recorded in a journal next to the
 * state. Monitor clients (`bnft monitor`) get every committed change as
 * `nft monitor` prints it (compat/lib/monitor.h).
 *
 * Started by `bnft` when none answers (--auto: exits after an idle time,
 * default 30 s, BNFT_DAEMON_IDLE overrides, 0 = never: the firewall keeps
 * filtering without it and the next command starts it again), or by
 * systemd (daemon/bnftd.service).
 */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "compat/lib/client.h"
#include "compat/lib/live.h"
#include "compat/lib/live_elems.h"
#include "compat/lib/monitor.h"
#include "compat/lib/setdump.h"
#include "bpf/lib/quota.h"
#include "translator/expr_stock.h"
#include "translator/stmt_live.h"
#include "daemon/lib/malloc_tune.h"
#include "daemon/lib/mcast.h"
#include "daemon/lib/load.h"
#include "daemon/lib/logd.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/lower.h"


#define BNFTD_MAX_MONITORS 32

struct daemon {
	struct bnft_ruleset rs;	/* what is live */
	int lfd;
	unsigned int idle_secs;	/* 0: never exit when idle */
	bool root_seen;		/* the pin root existed once */
	bool trim;		/* much was freed: return pages when idle */
	bool garbage;		/* what commits replaced is still to free */
	size_t reaped;		/* rules and objects freed of it so far */
	int nlfd;		/* rtnetlink RTMGRP_LINK, -1 if none */
	uint64_t relink_at;	/* when to attach to new interfaces, 0: no */
	struct stat state_st;	/* the state file as this daemon left it */
	unsigned long requests;
	/* `bnft monitor` clients (compat/lib/monitor.h) */
	struct {
		int fd;
		struct bnft_mon_filter f;
	} mon[BNFTD_MAX_MONITORS];
	int nmon;
	uint32_t genid;		/* commits, as "# new generation N" */
	int peer_pid;		/* of the request being served */
	uint64_t drain_ns;	/* last deferred counter settle */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "bnftd[%d] %ld.%03ld: ", getpid(), (long)ts.tv_sec,
		ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Whether the commands change the ruleset (else nothing is reloaded). */
static bool cmds_modify(const struct ruleset_src *src)
{
	const struct cmd *c;

	list_for_each_entry(c, &src->cmds, list) {
		switch (c->op) {
		case CMD_LIST:
		case CMD_GET:
		case CMD_EXPORT:
		case CMD_MONITOR:
		case CMD_DESCRIBE:
		case CMD_RESET: /* counters: zeroed in place (live_reset) */
			break;
		default:
			return true;
		}
	}
	return false;
}

/* Whether the commands begin with "flush ruleset" of every family: then
 * nothing of the live ruleset (rules, sets, objects) survives them. */
static bool cmds_flush_all_first(const struct ruleset_src *src)
{
	const struct cmd *c;

	if (list_empty(&src->cmds))
		return false;
	c = list_first_entry(&src->cmds, struct cmd, list);
	return c->op == CMD_FLUSH && c->obj == CMD_OBJ_RULESET && !c->handle.family;
}

/* -D name=value: like the CLI (and nft), "define name=value" lines parsed
 * before the input, so values may be any expression. */
static int parse_defines(struct parse_ctx *pctx, const struct bnft_msg *req, struct outbuf *err)
{
	struct outbuf defs;
	size_t i;
	int ret = 0;

	outbuf_init(&defs);
	for (i = 0; i < req->n; i++) {
		const char *d = req->items[i].data;

		if (req->items[i].type != BNFT_MSG_DEFINE)
			continue;
		if (!strchr(d, '=') || d[0] == '=') {
			outbuf_printf(err, "Error: invalid define: %s (expected name=value)\n", d);
			ret = -1;
			break;
		}
		outbuf_printf(&defs, "define %s\n", d);
	}
	if (!ret && defs.len) {
		/* bnft_parse_buffer() adds the last newline itself */
		defs.buf[defs.len - 1] = '\0';
		ret = defs.err ? -1 : bnft_parse_buffer(pctx, defs.buf, "<cmdline>");
	}
	outbuf_release(&defs);
	return ret;
}

/* nft -j -f takes JSON: recognised by its first character */
static bool text_is_json(const char *t, size_t len)
{
	size_t i = 0;

	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i < len && (t[i] == '{' || t[i] == '[');
}

/*
 * Rules of a table that keeps its handle are the same rules in the old and
 * the new generation when their handles match (handles are never reused in
 * a table's life), so the loader may carry their live counters. A table
 * deleted and created again restarts its handles: then carrying by handle
 * would give new rules old counts, and the counters come from the ruleset
 * instead (refreshed from the live maps before the transaction).
 */
struct table_id {
	unsigned int family;
	char *name;
	uint64_t handle;
};

/* Sets whose elements expire or that the datapath fills: their expired
 * entries are freed on a tick (the kernel's set gc), so the daemon stays. */
static bool ruleset_has_gc_sets(const struct bnft_ruleset *rs)
{
	const struct table *t;
	const struct set *s;

	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(s, &t->sets, list)
			if (s->flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL))
				return true;
	return false;
}

static struct table_id *tables_snapshot(const struct bnft_ruleset *rs, size_t *n)
{
	const struct table *t;
	struct table_id *v;
	size_t i = 0;

	*n = 0;
	list_for_each_entry(t, &rs->tables, list)
		(*n)++;
	v = calloc(*n ? *n : 1, sizeof(*v));
	if (!v)
		return NULL;
	list_for_each_entry(t, &rs->tables, list) {
		v[i].family = t->handle.family;
		v[i].name = strdup(t->handle.table);
		v[i].handle = t->handle.handle.id;
		i++;
	}
	return v;
}

static bool counters_carry_safe(const struct bnft_ruleset *rs, const struct table_id *v, size_t n)
{
	const struct table *t;
	size_t i;

	if (!v)
		return false;
	list_for_each_entry(t, &rs->tables, list)
		for (i = 0; i < n; i++)
			if (v[i].family == t->handle.family && v[i].name &&
			    !strcmp(v[i].name, t->handle.table) &&
			    v[i].handle != t->handle.handle.id)
				return false;
	return true;
}

static void tables_free(struct table_id *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * Rules the transaction created. A replaced rule keeps its handle (like the
 * kernel) but is a new rule with a new counter: the loader must not carry
 * the old counter to it. Rules are told apart by object: the ones that were
 * in the ruleset before the transaction stay the same objects.
 */
static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static uintptr_t *rules_snapshot(const struct bnft_ruleset *rs, size_t *n)
{
	const struct table *t;
	const struct chain *c;
	const struct rule *r;
	uintptr_t *v;
	size_t i = 0;

	*n = 0;
	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(c, &t->chains, list)
			list_for_each_entry(r, &c->rules, list)
				(*n)++;
	v = malloc((*n ? *n : 1) * sizeof(*v));
	if (!v)
		return NULL;
	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(c, &t->chains, list)
			list_for_each_entry(r, &c->rules, list)
				v[i++] = (uintptr_t)r;
	qsort(v, *n, sizeof(*v), ptr_cmp);
	return v;
}

static struct bnft_rule_key *fresh_rules(const struct bnft_ruleset *rs, const uintptr_t *snap,
					 size_t nsnap, size_t *n, size_t *total)
{
	const struct table *t;
	const struct chain *c;
	const struct rule *r;
	struct bnft_rule_key *v = NULL, *nv;
	size_t cap = 0;

	*n = *total = 0;
	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(c, &t->chains, list)
			list_for_each_entry(r, &c->rules, list) {
				uintptr_t p = (uintptr_t)r;

				(*total)++;
				if (bsearch(&p, snap, nsnap, sizeof(*snap), ptr_cmp))
					continue;
				if (*n == cap) {
					cap = cap ? cap * 2 : 64;
					nv = realloc(v, cap * sizeof(*v));
					if (!nv)
						continue;
					v = nv;
				}
				v[*n].family = t->handle.family;
				v[*n].table = t->handle.table;
				v[*n].chain = c->handle.chain;
				v[(*n)++].handle = r->handle.handle.id;
			}
	return v;
}

/* Remember the state file as this daemon wrote or read it. */
static void state_mark(struct daemon *d)
{
	char path[1024];

	memset(&d->state_st, 0, sizeof(d->state_st));
	if (!bnft_live_state_file(".nft", path, sizeof(path)))
		stat(path, &d->state_st);
}

/* Whether someone else changed the live state (BNFT_NO_DAEMON=1 bnft). */
static bool state_changed(const struct daemon *d)
{
	struct stat sb;
	char path[1024];

	memset(&sb, 0, sizeof(sb));
	if (bnft_live_state_file(".nft", path, sizeof(path)))
		return false;
	stat(path, &sb);
	return sb.st_ino != d->state_st.st_ino || sb.st_size != d->state_st.st_size ||
	       sb.st_mtim.tv_sec != d->state_st.st_mtim.tv_sec ||
	       sb.st_mtim.tv_nsec != d->state_st.st_mtim.tv_nsec;
}

/* Replace the in-memory ruleset by the saved state of the live generation. */
static int reload_ruleset(struct daemon *d, struct list_head *msgs)
{
	struct bnft_ruleset fresh;

	bnft_ruleset_init(&fresh);
	if (bnft_live_load_state(&fresh, msgs) < 0) {
		bnft_ruleset_release(&fresh);
		return -1;
	}
	bnft_ruleset_release(&d->rs);
	d->rs = fresh;
	/* list heads moved: fix the links that point at the old heads */
	if (list_empty(&fresh.tables))
		init_list_head(&d->rs.tables);
	else {
		d->rs.tables.next->prev = &d->rs.tables;
		d->rs.tables.prev->next = &d->rs.tables;
	}
	if (list_empty(&fresh.hgens))
		init_list_head(&d->rs.hgens);
	else {
		d->rs.hgens.next->prev = &d->rs.hgens;
		d->rs.hgens.prev->next = &d->rs.hgens;
	}
	init_list_head(&d->rs.undo);
	init_list_head(&d->rs.reap);
	d->rs.in_trans = false;
	d->rs.defer_free = true;
	state_mark(d);
	return 0;
}

/* A reset command's selection of live rule counters. */
static int reset_sel(const struct bnft_counter_row *row, void *data)
{
	const struct cmd *c = data;
	const struct handle *h = &c->handle;

	if (h->family && row->family != h->family)
		return 0;
	switch (c->obj) {
	case CMD_OBJ_RULES:
		return 1;
	case CMD_OBJ_TABLE:
		return !strcmp(row->table, h->table);
	case CMD_OBJ_CHAIN:
		return !strcmp(row->table, h->table) && !strcmp(row->chain, h->chain);
	case CMD_OBJ_RULE:
		return !strcmp(row->table, h->table) && !strcmp(row->chain, h->chain) &&
		       row->handle == h->handle.id;
	default:
		return 0;
	}
}

/* reset counters/quotas: named objects live in the generation's bnft_obj
 * map (bpf/lib/quota.h), updated by the datapath with atomic adds; zeroing
 * them from here loses what is added between the read and the write. */
static void live_reset_objs(const struct cmd *c)
{
	const struct handle *h = &c->handle;
	bool quota = c->obj == CMD_OBJ_QUOTA || c->obj == CMD_OBJ_QUOTAS;
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i;
	int fd;

	if (bnft_live_gen_map(bnft_live_pin_root(), BNFT_OBJ_MAP, &fd) < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || info.value_size != sizeof(struct bnft_obj)) {
		close(fd);
		return;
	}
	for (i = 0; i < info.max_entries; i++) {
		struct bnft_obj v;

		if (bpf_map_lookup_elem(fd, &i, &v) ||
		    v.kind != (quota ? BNFT_OBJ_QUOTA : BNFT_OBJ_COUNTER) ||
		    (h->family && v.family != h->family) || (h->table && strcmp(h->table, v.table)) ||
		    (h->set && strcmp(h->set, v.name)))
			continue;
		if (!quota)
			v.v0 = 0;
		v.v1 = 0;
		bpf_map_update_elem(fd, &i, &v, BPF_EXIST);
	}
	close(fd);
}

/* reset rules/rule: zero the live counters (the evaluator printed them and
 * zeroed them in the ruleset). Exact, no reload (daemon/lib/counters.c). */
static int live_reset(const struct ruleset_src *src, struct list_head *msgs)
{
	const struct cmd *c;
	int n;

	list_for_each_entry(c, &src->cmds, list) {
		if (c->op == CMD_RESET && (c->obj == CMD_OBJ_COUNTER || c->obj == CMD_OBJ_COUNTERS ||
					   c->obj == CMD_OBJ_QUOTA || c->obj == CMD_OBJ_QUOTAS))
			live_reset_objs(c);
		if (c->op == CMD_RESET && (c->obj == CMD_OBJ_COUNTER || c->obj == CMD_OBJ_COUNTERS ||
					   c->obj == CMD_OBJ_QUOTA || c->obj == CMD_OBJ_QUOTAS)) {
			/* named objects (translator/stmt_live.h) */
			n = bnft_live_reset_objects(bnft_live_pin_root(), c->handle.family,
						    c->handle.table, c->handle.set,
						    c->obj == CMD_OBJ_COUNTER ||
								    c->obj == CMD_OBJ_COUNTERS ?
							    NFT_OBJECT_COUNTER :
							    NFT_OBJECT_QUOTA);
			if (n < 0)
				return erec_error(msgs, &internal_location,
						  "resetting objects: %s", strerror(-n));
			continue;
		}
		if (c->op != CMD_RESET || (c->obj != CMD_OBJ_RULES && c->obj != CMD_OBJ_TABLE &&
					   c->obj != CMD_OBJ_CHAIN && c->obj != CMD_OBJ_RULE))
			continue;
		n = bnft_live_counters_reset(bnft_live_pin_root(), reset_sel, (void *)c);
		if (n < 0 && n != -ENOENT)
			return erec_error(msgs, &internal_location, "resetting counters: %s",
					  strerror(-n));
	}
	return 0;
}

static int parse_request(struct parse_ctx *pctx, const struct bnft_msg *req, bool json,
			 struct outbuf *err)
{
	const struct bnft_msg_item *name = bnft_msg_find(req, BNFT_MSG_FILENAME);
	const struct bnft_msg_item *data = bnft_msg_find(req, BNFT_MSG_FILEDATA);
	const struct bnft_msg_item *cmd = bnft_msg_find(req, BNFT_MSG_CMDLINE);
	if (parse_defines(pctx, req, err) < 0)
		return -1;
	if (name && data) {
		if (json && text_is_json(data->data, data->len)) {
			outbuf_printf(err, "Error: JSON input (-j -f) is not supported yet\n");
			return -1;
		}
		/* bnft_parse_buffer() ends the text with a newline: give it the
		 * file without its own last newline so it parses the same bytes */
		if (data->len && data->data[data->len - 1] == '\n')
			data->data[data->len - 1] = '\0';
		/* a NUL byte in the file would end the text early (a file
		 * starting with one was an empty, accepted ruleset); nft's
		 * scanner sees it as junk: so does ours, as byte 0x01 */
		for (size_t k = 0; k + 1 < data->len; k++)
			if (!data->data[k])
				data->data[k] = '\x01';
		return bnft_parse_buffer(pctx, data->data, name->data);
	}
	if (cmd) {
		if (cmd->len && cmd->data[cmd->len - 1] == '\n')
			cmd->data[cmd->len - 1] = '\0';
		return bnft_parse_buffer(pctx, cmd->data, "<cmdline>");
	}
	outbuf_printf(err, "Error: empty request\n");
	return -1;
}

/* The intent log is folded into the state text once the daemon has been
 * idle this long (compat/lib/live.h). */
#define SNAPSHOT_IDLE_MS 100
/* Freed heap pages go back to the system once the daemon has been idle
 * this long (as long as it waits before exiting when idle): a burst of
 * commits (flush, then load; a reload script) reuses them. Pages given
 * back and touched again cost a fault and zeroing each, and far more in a
 * VM whose host takes free guest pages back (a first 100k-rule load into
 * fresh memory here: 0.8-1.5 s against 0.37 s into reused memory). */
#define TRIM_IDLE_MS 30000
/* expressions made per pass of the idle loop (~10 ms): a request waits at
 * most that long */
#define STOCK_SLICE 65536
/* BNFT_NO_STOCK=1: no expressions made ahead (A/B) */
static bool stock_on;

static void snapshot(struct daemon *d)
{
	int e = bnft_live_snapshot(&d->rs);

	if (e > 0)
		state_mark(d);
	else if (e < 0)
		logmsg("state text not written (the intent log keeps the commits): %s",
		       strerror(-e));
}

/* The request's text when it says all the commit does: no -D, no -I and
 * no include (their files may change before a replay), not JSON; for the
 * intent log (compat/lib/live.h). */
static void request_intent(const struct bnft_msg *req, bool json)
{
	const struct bnft_msg_item *data = bnft_msg_find(req, BNFT_MSG_FILEDATA);
	const struct bnft_msg_item *cmd = bnft_msg_find(req, BNFT_MSG_CMDLINE);
	const struct bnft_msg_item *t = data ? data : cmd;
	size_t i, len;

	bnft_live_set_intent(NULL, 0);
	if (!t || json || getenv("BNFT_NO_INTENT"))
		return;
	for (i = 0; i < req->n; i++)
		if (req->items[i].type == BNFT_MSG_DEFINE || req->items[i].type == BNFT_MSG_INCLUDE)
			return;
	/* what the parser read: up to the first NUL */
	len = strnlen(t->data, t->len);
	if (memmem(t->data, len, "include", 7))
		return;
	bnft_live_set_intent(t->data, len);
}

static void monitor_drop(struct daemon *d, int i)
{
	close(d->mon[i].fd);
	d->mon[i] = d->mon[--d->nmon];
}

/*
 * Element updates without a new generation (compat/lib/live_elems.h): the
 * change hook follows the transaction; it stays `ok` while every change is
 * an element added to (or every one deleted from) one set whose live map
 * can take it, and collects the keys (deleted elements are freed right
 * after the hook). It also feeds the monitor log.
 */
struct elem_fast {
	const struct bnft_ruleset *rs;
	struct bnft_mon_log *mlog;
	bool mon;			/* monitors listen: render everything */
	bool ok, any, add;
	const struct set *set;
	uint32_t ksize;
	struct bnft_elem_op *ops;
	size_t n, cap;
};

static void fast_on_change(const struct ruleset_change *ch, void *data)
{
	struct elem_fast *f = data;

	if (f->ok && (ch->kind != RC_ELEM || !ch->set)) {
		f->ok = false;
	} else if (f->ok && !f->any) {
		f->any = true;
		f->set = ch->set;
		f->add = ch->add;
		/* a restarted daemon learns the set maps once */
		bnft_live_elems_renote(f->rs);
		f->ok = !bnft_live_elems_map(f->rs, ch->set, &f->ksize);
		if (!f->ok && getenv("BNFT_DEBUG_INPLACE"))
			logmsg("set %s: %d", ch->set->handle.set,
			       bnft_live_elems_map(f->rs, ch->set, &f->ksize));
	} else if (f->ok && (ch->set != f->set || ch->add != f->add)) {
		f->ok = false;
	}
	if (f->ok && f->n == f->cap) {
		size_t nc = f->cap ? 2 * f->cap : 16;
		struct bnft_elem_op *o = realloc(f->ops, nc * sizeof(*o));

		if (o) {
			f->ops = o;
			f->cap = nc;
		} else {
			f->ok = false;
		}
	}
	if (f->ok) {
		f->ops[f->n].add = ch->add;
		if (bnft_live_elem_key(ch->set, ch->obj, &f->ops[f->n], f->ksize))
			f->ok = false;
		else
			f->n++;
	}
	if (f->mon || (f->ok && ch->kind == RC_ELEM))
		bnft_mon_on_change(ch, f->mlog);
}

/* The in-place path: journal the elements, update the map. 0 when done,
 * else nothing changed live and the caller commits the whole ruleset. */
static int elems_in_place(struct daemon *d, const struct elem_fast *f,
			  const struct bnft_mon_log *log)
{
	struct outbuf j;
	off_t before = -1;
	size_t i;
	int err;

	/* a long journal is folded into the state by a whole commit */
	if (!f->ok || !f->any || !f->n || log->n != f->n ||
	    bnft_live_journal_size() > (8 << 20)) {
		if (getenv("BNFT_DEBUG_INPLACE"))
			logmsg("not in place: ok %d any %d n %zu log %zu", f->ok, f->any, f->n,
			       log->n);
		return -EAGAIN;
	}
	/* the journal follows the state text, not the intent log: fold the
	 * log first (the state text then has these elements already; their
	 * journal lines replay as no-ops) */
	if (bnft_live_intent_pending()) {
		snapshot(d);
		if (bnft_live_intent_pending())
			return -EAGAIN;
	}
	outbuf_init(&j);
	for (i = 0; i < log->n; i++)
		outbuf_printf(&j, "%s\n", log->ev[i].text);
	err = j.err ? -ENOMEM : bnft_live_journal_append(j.buf, j.len, &before);
	outbuf_release(&j);
	if (err)
		return err;
	err = bnft_live_elems_apply(&d->rs, f->set, f->ops, f->n);
	if (err) {
		bnft_live_journal_truncate(before);
		logmsg("in-place element update failed (%s): committing the ruleset",
		       strerror(-err));
	}
	return err;
}

/* One message per monitor client with the lines its filter selects. */
static void monitor_broadcast(struct daemon *d, const struct bnft_mon_log *log)
{
	char comm[64] = "", path[64];
	FILE *f;
	int i;

	if (!d->nmon || !log->n)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", d->peer_pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	for (i = d->nmon - 1; i >= 0; i--) {
		struct bnft_msg m;
		struct outbuf o;

		outbuf_init(&o);
		bnft_mon_format(log, &d->mon[i].f, d->genid, d->peer_pid, comm[0] ? comm : NULL,
				&o);
		bnft_msg_init(&m);
		if (o.len && !o.err && (bnft_msg_add(&m, BNFT_MSG_STDOUT, o.buf, o.len) ||
					bnft_msg_send(d->mon[i].fd, &m))) {
			logmsg("monitor client gone");
			monitor_drop(d, i);
		}
		bnft_msg_release(&m);
		outbuf_release(&o);
	}
}

/* A "monitor ..." request: the connection becomes a monitor client. Returns
 * whether the fd was kept. */
static bool monitor_request(struct daemon *d, int cfd, const struct bnft_msg *req)
{
	const struct bnft_msg_item *cmd = bnft_msg_find(req, BNFT_MSG_CMDLINE);
	const struct bnft_msg_item *ver = bnft_msg_find(req, BNFT_MSG_VERSION);
	const struct bnft_msg_item *wo = bnft_msg_find(req, BNFT_MSG_OCTX);
	struct timeval tv = { .tv_sec = 1 };
	struct bnft_mon_filter f;
	struct output_ctx octx = { 0 };
	struct bnft_msg rep;
	char err[256] = "";
	const char *p;
	uint32_t status = 0;
	bool dn;

	if (!cmd || !ver || ver->len != sizeof(uint32_t) ||
	    *(uint32_t *)ver->data != BNFT_PROTO_VERSION || !wo ||
	    wo->len != sizeof(struct bnft_wire_octx))
		return false;
	for (p = cmd->data; *p == ' ' || *p == '\t'; p++)
		;
	if (strncmp(p, "monitor", 7) || (p[7] && p[7] != ' ' && p[7] != '\t' && p[7] != '\n'))
		return false;
	bnft_octx_from_wire((const void *)wo->data, &octx, &dn);
	if (bnft_mon_parse(p + 7, &f, err, sizeof(err)) < 0)
		status = 1;
	else if (octx.json)
		snprintf(err, sizeof(err), "Error: JSON monitor output is not supported yet\n");
	else if (d->nmon == BNFTD_MAX_MONITORS)
		snprintf(err, sizeof(err), "Error: too many monitor clients\n");
	if (err[0])
		status = 1;
	f.handles = octx.handle;
	f.json = octx.json;
	bnft_msg_init(&rep);
	if (err[0])
		bnft_msg_add_str(&rep, BNFT_MSG_STDERR, err);
	bnft_msg_add(&rep, BNFT_MSG_STATUS, &status, sizeof(status));
	if (bnft_msg_send(cfd, &rep) || status) {
		bnft_msg_release(&rep);
		close(cfd);
		return true;
	}
	bnft_msg_release(&rep);
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	d->mon[d->nmon].fd = cfd;
	d->mon[d->nmon++].f = f;
	return true;
}

/* Memory a request leaves to free after its reply: a free of a big block
 * makes glibc consolidate the small chunks the commit freed (70-140 ms
 * after a 100k-rule commit), which the client need not wait for. */
#define LATE_FREE_MAX 4
#define CLIENT_HANGUP_MS 50
struct late_free {
	void *p[LATE_FREE_MAX];
	/* the request's commands and input text */
	struct ruleset_src src;
	struct parse_ctx pctx;
	bool inited;
};

static void late_free_run(struct late_free *lf)
{
	int i;

	for (i = 0; i < LATE_FREE_MAX; i++) {
		free(lf->p[i]);
		lf->p[i] = NULL;
	}
	if (lf->inited) {
		parse_ctx_release(&lf->pctx);
		ruleset_src_release(&lf->src);
		lf->inited = false;
	}
}

static int handle_request(struct daemon *d, const struct bnft_msg *req, struct bnft_msg *rep,
			  struct late_free *lf)
{
	const struct bnft_msg_item *ver = bnft_msg_find(req, BNFT_MSG_VERSION);
	const struct bnft_msg_item *wo = bnft_msg_find(req, BNFT_MSG_OCTX);
	struct bnft_wire_stats ws = { 0 };
	struct bnft_load_stats *st = NULL;
	struct output_ctx octx = { 0 };
	const char **includes = NULL;
	struct table_id *snap = NULL;
	struct bnft_mon_log mlog;
	struct elem_fast fast = { 0 };
	struct bnft_rule_key *fresh = NULL;
	uintptr_t *rsnap = NULL;
	size_t nrsnap = 0, nfresh = 0;
	struct list_head msgs;
	struct ruleset_src *src = &lf->src;
	struct parse_ctx *pctx = &lf->pctx;
	struct outbuf out, err;
	bool debug_netlink = false, modify, replace;
	uint64_t t0 = now_ns(), t1;
	unsigned int ninc = 0;
	uint32_t status = 1;
	size_t i, nsnap = 0;
	int erc;

	init_list_head(&msgs);
	outbuf_init(&out);
	outbuf_init(&err);
	ruleset_src_init(src);
	lf->inited = true;
	parse_ctx_init(pctx, src, &msgs);
	bnft_mon_log_init(&mlog, &d->rs);
	if (!ver || ver->len != sizeof(uint32_t) || *(uint32_t *)ver->data != BNFT_PROTO_VERSION ||
	    !wo || wo->len != sizeof(struct bnft_wire_octx)) {
		outbuf_printf(&err, "Error: bnft and bnftd do not speak the same protocol\n");
		goto reply;
	}
	bnft_octx_from_wire((const void *)wo->data, &octx, &debug_netlink);
	includes = calloc(req->n + 1, sizeof(*includes));
	if (!includes)
		goto reply;
	for (i = 0; i < req->n; i++)
		if (req->items[i].type == BNFT_MSG_INCLUDE)
			includes[ninc++] = req->items[i].data;
	pctx->include_paths = includes;
	pctx->num_include_paths = ninc;

	if (parse_request(pctx, req, octx.json, &err) < 0)
		goto errors;
	if (state_changed(d)) {
		logmsg("the saved state changed behind the daemon: reloading it");
		if (reload_ruleset(d, &msgs) < 0)
			goto errors;
	}
	modify = cmds_modify(src);
	replace = modify && cmds_flush_all_first(src);
	/* live counter values: for listings, and as the values of surviving
	 * rules when the loader cannot carry them (none survive) */
	if (!replace)
		bnft_live_refresh_counters(&d->rs);
	if (modify) {
		snap = tables_snapshot(&d->rs, &nsnap);
		/* every rule is new after the flush: no snapshot to find old
		 * ones in (walking and sorting 100k rules took 6 ms) */
		rsnap = replace ? calloc(1, sizeof(*rsnap)) : rules_snapshot(&d->rs, &nrsnap);
	}
	if (modify) {
		/* changes as `nft monitor` prints them, sent after the commit,
		 * and element updates that need no new generation */
		fast.rs = &d->rs;
		fast.mlog = &mlog;
		fast.mon = d->nmon > 0;
		fast.ok = !getenv("BNFT_NO_INPLACE");
		d->rs.on_change = fast_on_change;
		d->rs.on_change_data = &fast;
	}
	erc = bnft_evaluate(&d->rs, src, &msgs, &octx, &out);
	d->rs.on_change = NULL;
	d->rs.on_change_data = NULL;
	if (erc < 0)
		goto errors;
	if (debug_netlink)
		bnft_netlink_debug(&d->rs, &octx, &out);
	if (live_reset(src, &msgs) < 0)
		goto errors;
	if (modify && !elems_in_place(d, &fast, &mlog)) {
		ws.eval_ns = now_ns() - t0;
		ws.inplace = 1;
		ws.committed = 1;
		d->genid++;
		monitor_broadcast(d, &mlog);
	} else if (modify) {
		/* the wait for the old generation comes after the reply */
		uint32_t flags = counters_carry_safe(&d->rs, snap, nsnap)
					 ? BNFT_LOAD_KEEP_COUNTERS | BNFT_LOAD_DEFER_SETTLE
					 : 0;

		st = calloc(1, sizeof(*st));
		t1 = now_ns();
		ws.eval_ns = t1 - t0;
		if (rsnap) {
			size_t total;

			fresh = fresh_rules(&d->rs, rsnap, nrsnap, &nfresh, &total);
			if (nfresh == total)
				flags = 0; /* every rule is new (a replaced ruleset) */
		} else {
			flags = 0; /* cannot tell new rules from old: no carry */
		}
		request_intent(req, octx.json);
		erc = !st ? -1 : bnft_live_commit_ex(&d->rs, flags, fresh, nfresh, &msgs, st);
		bnft_live_set_intent(NULL, 0);
		if (erc < 0) {
			struct list_head rmsgs;

			if (!st)
				erec_error(&msgs, &internal_location, "out of memory");
			/* back to what is live */
			init_list_head(&rmsgs);
			if (reload_ruleset(d, &rmsgs) < 0) {
				logmsg("cannot reload the live ruleset after a failed commit");
				erec_print_list(&err, &rmsgs);
			}
			erec_free_list(&rmsgs);
			goto errors;
		}
		state_mark(d);
		d->genid++;
		monitor_broadcast(d, &mlog);
		ws.commit_ns = now_ns() - t1;
		ws.lower_ns = bnft_live_last_times()->lower_ns;
		ws.compile_ns = bnft_live_last_times()->compile_ns;
		ws.load_ns = bnft_live_last_times()->load_ns;
		ws.save_ns = bnft_live_last_times()->save_ns;
		ws.insns = st->insns;
		ws.verified_insns = st->verified_insns;
		ws.drain_ns = d->drain_ns; /* the previous commit's (deferred) */
		ws.ncarried = st->ncarried;
		ws.committed = 1;
		ws.gen = st->gen;
	}
	status = 0;
	goto reply;
errors:
	erec_print_list(&err, &msgs);
reply:
	ws.total_ns = now_ns() - t0;
	if (out.len)
		bnft_msg_add(rep, BNFT_MSG_STDOUT, out.buf, out.len);
	if (err.len)
		bnft_msg_add(rep, BNFT_MSG_STDERR, err.buf, err.len);
	bnft_msg_add(rep, BNFT_MSG_STATUS, &status, sizeof(status));
	bnft_msg_add(rep, BNFT_MSG_STATS, &ws, sizeof(ws));
	tables_free(snap, nsnap);
	bnft_mon_log_release(&mlog);
	lf->p[0] = fast.ops;
	lf->p[1] = rsnap;
	lf->p[2] = fresh;
	lf->p[3] = st;
	free(includes);
	erec_free_list(&msgs);
	outbuf_release(&out);
	outbuf_release(&err);
	return 0;
}

/*
 * Interfaces created after a commit are not filtered until the entry
 * programs are attached to them (daemon/lib/attach.h): the daemon watches
 * RTM_NEWLINK and then commits the live ruleset again, which refreshes the
 * interface maps and attaches everywhere (counters carried).
 */
static int link_watch_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	bnft_mcast_watch(fd); /* joined groups: daemon/lib/mcast.h */
	return fd;
}

/* Drains the socket; whether a new link was announced. */
static bool link_watch_read(int fd)
{
	char buf[16384] __attribute__((aligned(8)));
	bool newlink = false, mc = false;
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), 0)) > 0) {
		struct nlmsghdr *nh;

		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len))
			if (nh->nlmsg_type == RTM_NEWLINK)
				newlink = true;
			else if (bnft_mcast_event(nh->nlmsg_type))
				mc = true;
	}
	/* a new link is committed again, which syncs the groups too */
	if (mc && !newlink) {
		int e = bnft_mcast_sync_root(bnft_live_pin_root());

		if (e < 0)
			logmsg("multicast groups not refreshed: %s", strerror(-e));
	}
	return newlink;
}

static void relink(struct daemon *d)
{
	struct bnft_load_stats *st;
	struct list_head msgs;

	if (list_empty(&d->rs.tables))
		return;
	st = calloc(1, sizeof(*st));
	if (!st)
		return;
	init_list_head(&msgs);
	bnft_live_refresh_counters(&d->rs);
	if (bnft_live_commit(&d->rs, BNFT_LOAD_KEEP_COUNTERS, &msgs, st) < 0) {
		struct outbuf o;

		outbuf_init(&o);
		erec_print_list(&o, &msgs);
		logmsg("attaching to new interfaces failed: %.*s", (int)o.len, o.buf ? o.buf : "");
		outbuf_release(&o);
	} else {
		state_mark(d);
		logmsg("new interface: ruleset committed again (generation %u)", st->gen);
	}
	bnft_live_late_free();
	erec_free_list(&msgs);
	free(st);
}

/* Rules (or objects) freed per slice of garbage: about 1 ms of work. The
 * slices run while the daemon has nothing else to do (poll events, monitor
 * clients and link changes are served between them); a request finishes
 * the rest first (serve_one). */
#define GARBAGE_SLICE 2000

/* Frees a slice of what commits replaced; when it is all gone and it was
 * much, its pages go back to the system once the daemon is idle. */
static void garbage_slice(struct daemon *d)
{
	if (!bnft_ruleset_reap_some(&d->rs, GARBAGE_SLICE, &d->reaped) ||
	    !bnft_live_late_free_some(GARBAGE_SLICE))
		return;
	d->garbage = false;
	if (d->reaped > 10000)
		d->trim = true;
	d->reaped = 0;
}

/* Serves one request; whether cfd was taken over (a monitor client). */
static bool serve_one(struct daemon *d, int cfd)
{
	struct timeval tv = { .tv_sec = 10 };
	struct late_free lf = { .inited = false };
	struct bnft_msg req, rep;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	bool kept = false;
	int err;

	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	bnft_msg_init(&req);
	bnft_msg_init(&rep);
	err = bnft_msg_recv(cfd, &req, BNFT_MSG_MAX);
	if (err) {
		/* a client gone mid-request, junk, or too big: nothing applied */
		if (err != -ECONNRESET || req.n)
			logmsg("request dropped: %s", strerror(-err));
		if (err == -E2BIG || err == -EPROTO) {
			uint32_t status = 1;
			const char *e = err == -E2BIG ? "Error: request too large\n"
						      : "Error: malformed request\n";

			bnft_msg_add_str(&rep, BNFT_MSG_STDERR, e);
			bnft_msg_add(&rep, BNFT_MSG_STATUS, &status, sizeof(status));
			bnft_msg_send(cfd, &rep);
		}
		goto out;
	}
	d->requests++;
	d->peer_pid = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) ? 0 : (int)cr.pid;
	kept = monitor_request(d, cfd, &req);
	if (kept)
		goto out;
	/* what is left of the last commit's garbage goes first: a commit
	 * reuses its memory instead of growing the heap (fresh pages cost a
	 * fault and zeroing each: back-to-back 100k-rule loads spent a third
	 * of their time on that) */
	while (d->garbage)
		garbage_slice(d);
	handle_request(d, &req, &rep, &lf);
	err = bnft_msg_send(cfd, &rep);
	if (err)
		logmsg("reply not delivered: %s", strerror(-err));
	/* the deferred work below would share a CPU with the client while it
	 * reads the reply and exits: let it hang up first (briefly) */
	if (!err) {
		struct pollfd hp = { .fd = cfd, .events = POLLRDHUP };

		poll(&hp, 1, CLIENT_HANGUP_MS);
	}
	late_free_run(&lf);
	/* after the reply: wait for the old generation, fix the counters */
	{
		int64_t w = bnft_live_settle();

		if (w > 0)
			d->drain_ns = (uint64_t)w;
		else if (w < 0)
			logmsg("counter carry not settled: %s", strerror((int)-w));
	}
	/* what the commit replaced (parsed and lowered objects) is freed
	 * after the reply, a slice at a time between requests (garbage_slice) */
	d->garbage = true;
	/* nothing loaded (a flush): the next entry object loads meanwhile */
	if (list_empty(&d->rs.tables))
		bnft_live_spare_prepare(bnft_live_pin_root());
out:
	bnft_msg_release(&req);
	bnft_msg_release(&rep);
	return kept;
}

static int listen_on(const char *root)
{
	struct sockaddr_un sa;
	unsigned int salen;
	int fd, err;

	err = bnft_daemon_addr(root, &sa, &salen);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, salen) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static bool root_gone(struct daemon *d)
{
	struct stat sb;

	if (!stat(bnft_live_pin_root(), &sb)) {
		d->root_seen = true;
		return false;
	}
	return d->root_seen && errno == ENOENT;
}

static void write_pidfile(void)
{
	char path[1024];
	FILE *f;

	if (bnft_live_state_file(".pid", path, sizeof(path)))
		return;
	mkdir("/run/bnft-state", 0700);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%d\n", getpid());
	fclose(f);
}

static void remove_pidfile(void)
{
	char path[1024];
	FILE *f;
	int pid = 0;

	if (bnft_live_state_file(".pid", path, sizeof(path)))
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid == getpid())
		unlink(path);
}

/* Test hook: die right after a flip, before the state is saved, when
 * $BNFT_FAULT_CRASH_AFTER_FLIP names a file that exists. */
static void crash_after_flip(void)
{
	const char *f = getenv("BNFT_FAULT_CRASH_AFTER_FLIP");

	if (f && !access(f, F_OK))
		raise(SIGKILL);
}

/* systemd Type=notify readiness without libsystemd. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	len = strlen(path);
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

/* libbpf warnings go to the log; the kernel's "Exclusivity flag on" from
 * creating a clsact qdisc that exists already is expected on every commit. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (strstr(buf, "Exclusivity flag on"))
		return 0;
	return fputs(buf, stderr);
}

static void usage(FILE *f)
{
	fputs("Usage: bnftd [--pin-root DIR] [--idle-exit SECS] [--auto]\n"
	      "  --pin-root DIR    bpffs directory of the live state (default\n"
	      "                    /run/bnft/net-<netns inode>)\n"
	      "  --idle-exit SECS  exit after SECS without requests (0: never, the default)\n"
	      "  --auto            started by bnft: idle exit after $BNFT_DAEMON_IDLE or 30 s,\n"
	      "                    log to /run/bnft-state/<root>.log\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-root", required_argument, NULL, 'r' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "auto", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .lfd = -1, .nlfd = -1, .genid = 1 };
	struct bnft_logd *logd = NULL;
	struct list_head msgs;
	uint64_t last, last_gc;
	bool autostart = false;
	int opt, err;

	bnft_malloc_tune(argv); /* daemon/lib/malloc_tune.h */
	bnft_malloc_keep();
	/* a commit's IR and programs are freed after the reply (late_free_run) */
	bnft_live_defer_frees(true);
	stock_on = !getenv("BNFT_NO_STOCK");
	while ((opt = getopt_long(argc, argv, "r:i:ah", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			bnft_live_set_pin_root(optarg);
			break;
		case 'i':
			d.idle_secs = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'a':
			autostart = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (autostart) {
		const char *env = getenv("BNFT_DAEMON_IDLE");

		d.idle_secs = env ? (unsigned int)strtoul(env, NULL, 10) : 30;
	}
	libbpf_set_print(libbpf_log);
	bnft_live_after_flip = crash_after_flip;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* the pin root name is resolved before leaving the caller's mounts */
	if (bnft_live_pin_root()[0] != '/') {
		char abs_root[4096];

		if (!realpath(bnft_live_pin_root(), abs_root)) {
			fprintf(stderr, "bnftd: pin root %s: %s\n", bnft_live_pin_root(),
				strerror(errno));
			return 1;
		}
		bnft_live_set_pin_root(abs_root);
	}
	if (chdir("/"))
		return 1;
	d.lfd = listen_on(bnft_live_pin_root());
	if (d.lfd < 0) {
		if (d.lfd == -EADDRINUSE) {
			/* one is running already (a client may have started
			 * it a moment before) */
			if (!autostart)
				fprintf(stderr, "bnftd: another bnftd serves %s\n",
					bnft_live_pin_root());
			return 0;
		}
		fprintf(stderr, "bnftd: cannot listen: %s\n", strerror(-d.lfd));
		return 1;
	}
	err = bnft_live_enter_host_mntns();
	if (err < 0)
		fprintf(stderr, "bnftd: cannot join the host mount namespace: %s\n",
			strerror(-err));
	if (autostart) {
		char path[1024];
		int fd;

		mkdir("/run/bnft-state", 0700);
		if (!bnft_live_state_file(".log", path, sizeof(path))) {
			fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			if (fd >= 0) {
				dup2(fd, 2);
				close(fd);
			}
		}
	}
	bnft_ruleset_init(&d.rs);
	d.rs.defer_free = true;
	bnft_live_park_on_flush = true;
	init_list_head(&msgs);
	if (reload_ruleset(&d, &msgs) < 0) {
		struct outbuf o;

		outbuf_init(&o);
		erec_print_list(&o, &msgs);
		logmsg("saved ruleset does not load back, starting empty:\n%.*s", (int)o.len,
		       o.buf ? o.buf : "");
		outbuf_release(&o);
	}
	erec_free_list(&msgs);
	write_pidfile();
	notify_ready();
	if (list_empty(&d.rs.tables)) /* the first commit takes it */
		bnft_live_spare_prepare(bnft_live_pin_root());
	logmsg("serving %s", bnft_live_pin_root());
	last = last_gc = now_ns();
	root_gone(&d); /* notes a pin root that exists now, so its removal is seen */
	d.nlfd = link_watch_open();
	/* `log` statements: records to the kernel log (daemon/lib/logd.h) */
	if (bnft_logd_open(bnft_live_pin_root(), &logd) < 0)
		logmsg("log statements will not be written: %s", strerror(errno));
	while (!stop) {
		struct pollfd pfd[3 + BNFTD_MAX_MONITORS] = {
			{ .fd = d.lfd, .events = POLLIN },
			{ .fd = d.nlfd, .events = POLLIN },
			{ .fd = bnft_logd_fd(logd), .events = POLLIN }
		};
		int timeout = 1000, n, cfd, k;

		/* a monitor client that sends or hangs up is done */
		for (k = 0; k < d.nmon; k++) {
			pfd[3 + k].fd = d.mon[k].fd;
			pfd[3 + k].events = POLLIN;
		}
		if (d.relink_at) {
			uint64_t now = now_ns();

			timeout = d.relink_at > now ? (int)((d.relink_at - now) / 1000000) + 1 : 0;
		}
		if (bnft_live_intent_pending() && timeout > SNAPSHOT_IDLE_MS)
			timeout = SNAPSHOT_IDLE_MS;
		/* idle: expressions for the next commit, a slice at a time */
		if (stock_on && bnft_expr_stock_wanted() && timeout > 0) {
			uint64_t idle_ms = (now_ns() - last) / 1000000;

			timeout = idle_ms >= SNAPSHOT_IDLE_MS ? 0
							      : (int)(SNAPSHOT_IDLE_MS - idle_ms);
		}
		if (d.garbage) /* a slice now unless a request is waiting */
			timeout = 0;
		n = poll(pfd, 3 + (nfds_t)d.nmon, timeout); /* negative fds are skipped */
		if (n < 0 && errno != EINTR)
			break;
		for (k = d.nmon - 1; n > 0 && k >= 0; k--)
			if (pfd[3 + k].revents)
				monitor_drop(&d, k);
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			cfd = accept4(d.lfd, NULL, NULL, SOCK_CLOEXEC);
			if (cfd >= 0) {
				if (!serve_one(&d, cfd))
					close(cfd);
				last = now_ns();
			}
		}
		if (n > 0 && d.nlfd >= 0 && (pfd[1].revents & POLLIN) && link_watch_read(d.nlfd) &&
		    !d.relink_at)
			d.relink_at = now_ns() + 200000000ull; /* let a burst of links settle */
		if (d.relink_at && now_ns() >= d.relink_at) {
			d.relink_at = 0;
			relink(&d);
			last = now_ns();
		}
		if (logd)
			bnft_logd_poll(logd);
		if (ruleset_has_gc_sets(&d.rs) && now_ns() - last_gc >= 1000000000ull) {
			bnft_setdump_reap(bnft_live_pin_root());
			last_gc = now_ns();
		}
		if (n > 0)
			continue;
		if (d.garbage) {
			garbage_slice(&d);
			continue;
		}
		if (bnft_live_intent_pending() &&
		    now_ns() - last >= SNAPSHOT_IDLE_MS * 1000000ull)
			snapshot(&d);
		if (stock_on && !bnft_live_intent_pending() &&
		    now_ns() - last >= SNAPSHOT_IDLE_MS * 1000000ull && bnft_expr_stock_wanted())
			bnft_expr_stock_fill(STOCK_SLICE);
		if (d.trim && now_ns() - last >= TRIM_IDLE_MS * 1000000ull) {
			if (!getenv("BNFT_NO_TRIM")) {
				/* idle this long: the memory goes back, the
				 * stock of expressions with it */
				bnft_expr_stock_drop();
				malloc_trim(0);
			}
			d.trim = false;
		}
		if (root_gone(&d)) {
			char path[1024];

			/* nothing is live any more: leave no log or state behind
			 * (a later daemon on the same path must not recover a
			 * ruleset that is not loaded) */
			if (!bnft_live_state_file(".log", path, sizeof(path)))
				unlink(path);
			if (!bnft_live_state_file(".nft", path, sizeof(path)))
				unlink(path);
			if (!bnft_live_state_file(".next", path, sizeof(path)))
				unlink(path);
			if (!bnft_live_state_file(".intent", path, sizeof(path)))
				unlink(path);
			if (!bnft_live_state_file(".lock", path, sizeof(path)))
				unlink(path);
			break;
		}
		/* a live ruleset that logs keeps its reader */
		if (d.idle_secs && !bnft_logd_busy(logd) && !d.nmon && !ruleset_has_gc_sets(&d.rs) &&
		    now_ns() - last > (uint64_t)d.idle_secs * 1000000000ull) {
			logmsg("idle for %u s, exiting (filtering goes on)", d.idle_secs);
			break;
		}
	}
	snapshot(&d);
	bnft_live_settle();
	bnft_logd_close(&logd);
	if (d.nlfd >= 0)
		close(d.nlfd);
	close(d.lfd);
	remove_pidfile();
	bnft_ruleset_release(&d.rs);
	bnft_live_late_free();
	logmsg("stopped after %lu requests", d.requests);
	return 0;
}
