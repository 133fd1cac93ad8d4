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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "compat/lib/live.h"
#include "daemon/lib/load.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "translator/codegen.h"
#include "translator/lower.h"

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

/* The state file of a pin root: /run/bnft-state/<pin root with / as _>. */
static int state_path(char *buf, size_t n)
{
	const char *root = bnft_live_pin_root();
	size_t len = strlen(BNFT_STATE_DIR) + 1;
	const char *p;

	if (len + strlen(root) + 5 > n)
		return -ENAMETOOLONG;
	snprintf(buf, n, "%s/", BNFT_STATE_DIR);
	for (p = root; *p; p++)
		buf[len++] = *p == '/' ? '_' : *p;
	snprintf(buf + len, n - len, ".nft");
	return 0;
}

struct counter_fill {
	struct bnft_ruleset *rs;
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

/* Live counter values replace the ones in the state text. Rules are matched
 * by position in their chain: the state file is re-evaluated, so handles of
 * the text and of the live programs are assigned by the same sequence. */
static int fill_counter(const struct bnft_counter_row *row, void *data)
{
	struct counter_fill *cf = data;
	struct chain *c = find_chain(cf->rs, row->family, row->table, row->chain);
	uint32_t i = 0;
	struct rule *r;
	struct stmt *s;

	if (!c)
		return 0;
	list_for_each_entry(r, &c->rules, list) {
		if (i++ != row->index)
			continue;
		list_for_each_entry(s, &r->stmts, list) {
			if (s->type != STMT_COUNTER)
				continue;
			s->counter.packets = row->packets;
			s->counter.bytes = row->bytes;
			break;
		}
		break;
	}
	return 0;
}

int bnft_live_load_state(struct bnft_ruleset *rs, struct list_head *msgs)
{
	struct output_ctx octx = { 0 };
	struct counter_fill cf = { .rs = rs };
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct outbuf out;
	char path[1024];
	int err = 0;

	if (state_path(path, sizeof(path)) || access(path, R_OK))
		return 0; /* nothing live yet */
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, msgs);
	outbuf_init(&out);
	if (bnft_parse_file(&pctx, path) < 0 || bnft_evaluate(rs, &src, msgs, &octx, &out) < 0) {
		erec_error(msgs, &internal_location, "live state %s does not load back", path);
		err = -1;
	}
	outbuf_release(&out);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	if (!err)
		bnft_live_counters(bnft_live_pin_root(), fill_counter, &cf);
	return err;
}

static int save_state(const struct bnft_ruleset *rs)
{
	struct output_ctx octx = { .stateless = true };
	char path[1024], tmp[1100];
	struct outbuf out;
	FILE *f;
	int err = 0;

	if (state_path(path, sizeof(path)))
		return -ENAMETOOLONG;
	if (mkdir(BNFT_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	outbuf_init(&out);
	bnft_print_ruleset(rs, &octx, &out);
	f = fopen(tmp, "w");
	if (!f) {
		outbuf_release(&out);
		return -errno;
	}
	if (out.len && fwrite(out.buf, 1, out.len, f) != out.len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	outbuf_release(&out);
	if (!err && rename(tmp, path))
		err = -errno;
	return err;
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

int bnft_apply_live(const struct bnft_ruleset *rs, struct list_head *msgs)
{
	struct bnft_load_stats st = { 0 };
	struct bnft_prog_set *ps = NULL;
	struct bnft_ir *ir = NULL;
	struct bnft_err cerr = { 0 };
	const char *root = bnft_live_pin_root();
	int err;

	if (check_pin_root(root, msgs) < 0)
		return -1;
	if (list_empty(&rs->tables)) {
		err = bnft_live_flush(root);
		if (err < 0)
			return erec_error(msgs, &internal_location, "flushing %s: %s", root,
					  strerror(-err));
		remove_state();
		return 0;
	}
	if (bnft_lower(rs, &ir, msgs) < 0)
		return -1;
	err = bnft_compile(ir, &ps, &cerr);
	if (err < 0) {
		bnft_ir_free(&ir);
		return erec_error(msgs, &internal_location, "%s", cerr.msg[0] ? cerr.msg
								       : strerror(-err));
	}
	err = bnft_live_apply(ps, root, &st);
	bnft_prog_set_free(&ps);
	bnft_ir_free(&ir);
	if (err < 0) {
		if (st.verifier_log[0])
			return erec_error(msgs, &internal_location,
					  "the kernel refused the compiled ruleset (%s): %s",
					  strerror(-err), st.verifier_log);
		return erec_error(msgs, &internal_location, "loading the ruleset: %s",
				  strerror(-err));
	}
	err = save_state(rs);
	if (err < 0)
		return erec_error(msgs, &internal_location, "saving ruleset state: %s",
				  strerror(-err));
	return 0;
}
