// SPDX-License-Identifier: GPL-2.0
/*
 * In-place element updates of live set maps, and the state journal. See
 * live_elems.h for which sets and what a packet sees meanwhile.
 *
 * The map of a named set is found through the map specs of the last full
 * commit (codegen names it bnft_s<i> and records the set's name; the
 * kernel map id guards against a commit made by another process since).
 * Keys are built as the lowering builds NFTNL_SET_ELEM_KEY for the set's
 * elements (translator/lower.c), which is what codegen puts in the map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include <linux/netfilter/nf_tables.h>

#include <bpf/bpf.h>

#include "bpf/lib/abi.h"
#include "compat/lib/live.h"
#include "compat/lib/live_elems.h"
#include "translator/oht.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "translator/lower.h"
#include "translator/lower_int.h"

struct setmap {
	char set[64];
	size_t idx;		/* pinned as g<gen>/s<idx> */
	uint32_t key_size;
	uint32_t id;		/* kernel map id */
	/* an open hash table (translator/oht.h): slots, slot size, seed,
	 * probe limit; nslots 0 for a hash map */
	uint32_t nslots, slot_size, seed, probe;
};

static struct {
	struct setmap *m;
	size_t n;
	uint32_t gen;
} noted;

static int map_open(uint32_t gen, size_t idx)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/g%u/s%zu", bnft_live_pin_root(), gen, idx);
	fd = bpf_obj_get(p);
	return fd < 0 ? -errno : fd;
}

static uint32_t map_id(int fd, uint32_t *key_size)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	if (key_size)
		*key_size = info.key_size;
	return info.id;
}

void bnft_live_elems_note(const struct bnft_prog_set *ps, uint32_t gen)
{
	size_t i;

	free(noted.m);
	noted.m = NULL;
	noted.n = 0;
	if (!ps || !ps->nmaps)
		return;
	noted.m = calloc(ps->nmaps, sizeof(*noted.m));
	if (!noted.m)
		return;
	noted.gen = gen;
	for (i = 0; i < ps->nmaps; i++) {
		const struct bnft_map_spec *m = &ps->maps[i];
		struct setmap *sm = &noted.m[noted.n];
		int fd;

		bool oht = m->image && m->oht_klen &&
			   m->value_size == ((4 + ((m->oht_klen + 3) & ~3u) + 7) & ~7u);

		if (strncmp(m->name, "bnft_s", 6) || !m->set[0] ||
		    (!oht && (m->type != BPF_MAP_TYPE_HASH || m->value_size != 1)))
			continue;
		fd = map_open(gen, i);
		if (fd < 0)
			continue;
		sm->id = map_id(fd, NULL);
		close(fd);
		snprintf(sm->set, sizeof(sm->set), "%s", m->set);
		sm->idx = i;
		sm->key_size = oht ? m->oht_klen : m->key_size;
		sm->nslots = oht ? m->max_entries : 0;
		sm->slot_size = oht ? m->value_size : 0;
		sm->seed = m->oht_seed;
		sm->probe = m->oht_probe;
		noted.n++;
	}
}

static int active_gen(void);

int bnft_live_elems_renote(const struct bnft_ruleset *rs)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_ir *ir = NULL;
	struct list_head msgs;
	size_t i;
	int g = active_gen(), err;

	if (g < 0 || noted.m || list_empty(&rs->tables))
		return g < 0 ? g : 0;
	init_list_head(&msgs);
	err = bnft_lower(rs, &ir, &msgs);
	erec_free_list(&msgs);
	if (err < 0)
		return -EINVAL;
	err = bnft_compile(ir, &ps, NULL);
	bnft_ir_free(&ir);
	if (err < 0)
		return err;
	/* the same ruleset compiles to the same maps: check what is pinned
	 * (sizes may differ: rs may hold the request's elements already) */
	for (i = 0; i < ps->nmaps; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = map_open((uint32_t)g, i);

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.key_size != ps->maps[i].key_size ||
		    info.value_size != ps->maps[i].value_size || info.type != ps->maps[i].type) {
			if (fd >= 0)
				close(fd);
			bnft_prog_set_free(&ps);
			return -ESTALE;
		}
		close(fd);
	}
	bnft_live_elems_note(ps, (uint32_t)g);
	bnft_prog_set_free(&ps);
	return 0;
}

static int active_gen(void)
{
	char p[1024];
	uint32_t k = BNFT_CONF_ACTIVE, g;
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/conf", bnft_live_pin_root());
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &k, &g))
		err = -errno;
	close(fd);
	return err ? err : (int)(g & 1);
}

static const struct setmap *find(const struct bnft_ruleset *rs, const struct set *s)
{
	const struct table *t;
	const struct set *o;
	const struct setmap *hit = NULL;
	unsigned int same = 0;
	size_t i;

	/* the map spec knows the set's name only: it must be unique */
	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(o, &t->sets, list)
			same += o->handle.set && !strcmp(o->handle.set, s->handle.set);
	if (same != 1)
		return NULL;
	for (i = 0; i < noted.n; i++) {
		if (strcmp(noted.m[i].set, s->handle.set))
			continue;
		if (hit)
			return NULL; /* two maps for one set: not ours to guess */
		hit = &noted.m[i];
	}
	return hit;
}

int bnft_live_elems_map(const struct bnft_ruleset *rs, const struct set *s, uint32_t *ksize)
{
	const struct setmap *sm;

	/* concatenations: key layout not checked against traffic yet */
	if ((s->flags & (NFT_SET_ANONYMOUS | NFT_SET_MAP | NFT_SET_INTERVAL | NFT_SET_TIMEOUT |
			 NFT_SET_EVAL | NFT_SET_OBJECT | NFT_SET_CONCAT)) ||
	    (s->key && s->key->etype == EXPR_CONCAT) ||
	    s->timeout || !list_empty(&s->stmts) || !s->handle.set)
		return -EOPNOTSUPP;
	sm = find(rs, s);
	if (!sm || active_gen() != (int)noted.gen)
		return -ENOENT;
	*ksize = sm->key_size;
	return 0;
}

int bnft_live_elem_key(const struct set *s, const struct expr *e, struct bnft_elem_op *op,
		       uint32_t ksize)
{
	uint8_t b[BNFT_ELEM_KEY_MAX * 2];
	const struct expr *key;
	unsigned int n;

	if (!e || e->etype != EXPR_SET_ELEM || !e->elem.key || e->elem.timeout ||
	    e->elem.expiration || !list_empty(&e->elem.stmts) || ksize > BNFT_ELEM_KEY_MAX)
		return -EOPNOTSUPP;
	key = e->elem.key;
	if (key->etype == EXPR_SET_ELEM_CATCHALL)
		return -EOPNOTSUPP;
	n = lower_data_bytes(key, b, sizeof(b), false);
	if (!n || n > ksize)
		return -EOPNOTSUPP;
	memset(op->key, 0, sizeof(op->key));
	if (n < ksize && !(s->flags & NFT_SET_CONCAT) && key->etype != EXPR_CONCAT)
		memcpy(op->key + (ksize - n), b, n); /* as lower.c right aligns */
	else if (n == ksize)
		memcpy(op->key, b, n);
	else
		return -EOPNOTSUPP;
	op->klen = ksize;
	return 0;
}

/* ---------------------------------------------- open hash table sets */

static uint32_t *oht_state(uint8_t *base, const struct setmap *sm, uint32_t pos)
{
	return (uint32_t *)(base + (size_t)pos * sm->slot_size);
}

/* The key's slot (*found) or the first slot an add may take (*room), each
 * UINT32_MAX when there is none within the probe limit. */
static void oht_find(uint8_t *base, const struct setmap *sm, const uint8_t *key,
		     uint32_t *found, uint32_t *room, uint32_t *dist)
{
	uint32_t mask = sm->nslots - 1, home = bnft_oht_hash(key, sm->key_size, sm->seed) & mask;
	uint32_t p;

	*found = *room = UINT32_MAX;
	for (p = 0; p < sm->probe; p++) {
		uint32_t pos = (home + p) & mask, st = *oht_state(base, sm, pos);

		if (st == 0 || st == BNFT_OHT_TOMB) {
			if (*room == UINT32_MAX) {
				*room = pos;
				*dist = p;
			}
			if (st == 0)
				return; /* the lookup stops here too */
			continue;
		}
		if (!memcmp(base + (size_t)pos * sm->slot_size + 4, key, sm->key_size)) {
			*found = pos;
			return;
		}
	}
}

/*
 * Adds write the key, then the state (a packet sees the slot empty or
 * whole); deletes mark the slot deleted. An add with no free slot within
 * the probe limit fails: the caller commits the whole ruleset, which builds
 * the table anew.
 */
static int oht_apply(int fd, const struct setmap *sm, const struct bnft_elem_op *ops, size_t n)
{
	size_t len = (size_t)sm->nslots * sm->slot_size, i;
	uint32_t *pos = calloc(n + 1, sizeof(*pos));
	uint8_t *base;
	int err = 0;

	if (!pos)
		return -ENOMEM;
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		free(pos);
		return -errno;
	}
	for (i = 0; i < n && !err; i++) {
		uint32_t found, room, dist = 0;

		pos[i] = UINT32_MAX;
		if (ops[i].klen != sm->key_size) {
			err = -EINVAL;
			break;
		}
		oht_find(base, sm, ops[i].key, &found, &room, &dist);
		if (ops[i].add && found == UINT32_MAX) {
			uint8_t *slot = base + (size_t)room * sm->slot_size;

			if (room == UINT32_MAX) {
				err = -ENOSPC;
				break;
			}
			memset(slot + 4, 0, sm->slot_size - 4);
			memcpy(slot + 4, ops[i].key, sm->key_size);
			__atomic_store_n(oht_state(base, sm, room), dist + 1, __ATOMIC_RELEASE);
			pos[i] = room;
		} else if (!ops[i].add && found != UINT32_MAX) {
			__atomic_store_n(oht_state(base, sm, found), BNFT_OHT_TOMB, __ATOMIC_RELEASE);
			pos[i] = found;
		}
	}
	/* all or nothing: undo what was done (a deleted key's slot still
	 * holds it: its state comes back) */
	while (err && i-- > 0)
		if (pos[i] != UINT32_MAX) {
			uint32_t mask = sm->nslots - 1,
				 home = bnft_oht_hash(ops[i].key, sm->key_size, sm->seed) & mask;

			__atomic_store_n(oht_state(base, sm, pos[i]),
					 ops[i].add ? BNFT_OHT_TOMB : ((pos[i] - home) & mask) + 1,
					 __ATOMIC_RELEASE);
		}
	munmap(base, len);
	free(pos);
	return err;
}

int bnft_live_elems_apply(const struct bnft_ruleset *rs, const struct set *s,
			  const struct bnft_elem_op *ops, size_t n)
{
	const struct setmap *sm = find(rs, s);
	uint8_t one = 1;
	bool *done;
	size_t i;
	int fd, err = 0;

	if (!sm || active_gen() != (int)noted.gen)
		return -ENOENT;
	fd = map_open(noted.gen, sm->idx);
	if (fd < 0)
		return fd;
	if (map_id(fd, NULL) != sm->id) {
		close(fd);
		return -ESTALE;
	}
	if (sm->nslots) {
		err = oht_apply(fd, sm, ops, n);
		close(fd);
		return err;
	}
	done = calloc(n + 1, sizeof(*done));
	if (!done) {
		close(fd);
		return -ENOMEM;
	}
	for (i = 0; i < n && !err; i++) {
		if (ops[i].klen != sm->key_size) {
			err = -EINVAL;
		} else if (ops[i].add) {
			if (!bpf_map_update_elem(fd, ops[i].key, &one, BPF_NOEXIST))
				done[i] = true;
			else if (errno != EEXIST)
				err = errno == E2BIG ? -ENOSPC : -errno;
		} else {
			if (!bpf_map_delete_elem(fd, ops[i].key))
				done[i] = true;
			else if (errno != ENOENT)
				err = -errno;
		}
	}
	/* all or nothing: undo what was done */
	while (err && i-- > 0)
		if (done[i]) {
			if (ops[i].add)
				bpf_map_delete_elem(fd, ops[i].key);
			else
				bpf_map_update_elem(fd, ops[i].key, &one, BPF_NOEXIST);
		}
	free(done);
	close(fd);
	return err;
}

/* ---------------------------------------------------------------- journal */

static int journal_path(char *buf, size_t n)
{
	return bnft_live_state_file(".journal", buf, n);
}

int bnft_live_journal_append(const char *text, size_t len, off_t *before)
{
	char path[1024];
	ssize_t w;
	int fd, err = 0;

	if (journal_path(path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	*before = lseek(fd, 0, SEEK_END);
	w = write(fd, text, len);
	if (w < 0 || (size_t)w != len)
		err = w < 0 ? -errno : -EIO;
	if (!err && fsync(fd))
		err = -errno;
	if (err && *before >= 0 && ftruncate(fd, *before))
		err = -errno;
	close(fd);
	return err;
}

off_t bnft_live_journal_size(void)
{
	char path[1024];
	struct stat sb;

	if (journal_path(path, sizeof(path)) || stat(path, &sb))
		return 0;
	return sb.st_size;
}

void bnft_live_journal_truncate(off_t len)
{
	char path[1024];

	if (!journal_path(path, sizeof(path)) && len >= 0 && truncate(path, len))
		unlink(path); /* better no journal than a wrong one */
}

void bnft_live_journal_drop(void)
{
	char path[1024];

	if (!journal_path(path, sizeof(path)))
		unlink(path);
}

int bnft_live_journal_replay(struct bnft_ruleset *rs)
{
	char path[1024], line[4096];
	int applied = 0;
	FILE *f;

	if (journal_path(path, sizeof(path)))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct output_ctx octx = { 0 };
		struct ruleset_src src;
		struct parse_ctx pctx;
		struct list_head msgs;
		struct outbuf out;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		init_list_head(&msgs);
		ruleset_src_init(&src);
		parse_ctx_init(&pctx, &src, &msgs);
		outbuf_init(&out);
		if (bnft_parse_buffer(&pctx, line, "<journal>") == 0 &&
		    bnft_evaluate(rs, &src, &msgs, &octx, &out) == 0)
			applied++;
		outbuf_release(&out);
		erec_free_list(&msgs);
		parse_ctx_release(&pctx);
		ruleset_src_release(&src);
	}
	fclose(f);
	return applied;
}
