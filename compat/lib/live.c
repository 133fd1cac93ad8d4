// SPDX-License-Identifier: GPL-2.0
/*
 * The live path of the CLI without a daemon: the evaluated ruleset is
 * lowered (translator/lower), compiled (translator/codegen) and loaded
 * beside the live generation, which is then switched atomically
 * (daemon/lib/load). The ruleset text is kept in a state file so that a
 * later `bnft list ruleset` or `bnft add rule ...` starts from what is live.
 *
 * Pin root: pins must outlive the command. Under `ip netns exec` the
 * command runs in a transient mount namespace where a bpffs it mounts
 * vanishes when it ends, so the CLI first joins the mount namespace of
 * PID 1 (bnft_live_enter_host_mntns) and keeps its pins there, one pin
 * root per network namespace: /run/bnft/net-<netns inode>.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "compat/lib/live.h"
#include "compat/lib/live_elems.h"
#include "compat/lib/setdump.h"
#include "bpf/lib/abi.h"
#include "daemon/lib/load.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "translator/codegen.h"
#include "translator/ir_rules.h"
#include "translator/lower.h"
#include "translator/stmt_live.h"

#define BNFT_RUN_DIR "/run/bnft"
#define BNFT_STATE_DIR "/run/bnft-state"

static char pin_root[512];

/* Whether we run in PID 1's mount namespace (readlink works even where
 * opening the namespace is not allowed). Unknown counts as yes. */
static bool in_host_mntns(void)
{
	char a[64], b[64];
	ssize_t la, lb;

	la = readlink("/proc/self/ns/mnt", a, sizeof(a) - 1);
	lb = readlink("/proc/1/ns/mnt", b, sizeof(b) - 1);
	if (la <= 0 || lb <= 0)
		return true;
	return la == lb && !memcmp(a, b, (size_t)la);
}

int bnft_live_enter_host_mntns(void)
{
	int fd, err = 0;

	if (getenv("BNFT_NO_MNTNS_SWITCH") || in_host_mntns())
		return 0;
	fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNS))
		err = -errno;
	close(fd);
	return err;
}

static bool on_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && sf.f_type == BPF_FS_MAGIC;
}

/*
 * The pin root must sit on a bpffs that outlives this command: the program
 * array of the entry programs is emptied by the kernel when its last pin
 * and fd go, and every packet would then pass unfiltered. In PID 1's mount
 * namespace a bpffs mounted now lasts; in a transient one (ip netns exec) it
 * would not, so there it must exist already.
 */
static int check_pin_root(const char *root, struct list_head *msgs)
{
	char parent[512], *slash;

	if (on_bpffs(root))
		return 0;
	snprintf(parent, sizeof(parent), "%s", root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (on_bpffs(parent))
		return 0;
	if (in_host_mntns()) {
		if (mkdir(parent, 0700) && errno != EEXIST)
			return erec_error(msgs, &internal_location, "cannot create %s: %s", parent,
					  strerror(errno));
		if (mount("bpf", parent, "bpf", 0, "mode=0700"))
			return erec_error(msgs, &internal_location,
					  "cannot mount a bpffs on %s: %s", parent, strerror(errno));
		return 0;
	}
	return erec_error(msgs, &internal_location,
			  "pin root %s is not on a bpffs, and this command runs in a transient "
			  "mount namespace (ip netns exec?) where a bpffs mounted now would vanish "
			  "with it and filtering would stop; mount one first from the host: "
			  "mkdir -p %s && mount -t bpf bpf %s",
			  root, parent, parent);
}

void bnft_live_set_pin_root(const char *root)
{
	snprintf(pin_root, sizeof(pin_root), "%s", root);
}

const char *bnft_live_pin_root(void)
{
	struct stat st;

	if (pin_root[0])
		return pin_root;
	if (stat("/proc/self/ns/net", &st))
		snprintf(pin_root, sizeof(pin_root), "%s/net-init", BNFT_RUN_DIR);
	else
		snprintf(pin_root, sizeof(pin_root), "%s/net-%lu", BNFT_RUN_DIR,
			 (unsigned long)st.st_ino);
	return pin_root;
}

/* A state file of a pin root: /run/bnft-state/<pin root with / as _><ext>. */
int bnft_live_state_file(const char *ext, char *buf, size_t n)
{
	const char *root = bnft_live_pin_root();
	size_t len = strlen(BNFT_STATE_DIR) + 1;
	const char *p;

	if (len + strlen(root) + strlen(ext) + 1 > n)
		return -ENAMETOOLONG;
	snprintf(buf, n, "%s/", BNFT_STATE_DIR);
	for (p = root; *p; p++)
		buf[len++] = *p == '/' ? '_' : *p;
	snprintf(buf + len, n - len, "%s", ext);
	return 0;
}

static int state_path(char *buf, size_t n)
{
	return bnft_live_state_file(".nft", buf, n);
}

/*
 * Handles. The state file is the ruleset text (stateless) followed by
 * comment lines "#@bnft ..." that the parser skips and the restore reads:
 * the handle of every table, chain, set, object, flowtable and rule and the
 * handle generators, so that a ruleset evaluated back from the text lists
 * with the same handles (`list ruleset -a`) after deletes left gaps.
 */

/* Mirror of ruleset.c's private handle generator (list of these in
 * rs->hgens); read-only here except through ruleset_alloc_handle(). */
struct live_hgen {
	struct list_head list;
	const struct table *table;
	uint64_t next;
};

static uint64_t hgen_next(const struct bnft_ruleset *rs, const struct table *t)
{
	const struct live_hgen *g;

	list_for_each_entry(g, &rs->hgens, list)
		if (g->table == t)
			return g->next;
	return 0;
}

static void print_handles(const struct bnft_ruleset *rs, struct outbuf *o)
{
	const struct flowtable *f;
	const struct table *t;
	const struct chain *c;
	const struct rule *r;
	const struct set *s;
	const struct obj *ob;

	outbuf_printf(o, "#@bnft next %llu\n", (unsigned long long)rs->next_handle);
	list_for_each_entry(t, &rs->tables, list) {
		outbuf_printf(o, "#@bnft table %u %llu %llu %s\n", t->handle.family,
			      (unsigned long long)t->handle.handle.id,
			      (unsigned long long)hgen_next(rs, t), t->handle.table);
		list_for_each_entry(c, &t->chains, list)
			outbuf_printf(o, "#@bnft chain %llu %s\n",
				      (unsigned long long)c->handle.handle.id, c->handle.chain);
		list_for_each_entry(s, &t->sets, list) {
			if (s->flags & NFT_SET_ANONYMOUS)
				outbuf_printf(o, "#@bnft aset %llu\n",
					      (unsigned long long)s->handle.handle.id);
			else
				outbuf_printf(o, "#@bnft set %llu %s\n",
					      (unsigned long long)s->handle.handle.id,
					      s->handle.set);
		}
		list_for_each_entry(ob, &t->objs, list)
			outbuf_printf(o, "#@bnft obj %u %llu %s\n", ob->type,
				      (unsigned long long)ob->handle.handle.id, ob->handle.set);
		list_for_each_entry(f, &t->flowtables, list)
			outbuf_printf(o, "#@bnft flowtable %llu %s\n",
				      (unsigned long long)f->handle.handle.id, f->handle.set);
		list_for_each_entry(c, &t->chains, list) {
			unsigned int n = 0;

			list_for_each_entry(r, &c->rules, list)
				n++;
			outbuf_printf(o, "#@bnft rules %u", n);
			list_for_each_entry(r, &c->rules, list)
				outbuf_printf(o, " %llu", (unsigned long long)r->handle.handle.id);
			outbuf_printf(o, " %s\n", c->handle.chain);
		}
	}
}

/* Rest of the line after n space-separated numbers. */
static const char *skip_nums(const char *p, unsigned long long *v, unsigned int n)
{
	char *end;
	unsigned int i;

	for (i = 0; i < n; i++) {
		v[i] = strtoull(p, &end, 10);
		if (end == p || *end != ' ')
			return NULL;
		p = end + 1;
	}
	return p;
}

static void line_name(const char *p, char *name, size_t n)
{
	size_t len = strcspn(p, "\n");

	if (len >= n)
		len = n - 1;
	memcpy(name, p, len);
	name[len] = '\0';
}

/* Applies the "#@bnft" lines of text to rs (evaluated from that text).
 * Objects are matched by name (anonymous sets and rules by position); a
 * mismatch leaves the evaluated handles. Returns the number of mismatches. */
static int restore_handles(struct bnft_ruleset *rs, const char *text)
{
	struct table *t = NULL;
	struct set *aset = NULL;
	const char *p, *rest;
	unsigned long long v[4];
	char name[512];
	int bad = 0;

	for (p = strstr(text, "#@bnft "); p; p = strstr(p + 1, "#@bnft ")) {
		const char *l = p + 7;

		if (!strncmp(l, "next ", 5)) {
			rs->next_handle = strtoull(l + 5, NULL, 10);
		} else if (!strncmp(l, "table ", 6) && (rest = skip_nums(l + 6, v, 3))) {
			line_name(rest, name, sizeof(name));
			t = ruleset_table_lookup(rs, (unsigned int)v[0], name);
			aset = NULL;
			if (!t) {
				bad++;
				continue;
			}
			t->handle.handle.id = v[1];
			while (hgen_next(rs, t) < v[2])
				if (!ruleset_alloc_handle(rs, t))
					break;
		} else if (!t) {
			continue;
		} else if (!strncmp(l, "chain ", 6) && (rest = skip_nums(l + 6, v, 1))) {
			struct chain *c;

			line_name(rest, name, sizeof(name));
			c = table_chain_lookup(t, name);
			if (c)
				c->handle.handle.id = v[0];
			else
				bad++;
		} else if (!strncmp(l, "set ", 4) && (rest = skip_nums(l + 4, v, 1))) {
			struct set *s;

			line_name(rest, name, sizeof(name));
			s = table_set_lookup(t, name);
			if (s)
				s->handle.handle.id = v[0];
			else
				bad++;
		} else if (!strncmp(l, "aset ", 5)) {
			struct list_head *from = aset ? &aset->list : &t->sets;

			aset = NULL;
			for (from = from->next; from != &t->sets; from = from->next) {
				struct set *s = list_entry(from, struct set, list);

				if (s->flags & NFT_SET_ANONYMOUS) {
					aset = s;
					break;
				}
			}
			if (aset)
				aset->handle.handle.id = strtoull(l + 5, NULL, 10);
			else
				bad++;
		} else if (!strncmp(l, "obj ", 4) && (rest = skip_nums(l + 4, v, 2))) {
			struct obj *ob;

			line_name(rest, name, sizeof(name));
			ob = table_obj_lookup(t, (unsigned int)v[0], name);
			if (ob)
				ob->handle.handle.id = v[1];
			else
				bad++;
		} else if (!strncmp(l, "flowtable ", 10) && (rest = skip_nums(l + 10, v, 1))) {
			struct flowtable *f;

			line_name(rest, name, sizeof(name));
			f = table_flowtable_lookup(t, name);
			if (f)
				f->handle.handle.id = v[0];
			else
				bad++;
		} else if (!strncmp(l, "rules ", 6) && (rest = skip_nums(l + 6, v, 1))) {
			unsigned long long n = v[0], i, h;
			const char *q = rest, *nm;
			struct chain *c;
			struct rule *r;
			char *end;

			for (i = 0, nm = q; i < n; i++) {
				strtoull(nm, &end, 10);
				if (end == nm || *end != ' ')
					break;
				nm = end + 1;
			}
			if (i < n) {
				bad++;
				continue;
			}
			line_name(nm, name, sizeof(name));
			c = table_chain_lookup(t, name);
			i = 0;
			if (c)
				list_for_each_entry(r, &c->rules, list)
					i++;
			if (!c || i != n) {
				bad++;
				continue;
			}
			list_for_each_entry(r, &c->rules, list) {
				h = strtoull(q, &end, 10);
				q = end + 1;
				r->handle.handle.id = h;
			}
		}
	}
	return bad;
}

static struct rule *find_rule(struct chain *c, uint32_t index, uint64_t handle)
{
	struct rule *r;
	uint32_t i = 0;

	list_for_each_entry(r, &c->rules, list)
		if (i++ == index)
			break;
	if (&r->list != &c->rules && (!handle || r->handle.handle.id == handle))
		return r;
	return handle ? chain_rule_lookup_handle(c, handle) : NULL;
}

struct counter_fill {
	struct bnft_ruleset *rs;
	bool by_handle;
};

static struct chain *find_chain(struct bnft_ruleset *rs, uint32_t family, const char *table,
				const char *chain)
{
	struct table *t;
	struct chain *c;

	list_for_each_entry(t, &rs->tables, list) {
		if (t->handle.family != family || strcmp(t->handle.table, table))
			continue;
		list_for_each_entry(c, &t->chains, list)
			if (!strcmp(c->handle.chain, chain))
				return c;
	}
	return NULL;
}

/* Live counter values replace the ones of the ruleset: by handle when the
 * ruleset's handles are those of the live generation (daemon), else by
 * position in the chain (a state text evaluated back without handles). */
static int fill_counter(const struct bnft_counter_row *row, void *data)
{
	struct counter_fill *cf = data;
	struct chain *c = find_chain(cf->rs, row->family, row->table, row->chain);
	struct rule *r;
	struct stmt *s;

	if (!c)
		return 0;
	r = find_rule(c, row->index, cf->by_handle ? row->handle : 0);
	if (!r)
		return 0;
	list_for_each_entry(s, &r->stmts, list) {
		if (s->type != STMT_COUNTER)
			continue;
		s->counter.packets = row->packets;
		s->counter.bytes = row->bytes;
		break;
	}
	return 0;
}

int bnft_live_refresh_counters(struct bnft_ruleset *rs)
{
	struct counter_fill cf = { .rs = rs, .by_handle = true };
	const char *root = bnft_live_pin_root();
	char conf[600];

	snprintf(conf, sizeof(conf), "%s/conf", root);
	if (access(conf, F_OK))
		return 0; /* nothing loaded yet */
	bnft_setdump_refresh(rs, root); /* live set elements (compat/lib/setdump.c) */
	bnft_live_refresh_objects(rs, root); /* named counters/quotas, quota used */
	return bnft_live_counters(root, fill_counter, &cf);
}

static int read_text(const char *path, char **text)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 16, n = 0, r;
	char *b = NULL, *nb;

	if (!f)
		return -errno;
	for (;;) {
		if (!b || n + 1 >= cap) {
			cap = b ? cap * 2 : cap;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	b[n] = '\0';
	*text = b;
	return 0;
}

static void promote_next(void);

int bnft_live_restore_text(struct bnft_ruleset *rs, const char *text, const char *name,
			   struct list_head *msgs)
{
	struct output_ctx octx = { 0 };
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct outbuf out;
	char *copy;
	size_t len = strlen(text);
	int err = 0;

	/* bnft_parse_buffer() appends the newline the text ends with */
	copy = strdup(text);
	if (!copy)
		return erec_error(msgs, &internal_location, "out of memory");
	if (len && copy[len - 1] == '\n')
		copy[len - 1] = '\0';
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, msgs);
	outbuf_init(&out);
	if (bnft_parse_buffer(&pctx, copy, name) < 0 ||
	    bnft_evaluate(rs, &src, msgs, &octx, &out) < 0)
		err = -1;
	outbuf_release(&out);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	free(copy);
	if (err)
		return erec_error(msgs, &internal_location, "live state %s does not load back", name);
	return restore_handles(rs, text);
}

/*
 * The intent log (a write-ahead log of commits). A daemon commit of a
 * self-contained request (no include, no -D) appends the request text to
 * <state>.intent, tagged with the generation it is meant for, before the
 * switch, instead of printing the whole state text; the daemon folds the log
 * into the state text when it is idle (bnft_live_snapshot). State = the state
 * text, then the element journal (in-place updates happen only while the log
 * is empty), then the log's records in order. Only the last record can be of
 * a commit whose switch did not happen (the daemon killed in between, as for
 * .next): it is dropped when its generation is not the live one.
 */
static struct {
	const char *text;
	size_t len;
	bool pending; /* records in the log */
} intent;

static int save_state(const struct bnft_ruleset *rs, const char *ext, int gen);
static int live_active_gen(void);

static int fold_lock(int op);

#define INTENT_TAG "#@bnft intent gen "

void bnft_live_set_intent(const char *text, size_t len)
{
	intent.text = text;
	intent.len = len;
}

bool bnft_live_intent_pending(void)
{
	return intent.pending;
}

/* Appends a record; *before: the log's length before it. */
static int write_intent(int gen, off_t *before)
{
	char path[1024], hdr[96];
	int fd, n, err = 0;

	if (bnft_live_state_file(".intent", path, sizeof(path)))
		return -ENAMETOOLONG;
	if (mkdir(BNFT_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	*before = lseek(fd, 0, SEEK_END);
	n = snprintf(hdr, sizeof(hdr), INTENT_TAG "%d len %zu\n", gen, intent.len);
	if (write(fd, hdr, (size_t)n) != n ||
	    write(fd, intent.text, intent.len) != (ssize_t)intent.len || write(fd, "\n", 1) != 1)
		err = -EIO;
	if (err && *before >= 0 && ftruncate(fd, *before))
		err = -errno;
	close(fd);
	return err;
}

static void truncate_intent(off_t len)
{
	char path[1024];

	if (bnft_live_state_file(".intent", path, sizeof(path)))
		return;
	if (len <= 0 || truncate(path, len))
		unlink(path);
}

static void remove_intent(void)
{
	truncate_intent(0);
	intent.pending = false;
}

int bnft_live_snapshot(const struct bnft_ruleset *rs)
{
	int err, fd;

	if (!intent.pending)
		return 0;
	fd = fold_lock(LOCK_EX);
	err = save_state(rs, ".nft", live_active_gen());
	if (err >= 0) {
		bnft_live_journal_drop();
		remove_intent();
	} /* else the log stays: it still describes the state */
	if (fd >= 0)
		close(fd);
	return err < 0 ? err : 1;
}

/* Replays the log's records whose switch happened; -1 when one does not
 * evaluate. *n: records replayed. */
static int replay_intents(struct bnft_ruleset *rs, struct list_head *msgs, int *n, bool reader)
{
	char path[1024], *text = NULL, *p, *end;
	int active = live_active_gen(), err = 0;

	*n = 0;
	if (bnft_live_state_file(".intent", path, sizeof(path)) || access(path, R_OK))
		return 0;
	if (read_text(path, &text) || active < 0) {
		free(text);
		if (!reader)
			unlink(path);
		return 0;
	}
	end = text + strlen(text);
	for (p = text; !err && p < end;) {
		char *body = strchr(p, '\n');
		unsigned long long len = 0;
		int gen = -1;

		if (!body || sscanf(p, INTENT_TAG "%d len %llu", &gen, &len) != 2 ||
		    len > (unsigned long long)(end - body - 1))
			break; /* a torn record: the crash came while it was written */
		body++;
		if (body + len + 1 >= end && gen != active)
			break; /* the last one, whose switch did not happen */
		body[len] = '\0';
		{
			struct output_ctx octx = { 0 };
			struct ruleset_src src;
			struct parse_ctx pctx;
			struct outbuf out;

			ruleset_src_init(&src);
			parse_ctx_init(&pctx, &src, msgs);
			outbuf_init(&out);
			if (bnft_parse_buffer(&pctx, body, "<intent>") < 0 ||
			    bnft_evaluate(rs, &src, msgs, &octx, &out) < 0)
				err = -1;
			outbuf_release(&out);
			parse_ctx_release(&pctx);
			ruleset_src_release(&src);
		}
		(*n)++;
		p = body + len + 1;
	}
	free(text);
	return err;
}

static int load_state(struct bnft_ruleset *rs, struct list_head *msgs, bool reader);

int bnft_live_load_state(struct bnft_ruleset *rs, struct list_head *msgs)
{
	return load_state(rs, msgs, false);
}

/*
 * The daemon folds the intent log when it is idle: it writes the state file
 * (a rename), then empties the log and the element journal. A reader that
 * read the state before a fold and the log after it would miss the commits
 * in between, or apply them twice the other way round; it holds the lock
 * file <state>.lock shared while it reads, a fold holds it exclusive.
 * Returns an fd to close, or -1 (no lock: nothing saved yet, or no flock).
 */
static int fold_lock(int op)
{
	char path[1024];
	int fd;

	if (bnft_live_state_file(".lock", path, sizeof(path)))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, op)) {
		close(fd);
		return -1;
	}
	return fd;
}

int bnft_live_read_state(struct bnft_ruleset *rs, struct list_head *msgs)
{
	int fd = fold_lock(LOCK_SH), err;

	err = load_state(rs, msgs, true);
	if (fd >= 0)
		close(fd);
	return err;
}

static int load_state(struct bnft_ruleset *rs, struct list_head *msgs, bool reader)
{
	struct counter_fill cf = { .rs = rs };
	char path[1024], *text = NULL;
	int err;

	int nintent = 0;

	if (!reader)
		promote_next();
	if (state_path(path, sizeof(path)) || access(path, R_OK)) {
		char ipath[1024];

		err = 0;
		if (bnft_live_state_file(".intent", ipath, sizeof(ipath)) || access(ipath, R_OK))
			return 0; /* nothing live yet */
	} else {
		err = read_text(path, &text);
		if (err < 0)
			return erec_error(msgs, &internal_location, "reading %s: %s", path,
					  strerror(-err));
		err = bnft_live_restore_text(rs, text, path, msgs);
		free(text);
		if (err < 0)
			return -1;
	}
	/* element updates made in place since (compat/lib/live_elems.h) */
	bnft_live_journal_replay(rs);
	/* commits since, recorded by their requests */
	if (replay_intents(rs, msgs, &nintent, reader) < 0)
		return erec_error(msgs, &internal_location,
				  "a commit of the intent log does not load back");
	if (reader) {
		/* the log and the state files are the daemon's to change */
	} else if (nintent) {
		intent.pending = true;
		if (bnft_live_snapshot(rs) < 0)
			return erec_error(msgs, &internal_location, "saving ruleset state");
	} else {
		remove_intent();
	}
	cf.by_handle = err == 0;
	bnft_live_counters(bnft_live_pin_root(), fill_counter, &cf);
	bnft_setdump_refresh(rs, bnft_live_pin_root());
	bnft_live_refresh_objects(rs, bnft_live_pin_root());
	return 0;
}

int bnft_live_state_text(const struct bnft_ruleset *rs, struct outbuf *out)
{
	struct output_ctx octx = { .stateless = true };

	bnft_print_ruleset(rs, &octx, out);
	print_handles(rs, out);
	return out->err;
}

/* Writes the state text of rs to the state file with ext (".nft" or
 * ".next"), with the generation it is live in when gen >= 0. */
static int save_state(const struct bnft_ruleset *rs, const char *ext, int gen)
{
	char path[1024], tmp[1100];
	struct outbuf out;
	FILE *f;
	int err = 0;

	if (bnft_live_state_file(ext, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (mkdir(BNFT_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	outbuf_init(&out);
	err = bnft_live_state_text(rs, &out);
	if (!err && gen >= 0)
		outbuf_printf(&out, "#@bnft gen %d\n", gen);
	if (err || out.err) {
		err = err ?: out.err;
		outbuf_release(&out);
		return err;
	}
	f = fopen(tmp, "w");
	if (!f) {
		outbuf_release(&out);
		return -errno;
	}
	if (out.len && fwrite(out.buf, 1, out.len, f) != out.len)
		err = -EIO;
	if (!err && fflush(f))
		err = -errno;
	/* no fsync: the state must survive the daemon (kill -9), which the
	 * page cache and the atomic rename give; it need not survive a reboot,
	 * which empties bpffs and every pin it describes */
	if (fclose(f) && !err)
		err = -errno;
	outbuf_release(&out);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* The active generation word of the live state (bpf/lib/abi.h), or a
 * negative errno when nothing is loaded. */
static int live_active_gen(void)
{
	uint32_t key = BNFT_CONF_ACTIVE, g = 0;
	char path[600];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/conf", bnft_live_pin_root());
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, &g))
		err = -errno;
	close(fd);
	return err ? err : (int)(g & 1);
}

static int text_gen(const char *path)
{
	char *text = NULL, *p;
	int gen = -1;

	if (read_text(path, &text))
		return -1;
	p = strstr(text, "#@bnft gen ");
	if (p)
		gen = atoi(p + 11);
	free(text);
	return gen;
}

/*
 * A commit writes the new state to <state>.next before the load and renames
 * it over <state> after the flip. A daemon killed in between leaves .next:
 * it is what is live when the active generation is the one .next was meant
 * for (the loader fills the inactive one), else the flip did not happen.
 */
static void promote_next(void)
{
	char cur[1024], next[1024];
	int active, gn, gc;

	if (bnft_live_state_file(".nft", cur, sizeof(cur)) ||
	    bnft_live_state_file(".next", next, sizeof(next)) || access(next, F_OK))
		return;
	active = live_active_gen();
	gn = text_gen(next);
	gc = access(cur, F_OK) ? -1 : text_gen(cur);
	if (active >= 0 && ((gn >= 0 && gn == active) || (gn < 0 && gc != active)))
		rename(next, cur);
	else
		unlink(next);
}

static int remove_state(void)
{
	char path[1024];

	if (state_path(path, sizeof(path)))
		return -ENAMETOOLONG;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * Test hook: when $BNFT_FAULT_VERIFIER names a file that exists, the first
 * program reads past the stack frame so that the verifier rejects the
 * generation (tests/tier-daemon.sh checks that nothing changes then).
 */
static void fault_inject(struct bnft_prog_set *ps)
{
	const char *f = getenv("BNFT_FAULT_VERIFIER");

	if (!f || access(f, F_OK) || !ps->nprogs || !ps->progs[0].ninsns)
		return;
	ps->progs[0].insns[0] = (struct bpf_insn){
		.code = BPF_LDX | BPF_MEM | BPF_DW,
		.dst_reg = BPF_REG_0,
		.src_reg = BPF_REG_10,
		.off = 8,
	};
}

static void remove_next(void)
{
	char path[1024];

	if (!bnft_live_state_file(".next", path, sizeof(path)))
		unlink(path);
}

static int rename_next(void)
{
	char cur[1024], next[1024];

	if (bnft_live_state_file(".nft", cur, sizeof(cur)) ||
	    bnft_live_state_file(".next", next, sizeof(next)))
		return -ENAMETOOLONG;
	return rename(next, cur) ? -errno : 0;
}

void (*bnft_live_after_flip)(void);

static struct bnft_commit_times last_times;

/* The IRs and program sets of commits done while deferring
 * (bnft_live_defer_frees), oldest first; a full queue frees its oldest at
 * once. */
#define LATE_MAX 4
static struct {
	bool on;
	size_t n;
	struct {
		struct bnft_ir *ir;
		struct bnft_prog_set *ps;
	} q[LATE_MAX];
} late;

void bnft_live_defer_frees(bool on)
{
	late.on = on;
	if (!on)
		bnft_live_late_free();
}

/* Frees the oldest kept commit's objects, or about `budget` rules of them;
 * whether it is gone. */
static bool late_pop(size_t budget)
{
	bnft_prog_set_free(&late.q[0].ps);
	if (!bnft_ir_free_some(&late.q[0].ir, budget))
		return false;
	memmove(&late.q[0], &late.q[1], (late.n - 1) * sizeof(late.q[0]));
	late.n--;
	return true;
}

void bnft_live_late_free(void)
{
	while (late.n)
		late_pop(SIZE_MAX);
}

bool bnft_live_late_free_some(size_t budget)
{
	return !late.n || (late_pop(budget) && !late.n);
}

/* Frees *ir and *ps now, or keeps them for bnft_live_late_free*() when
 * deferring. */
static void commit_release(struct bnft_ir **ir, struct bnft_prog_set **ps)
{
	if (late.on) {
		if (late.n == LATE_MAX)
			late_pop(SIZE_MAX);
		late.q[late.n].ir = *ir;
		late.q[late.n].ps = *ps;
		late.n++;
		*ir = NULL;
		*ps = NULL;
		return;
	}
	bnft_prog_set_free(ps);
	bnft_ir_free(ir);
}

const struct bnft_commit_times *bnft_live_last_times(void)
{
	return &last_times;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bnft_live_commit(const struct bnft_ruleset *rs, uint32_t flags, struct list_head *msgs,
		     struct bnft_load_stats *st)
{
	return bnft_live_commit_ex(rs, flags, NULL, 0, msgs, st);
}

/*
 * The state text of the new ruleset is printed and written to <state>.next
 * by a thread beside lowering, compiling and loading (they only read the
 * ruleset too); the loader waits for it right before the switch, so a
 * generation never goes live without its state on disk.
 */
struct state_job {
	pthread_t th;
	const struct bnft_ruleset *rs;
	int gen;
	int err;
	bool running;
	uint64_t ns;
};

static void *state_job_main(void *arg)
{
	struct state_job *j = arg;
	uint64_t t = mono_ns();

	j->err = save_state(j->rs, ".next", j->gen);
	j->ns = mono_ns() - t;
	return NULL;
}

static void state_job_start(struct state_job *j, const struct bnft_ruleset *rs, int gen)
{
	j->rs = rs;
	j->gen = gen;
	j->err = 0;
	j->running = !pthread_create(&j->th, NULL, state_job_main, j);
	if (!j->running)
		state_job_main(j); /* no thread: in line */
}

static int state_job_wait(void *arg)
{
	struct state_job *j = arg;

	if (j->running) {
		pthread_join(j->th, NULL);
		j->running = false;
	}
	return j->err;
}

int bnft_live_commit_ex(const struct bnft_ruleset *rs, uint32_t flags,
			const struct bnft_rule_key *fresh, size_t nfresh, struct list_head *msgs,
			struct bnft_load_stats *st)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_ir *ir = NULL;
	struct bnft_err cerr = { 0 };
	struct state_job job = { 0 };
	const char *root = bnft_live_pin_root();
	bool use_intent, unparking;
	off_t ibefore = -1;
	int err, active, expect;
	uint64_t t = mono_ns(), t2;

	memset(st, 0, sizeof(*st));
	memset(&last_times, 0, sizeof(last_times));
	if (check_pin_root(root, msgs) < 0)
		return -1;
	/* a commit without a record folds the log first */
	if (intent.pending && !intent.text && bnft_live_snapshot(rs) < 0)
		return erec_error(msgs, &internal_location, "saving ruleset state");
	if (list_empty(&rs->tables)) {
		remove_intent();
		/* the handle generators live on in the saved state */
		err = bnft_live_flush(root);
		if (err < 0)
			return erec_error(msgs, &internal_location, "flushing %s: %s", root,
					  strerror(-err));
		remove_next();
		bnft_live_journal_drop();
		bnft_live_elems_note(NULL, 0);
		if (rs->next_handle)
			err = save_state(rs, ".nft", -1);
		else
			err = remove_state();
		return err < 0 ? erec_error(msgs, &internal_location, "saving ruleset state: %s",
					    strerror(-err))
			       : 0;
	}
	/* the loader fills the inactive generation; with nothing live (a
	 * fresh or parked entry object, conf all zero) that is 1 */
	active = live_active_gen();
	expect = active >= 0 ? 1 - active : 1;
	/* a self-contained request: its text is the record; else the state
	 * text, printed beside the compile */
	use_intent = intent.text && expect >= 0 && !write_intent(expect, &ibefore);
	if (!use_intent)
		state_job_start(&job, rs, expect);
	/* after a flush: the entry object attaches while this lowers */
	unparking = bnft_live_unpark_start(root);
	err = bnft_lower(rs, &ir, msgs) < 0 ? -EINVAL : 0;
	t2 = mono_ns();
	last_times.lower_ns = t2 - t;
	t = t2;
	if (!err) {
		err = bnft_compile(ir, &ps, &cerr);
		t2 = mono_ns();
		last_times.compile_ns = t2 - t;
		/* the lowering's record was for the compile (ir_rules.h); the IR
		 * itself may be kept a while (commit_release) */
		bnft_ir_rules_free(&ir->lowered);
		t = t2;
		if (err < 0)
			erec_error(msgs, &internal_location, "%s",
				   cerr.msg[0] ? cerr.msg : strerror(-err));
	}
	if (err < 0) {
		state_job_wait(&job);
		remove_next();
		if (use_intent)
			truncate_intent(ibefore);
		bnft_ir_free(&ir);
		if (unparking)
			bnft_live_unpark_cancel(root);
		return -1;
	}
	fault_inject(ps);
	bnft_live_before_flip = use_intent ? NULL : state_job_wait;
	bnft_live_before_flip_data = &job;
	err = bnft_live_apply_ex(ps, root, flags, fresh, nfresh, st);
	bnft_live_before_flip = NULL;
	bnft_live_before_flip_data = NULL;
	t2 = mono_ns();
	last_times.load_ns = t2 - t;
	t = t2;
	state_job_wait(&job); /* the loader may fail before it waits */
	/* the thread's own time: it overlaps lowering, compiling and loading */
	last_times.save_ns = job.ns;
	/* set maps that element updates may change in place (live_elems.h) */
	bnft_live_elems_note(err >= 0 ? ps : NULL, st->gen);
	commit_release(&ir, &ps);
	if (err >= 0 && bnft_live_after_flip)
		bnft_live_after_flip();
	if (err >= 0)
		bnft_live_objects_settle(root); /* exact object values (stmt_live.h) */
	if (err >= 0)
		bnft_setdump_carry(root); /* set elements the datapath added meanwhile */
	if (err < 0) {
		remove_next();
		if (use_intent)
			truncate_intent(ibefore);
		if (unparking)
			bnft_live_unpark_cancel(root);
		if (job.err < 0)
			return erec_error(msgs, &internal_location, "saving ruleset state: %s",
					  strerror(-job.err));
		if (st->verifier_log[0])
			return erec_error(msgs, &internal_location,
					  "the kernel refused the compiled ruleset (%s): %s",
					  strerror(-err), st->verifier_log);
		return erec_error(msgs, &internal_location, "loading the ruleset: %s",
				  strerror(-err));
	}
	if (use_intent) {
		/* the state text later (bnft_live_snapshot); now when the
		 * record names another generation than went live */
		intent.pending = true;
		if ((int)st->gen == expect)
			return 0;
		truncate_intent(ibefore);
		err = bnft_live_snapshot(rs);
		return err < 0 ? erec_error(msgs, &internal_location, "saving ruleset state: %s",
					    strerror(-err))
			       : 0;
	}
	bnft_live_journal_drop(); /* .next holds what the journal did */
	if ((int)st->gen == expect)
		err = rename_next();
	else
		err = save_state(rs, ".nft", (int)st->gen);
	remove_next();
	last_times.save_ns += mono_ns() - t;
	if (err < 0)
		return erec_error(msgs, &internal_location, "saving ruleset state: %s",
				  strerror(-err));
	return 0;
}

int bnft_apply_live(const struct bnft_ruleset *rs, struct list_head *msgs)
{
	struct bnft_load_stats *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return erec_error(msgs, &internal_location, "out of memory");
	err = bnft_live_commit(rs, 0, msgs, st);
	free(st);
	return err;
}
