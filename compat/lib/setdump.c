// SPDX-License-Identifier: GPL-2.0
/*
 * Live set contents into the ruleset: the elements of sets with timeouts
 * or datapath updates (bpf/lib/dynset.h) as the maps of the active
 * generation hold them. Used before a listing (`list ruleset` shows
 * elements the datapath added, with `expires`) and before a commit (the
 * new generation's maps start with the live elements and their remaining
 * time, so a swap neither forgets nor renews them). Expired entries found
 * on the way are deleted from the maps (the reaper).
 *
 * Elements the datapath adds between this read and the flip of a later
 * commit are not carried into the new generation.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/netfilter/nf_tables.h>

#include <bpf/bpf.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/dynset.h"
#include "compat/lib/setdump.h"
#include "parser/ast.h"
#include "parser/value.h"
#include "translator/lower_int.h"

#define SD_MAX_MAPS 256
#define SD_KEY_MAX 64

struct sd_map {
	uint32_t hash, id;
	int fd;
	uint32_t type, key_size, value_size;
};

struct sd_live {
	uint8_t key[SD_KEY_MAX];
	uint8_t *val;
	bool used;
};

/* Keys of each map the last refresh read (for bnft_setdump_carry()). */
struct sd_seen {
	uint32_t map_id, key_size;
	uint8_t *keys; /* sorted, n * key_size */
	size_t n;
};
static struct sd_seen seen[SD_MAX_MAPS];
static size_t nseen;

static void seen_clear(void)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		free(seen[i].keys);
	nseen = 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int active_gen(const char *root, uint32_t *gen)
{
	char p[4096];
	uint32_t k = BNFT_CONF_ACTIVE;
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/conf", root);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &k, gen))
		err = -errno;
	close(fd);
	return err;
}

static size_t open_maps(const char *root, uint32_t gen, struct sd_map *maps, size_t max)
{
	char dir[4096], p[4096 + 300];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/g%u", root, gen);
	d = opendir(dir);
	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd;

		if (de->d_name[0] != 's')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(p);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || strncmp(info.name, "bnft_d", 6) ||
		    info.key_size > SD_KEY_MAX + 4 || info.value_size < sizeof(struct bnft_dset_hdr)) {
			close(fd);
			continue;
		}
		maps[n].hash = (uint32_t)strtoul(info.name + 6, NULL, 16);
		maps[n].fd = fd;
		maps[n].id = info.id;
		maps[n].type = info.type;
		maps[n].key_size = info.key_size;
		maps[n].value_size = info.value_size;
		n++;
	}
	closedir(d);
	return n;
}

/* The element's key bytes as the map holds them (hash maps). */
static bool elem_key(const struct set *s, const struct expr *el, uint8_t *out, uint32_t klen)
{
	uint8_t b[SD_KEY_MAX * 2];
	unsigned int n;

	if (el->etype == EXPR_MAPPING)
		el = el->mapping.left;
	n = lower_data_bytes(el, b, sizeof(b), false);
	if (!n || n > klen)
		return false;
	memset(out, 0, klen);
	if (s->key->etype == EXPR_CONCAT || n == klen)
		memcpy(out, b, n);
	else
		memcpy(out + (klen - n), b, n);
	return true;
}

/* A key expression of the set's type from map key bytes. */
static struct expr *key_from_bytes(const struct set *s, const uint8_t *k)
{
	const struct expr *t = s->key, *i;
	struct expr *c;
	unsigned int off = 0;

	if (t->etype != EXPR_CONCAT)
		return value_expr_alloc(&t->location, t->dtype, t->byteorder, t->len, k);
	c = compound_expr_alloc(&t->location, EXPR_CONCAT);
	if (!c)
		return NULL;
	c->dtype = t->dtype;
	c->len = t->len;
	c->byteorder = t->byteorder;
	list_for_each_entry(i, &EXPR_COMPOUND(t).expressions, list) {
		unsigned int nb = (i->len + 7) / 8;
		struct expr *v = value_expr_alloc(&i->location, i->dtype, i->byteorder, i->len,
						  k + off);

		if (!v) {
			expr_free(c);
			return NULL;
		}
		compound_expr_add(c, v);
		off += (nb + 3) & ~3u;
	}
	return c;
}

/* The per-element statements of the first set statement on s. */
static const struct list_head *dynset_stmts(const struct table *t, const struct set *s)
{
	const struct chain *c;
	const struct rule *r;
	const struct stmt *st;

	list_for_each_entry(c, &t->chains, list)
		list_for_each_entry(r, &c->rules, list)
			list_for_each_entry(st, &r->stmts, list) {
				const struct expr *ref = st->set.set;

				if (st->type != STMT_SET || !ref || ref->etype != EXPR_SET_REF ||
				    ref->set_ref.set != s)
					continue;
				if (st->set.key && st->set.key->etype == EXPR_SET_ELEM &&
				    !list_empty(&st->set.key->elem.stmts))
					return &st->set.key->elem.stmts;
				return &st->set.stmts;
			}
	return NULL;
}

/* Live counter values into the element's counter statements. */
static void elem_counters(struct expr *el, const struct bnft_dset_hdr *h, const uint8_t *val)
{
	const struct bnft_dset_counter *ctr;
	struct stmt *st;

	if (el->etype == EXPR_MAPPING)
		el = el->mapping.left;
	if (el->etype != EXPR_SET_ELEM || !h->ctr_off ||
	    h->ctr_off + sizeof(struct bnft_dset_counter) > h->data_off)
		return;
	ctr = (const void *)(val + h->ctr_off);
	list_for_each_entry(st, &el->elem.stmts, list)
		if (st->type == STMT_COUNTER) {
			st->counter.packets = ctr->packets;
			st->counter.bytes = ctr->bytes;
		}
}

static void elem_times(const struct set *s, struct expr *el, const struct bnft_dset_hdr *h,
		       uint64_t now, bool fresh)
{
	if (el->etype == EXPR_MAPPING)
		el = el->mapping.left;
	if (el->etype != EXPR_SET_ELEM)
		return;
	if (fresh)
		el->elem.timeout = h->timeout && h->timeout != s->timeout ? h->timeout : 0;
	el->elem.expiration = h->expires ? (h->expires - now) / 1000000ull : 0;
}

static struct expr *new_elem(const struct table *t, const struct set *s, const struct sd_live *l,
			     const struct bnft_dset_hdr *h)
{
	const struct list_head *stmts = dynset_stmts(t, s);
	struct expr *key = key_from_bytes(s, l->key), *el;
	const struct stmt *st;

	if (!key)
		return NULL;
	el = expr_alloc(&key->location, EXPR_SET_ELEM);
	if (!el) {
		expr_free(key);
		return NULL;
	}
	init_list_head(&el->elem.stmts);
	el->elem.key = key;
	el->dtype = key->dtype;
	el->len = key->len;
	el->byteorder = key->byteorder;
	if (stmts)
		list_for_each_entry(st, stmts, list) {
			struct stmt *c = stmt_clone(st);

			if (!c)
				continue;
			list_add_tail(&c->list, &el->elem.stmts);
		}
	elem_counters(el, h, l->val);
	if (s->data && (s->flags & NFT_SET_MAP)) {
		const struct expr *dt = s->data;
		struct expr *d = value_expr_alloc(&dt->location, dt->dtype, dt->byteorder, dt->len,
						  l->val + h->data_off);
		struct expr *m;

		if (!d) {
			expr_free(el);
			return NULL;
		}
		m = expr_alloc(&el->location, EXPR_MAPPING);
		if (!m) {
			expr_free(d);
			expr_free(el);
			return NULL;
		}
		m->mapping.left = el;
		m->mapping.right = d;
		return m;
	}
	return el;
}

static int cmp_live(const void *a, const void *b, void *arg)
{
	return memcmp(((const struct sd_live *)a)->key, ((const struct sd_live *)b)->key,
		      *(const uint32_t *)arg);
}

static struct sd_live *find_live(struct sd_live *live, size_t n, const uint8_t *k, uint32_t ks)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(live[mid].key, k, ks);

		if (!c)
			return &live[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct sd_sort {
	uint8_t key[SD_KEY_MAX];
	struct expr *el;
};

static int cmp_sort(const void *a, const void *b)
{
	return memcmp(((const struct sd_sort *)a)->key, ((const struct sd_sort *)b)->key,
		      SD_KEY_MAX);
}

/* Element lists are sorted by key value (parser/ruleset.h), as nft sorts
 * them: a single key by its numeric value (host-order keys turned big
 * endian); a concatenation as nft's mergesort does, its fields' bytes
 * (unpadded, each in its own byte order) read as one little-endian
 * number, i.e. compared from the last byte back. */
static int sort_elems(const struct set *s, uint32_t klen)
{
	struct list_head *head = &EXPR_COMPOUND(s->init).expressions;
	struct sd_sort *v;
	struct expr *el, *tmp;
	size_t n = 0, i;

	list_for_each_entry(el, head, list)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	i = 0;
	list_for_each_entry_safe(el, tmp, head, list) {
		const struct expr *f;
		unsigned int off = 0;

		v[i].el = el;
		if (elem_key(s, el, v[i].key, klen)) {
			if (s->key->etype == EXPR_CONCAT) {
				uint8_t d[SD_KEY_MAX];
				unsigned int len = 0, k;

				list_for_each_entry(f, &EXPR_COMPOUND(s->key).expressions, list) {
					unsigned int nb = (f->len + 7) / 8;

					if (len + nb <= sizeof(d) && off + nb <= klen)
						memcpy(d + len, v[i].key + off, nb);
					len += nb;
					off += (nb + 3) & ~3u;
				}
				if (len > sizeof(d))
					len = sizeof(d);
				memset(v[i].key, 0, sizeof(v[i].key));
				for (k = 0; k < len; k++)
					v[i].key[k] = d[len - 1 - k];
			} else if (s->key->byteorder == BYTEORDER_HOST_ENDIAN) {
				unsigned int k;

				for (k = 0; k < klen / 2; k++) {
					uint8_t c = v[i].key[k];

					v[i].key[k] = v[i].key[klen - 1 - k];
					v[i].key[klen - 1 - k] = c;
				}
			}
		}
		list_del(&el->list);
		i++;
	}
	qsort(v, n, sizeof(*v), cmp_sort);
	for (i = 0; i < n; i++)
		list_add_tail(&v[i].el->list, head);
	EXPR_COMPOUND(s->init).size = (unsigned int)n;
	free(v);
	return 0;
}

static int refresh_hash(const struct table *t, struct set *s, const struct sd_map *m)
{
	uint8_t key[SD_KEY_MAX], next[SD_KEY_MAX], ek[SD_KEY_MAX];
	struct sd_live *live = NULL;
	uint8_t *dead = NULL;
	size_t n = 0, cap = 0, i, ndead = 0, dcap = 0;
	uint64_t now = mono_ns();
	struct expr *el, *tmp;
	void *prev = NULL;
	int err = 0;

	if (m->key_size > SD_KEY_MAX)
		return -EINVAL;
	while (!bpf_map_get_next_key(m->fd, prev, next)) {
		struct bnft_dset_hdr h;
		uint8_t *val = malloc(m->value_size);

		memcpy(key, next, m->key_size);
		prev = key;
		if (!val)
			return -ENOMEM;
		if (bpf_map_lookup_elem(m->fd, key, val)) {
			free(val);
			continue;
		}
		memcpy(&h, val, sizeof(h));
		if (h.expires && now >= h.expires) {
			/* reaped after the walk (a delete now would restart it) */
			if (ndead == dcap) {
				void *p = realloc(dead, (dcap = dcap ? 2 * dcap : 16) * SD_KEY_MAX);

				if (!p) {
					free(val);
					err = -ENOMEM;
					goto out;
				}
				dead = p;
			}
			memcpy(dead + ndead++ * SD_KEY_MAX, key, m->key_size);
			free(val);
			continue;
		}
		if (n == cap) {
			void *p = realloc(live, (cap = cap ? 2 * cap : 64) * sizeof(*live));

			if (!p) {
				free(val);
				err = -ENOMEM;
				goto out;
			}
			live = p;
		}
		memcpy(live[n].key, key, m->key_size);
		live[n].val = val;
		live[n].used = false;
		n++;
	}
	{
		uint32_t ks = m->key_size;

		qsort_r(live, n, sizeof(*live), cmp_live, &ks);
	}
	/* what this refresh saw, for bnft_setdump_carry() */
	if (nseen < SD_MAX_MAPS) {
		struct sd_seen *sn = &seen[nseen];

		sn->keys = malloc((n ? n : 1) * m->key_size);
		if (sn->keys) {
			for (i = 0; i < n; i++)
				memcpy(sn->keys + i * m->key_size, live[i].key, m->key_size);
			sn->n = n;
			sn->map_id = m->id;
			sn->key_size = m->key_size;
			nseen++;
		}
	}
	if (!s->init) {
		s->init = compound_expr_alloc(&s->location, EXPR_SET);
		if (!s->init) {
			err = -ENOMEM;
			goto out;
		}
		s->init->dtype = s->key->dtype;
		s->init->len = s->key->len;
		s->init->byteorder = s->key->byteorder;
	}
	/* elements the ruleset has: kept while live, with their time left */
	list_for_each_entry_safe(el, tmp, &EXPR_COMPOUND(s->init).expressions, list) {
		struct sd_live *hit = NULL;

		if (elem_key(s, el, ek, m->key_size)) {
			uint32_t ks = m->key_size;

			hit = find_live(live, n, ek, ks);
		}
		if (!hit) {
			list_del(&el->list);
			expr_free(el);
			continue;
		}
		hit->used = true;
		{
			struct bnft_dset_hdr h;

			memcpy(&h, hit->val, sizeof(h));
			elem_times(s, el, &h, now, false);
			elem_counters(el, &h, hit->val);
		}
	}
	/* elements the datapath added */
	for (i = 0; i < n; i++) {
		struct bnft_dset_hdr h;
		struct expr *ne;

		if (live[i].used)
			continue;
		memcpy(&h, live[i].val, sizeof(h));
		ne = new_elem(t, s, &live[i], &h);
		if (!ne) {
			err = -ENOMEM;
			break;
		}
		elem_times(s, ne, &h, now, true);
		compound_expr_add(s->init, ne);
	}
	if (!err)
		err = sort_elems(s, m->key_size);
out:
	/* the datapath already treats these as absent */
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(m->fd, dead + i * SD_KEY_MAX);
	free(dead);
	for (i = 0; i < n; i++)
		free(live[i].val);
	free(live);
	return err;
}

/* Interval sets (LPM tries) hold prefixes: expired ones are reaped, and a
 * ruleset element stays while the prefix of its start is live. */
static int refresh_lpm(struct set *s, const struct sd_map *m)
{
	uint8_t key[SD_KEY_MAX + 4], next[SD_KEY_MAX + 4], *val = malloc(m->value_size);
	uint64_t now = mono_ns();
	struct expr *el, *tmp;
	void *prev = NULL;
	uint32_t klen = m->key_size - 4;

	if (!val)
		return -ENOMEM;
	while (!bpf_map_get_next_key(m->fd, prev, next)) {
		struct bnft_dset_hdr h;

		memcpy(key, next, m->key_size);
		prev = key;
		if (bpf_map_lookup_elem(m->fd, key, val))
			continue;
		memcpy(&h, val, sizeof(h));
		if (h.expires && now >= h.expires && !bpf_map_delete_elem(m->fd, key))
			prev = NULL; /* restart: the walk order changed */
	}
	if (s->init)
		list_for_each_entry_safe(el, tmp, &EXPR_COMPOUND(s->init).expressions, list) {
			struct bnft_dset_hdr h;
			uint32_t plen = klen * 8;

			memcpy(key, &plen, 4);
			if (!elem_key(s, el, key + 4, klen))
				continue;
			if (lower_key_needs_hton(s->key, s->flags)) {
				uint32_t i;

				for (i = 0; i < klen / 2; i++) {
					uint8_t c = key[4 + i];

					key[4 + i] = key[4 + klen - 1 - i];
					key[4 + klen - 1 - i] = c;
				}
			}
			if (bpf_map_lookup_elem(m->fd, key, val)) {
				list_del(&el->list);
				expr_free(el);
				if (EXPR_COMPOUND(s->init).size)
					EXPR_COMPOUND(s->init).size--;
				continue;
			}
			memcpy(&h, val, sizeof(h));
			elem_times(s, el, &h, now, false);
		}
	free(val);
	return 0;
}

int bnft_setdump_refresh(struct bnft_ruleset *rs, const char *pin_root)
{
	struct sd_map maps[SD_MAX_MAPS];
	struct table *t;
	struct set *s;
	uint32_t gen;
	size_t n, i;
	int err = 0;

	seen_clear();
	if (!rs || !pin_root)
		return 0;
	if (active_gen(pin_root, &gen))
		return 0; /* nothing live */
	n = open_maps(pin_root, gen & 1, maps, SD_MAX_MAPS);
	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(s, &t->sets, list) {
			uint32_t h;

			if ((s->flags & NFT_SET_ANONYMOUS) || !s->key || !s->handle.set)
				continue;
			h = bnft_dset_hash(t->handle.family, t->handle.table, s->handle.set);
			for (i = 0; i < n; i++) {
				int e;

				if (maps[i].hash != h)
					continue;
				e = maps[i].type == BPF_MAP_TYPE_LPM_TRIE ? refresh_lpm(s, &maps[i]) :
									    refresh_hash(t, s, &maps[i]);
				if (e && !err)
					err = e;
				break;
			}
		}
	for (i = 0; i < n; i++)
		close(maps[i].fd);
	return err;
}

/* Expired entries out of every element-state map of the active generation. */
int bnft_setdump_reap(const char *pin_root)
{
	struct sd_map maps[SD_MAX_MAPS];
	uint64_t now = mono_ns();
	uint32_t gen;
	size_t n, i;
	int reaped = 0;

	if (!pin_root || active_gen(pin_root, &gen))
		return 0;
	n = open_maps(pin_root, gen & 1, maps, SD_MAX_MAPS);
	for (i = 0; i < n; i++) {
		uint8_t key[SD_KEY_MAX + 4], next[SD_KEY_MAX + 4], *val, *dead = NULL;
		size_t ndead = 0, dcap = 0, k;
		void *prev = NULL;

		val = maps[i].key_size <= sizeof(key) ? malloc(maps[i].value_size) : NULL;
		while (val && !bpf_map_get_next_key(maps[i].fd, prev, next)) {
			struct bnft_dset_hdr h;

			memcpy(key, next, maps[i].key_size);
			prev = key;
			if (bpf_map_lookup_elem(maps[i].fd, key, val))
				continue;
			memcpy(&h, val, sizeof(h));
			if (!h.expires || now < h.expires)
				continue;
			if (ndead == dcap) {
				void *p = realloc(dead, (dcap = dcap ? 2 * dcap : 64) * sizeof(key));

				if (!p)
					break;
				dead = p;
			}
			memcpy(dead + ndead++ * sizeof(key), key, maps[i].key_size);
		}
		/* deleted after the walk: a delete during it restarts it */
		for (k = 0; k < ndead; k++)
			reaped += !bpf_map_delete_elem(maps[i].fd, dead + k * sizeof(key));
		free(dead);
		free(val);
		close(maps[i].fd);
	}
	return reaped;
}

static bool seen_has(const struct sd_seen *sn, const uint8_t *k)
{
	size_t lo = 0, hi = sn->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(sn->keys + mid * sn->key_size, k, sn->key_size);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* After a flip: elements the datapath added to the previous generation's
 * maps after the last refresh read them are copied into the new maps. */
int bnft_setdump_carry(const char *pin_root)
{
	struct sd_map maps[SD_MAX_MAPS];
	uint64_t now = mono_ns();
	uint32_t gen;
	size_t n = 0, i, j;
	int copied = 0;

	if (!nseen || !pin_root || active_gen(pin_root, &gen))
		goto out;
	n = open_maps(pin_root, gen & 1, maps, SD_MAX_MAPS);
	for (i = 0; i < nseen; i++) {
		const struct sd_seen *sn = &seen[i];
		uint8_t key[SD_KEY_MAX], next[SD_KEY_MAX], *val = NULL;
		struct bpf_map_info info;
		uint32_t len = sizeof(info), h;
		void *prev = NULL;
		int ofd = bpf_map_get_fd_by_id(sn->map_id), nfd = -1;

		if (ofd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(ofd, &info, &len) || strncmp(info.name, "bnft_d", 6) ||
		    info.key_size != sn->key_size || info.key_size > SD_KEY_MAX) {
			close(ofd);
			continue;
		}
		h = (uint32_t)strtoul(info.name + 6, NULL, 16);
		for (j = 0; j < n; j++)
			if (maps[j].hash == h && maps[j].id != sn->map_id &&
			    maps[j].key_size == info.key_size &&
			    maps[j].value_size == info.value_size)
				nfd = maps[j].fd;
		if (nfd >= 0)
			val = malloc(info.value_size);
		while (val && !bpf_map_get_next_key(ofd, prev, next)) {
			struct bnft_dset_hdr hd;

			memcpy(key, next, info.key_size);
			prev = key;
			if (seen_has(sn, key) || bpf_map_lookup_elem(ofd, key, val))
				continue;
			memcpy(&hd, val, sizeof(hd));
			if (!(hd.flags & BNFT_DSET_F_DP) || (hd.expires && now >= hd.expires))
				continue;
			copied += !bpf_map_update_elem(nfd, key, val, BPF_NOEXIST);
		}
		free(val);
		close(ofd);
	}
	for (j = 0; j < n; j++)
		close(maps[j].fd);
out:
	seen_clear();
	return copied;
}
