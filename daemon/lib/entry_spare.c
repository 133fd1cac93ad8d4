// SPDX-License-Identifier: GPL-2.0
/*
 * A spare entry object: the fixed programs (entry, conntrack, reject) take
 * most of a second to verify, almost all of it the conntrack program. When
 * nothing is loaded (a fresh pin root, or after `flush ruleset`) the daemon
 * loads the next entry object in a thread of its own, and the next commit
 * takes it instead of loading one while the user waits (not while a flush
 * has parked the live one: entry_park.c, the next load takes that back).
 * The spare is only taken while it still shares the pinned conntrack
 * tables and their size; otherwise it is dropped and the commit loads as
 * before.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/bnft_entry.skel.h"
#include "daemon/lib/ctcfg.h"
#include "daemon/lib/load_int.h"

static struct {
	pthread_mutex_t lock;
	pthread_t th;
	bool running; /* a thread was started and not joined */
	struct bnft_entry_bpf *skel;
	char *root;
	uint32_t ct_max;
} spare = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *spare_main(void *arg)
{
	struct bnft_live tmp = {.root = spare.root};
	int err, old_ct = -1;

	(void)arg;
	tmp.skel = bnft_entry_bpf__open();
	if (!tmp.skel) {
		return NULL;
	}
	err = bpf_map__set_max_entries(tmp.skel->maps.bnft_ct, spare.ct_max);
	err = err ?: bnft__reuse_ct_maps(&tmp, spare.ct_max, 0, &old_ct);
	err = err ?: bnft_entry_bpf__load(tmp.skel);
	if (old_ct >= 0)
		close(old_ct);
	if (err) {
		bnft_entry_bpf__destroy(tmp.skel);
		return NULL;
	}
	spare.skel = tmp.skel;
	return NULL;
}

static void spare_join(void)
{
	if (spare.running) {
		pthread_join(spare.th, NULL);
		spare.running = false;
	}
}

static void spare_drop(void)
{
	spare_join();
	if (spare.skel)
		bnft_entry_bpf__destroy(spare.skel);
	spare.skel = NULL;
	free(spare.root);
	spare.root = NULL;
}

void bnft_live_spare_prepare(const char *pin_root)
{
	int explicit_;
	char p[4200];

	if (!pin_root)
		return;
	pthread_mutex_lock(&spare.lock);
	if (spare.running || spare.skel)
		goto out;
	snprintf(p, sizeof(p), "%s/conf", pin_root);
	if (!access(p, F_OK))
		goto out; /* an entry object is live */
	/* parked by the flush: the next load takes that one back, and a spare
	 * loading meanwhile (most of a second of verification) would only
	 * share the CPU with it (a 100k-rule load right after a flush:
	 * 0.44 s instead of 0.24 s) */
	if (bnft__parked(pin_root))
		goto out;
	spare.ct_max = bnft_ct_max_entries(&explicit_);
	if (explicit_)
		goto out; /* a resize copies the flows: the usual path */
	spare.root = strdup(pin_root);
	if (spare.root && !pthread_create(&spare.th, NULL, spare_main, NULL))
		spare.running = true;
out:
	pthread_mutex_unlock(&spare.lock);
}

/* Whether the spare's conntrack maps are the pinned ones (or nothing is
 * pinned in their place). */
static bool spare_matches(const char *root)
{
	int k;

	for (k = 0; bnft_ct_kept_pins[k] && bnft__kept_map(spare.skel, k); k++) {
		struct bpf_map_info a, b;
		uint32_t la = sizeof(a), lb = sizeof(b);
		int fd = bnft__obj_get(root, bnft_ct_kept_pins[k]);
		bool same;

		if (fd < 0)
			continue;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		same = !bpf_obj_get_info_by_fd(fd, &a, &la) &&
		       !bpf_obj_get_info_by_fd(bpf_map__fd(bnft__kept_map(spare.skel, k)), &b,
					       &lb) &&
		       a.id == b.id;
		close(fd);
		if (!same)
			return false;
	}
	return true;
}

struct bnft_entry_bpf *bnft__spare_take(const char *root, uint32_t ct_max, int explicit_)
{
	struct bnft_entry_bpf *skel = NULL;

	pthread_mutex_lock(&spare.lock);
	if (!spare.running && !spare.skel)
		goto out;
	spare_join();
	if (spare.skel && root && spare.root && !strcmp(root, spare.root) && !explicit_ &&
	    ct_max == spare.ct_max && spare_matches(root)) {
		skel = spare.skel;
		spare.skel = NULL;
	}
	spare_drop();
out:
	pthread_mutex_unlock(&spare.lock);
	return skel;
}
