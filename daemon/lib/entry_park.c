// SPDX-License-Identifier: GPL-2.0
/*
 * The entry object across `flush ruleset` (bnftd). Verifying the fixed
 * programs takes most of a second, almost all of it the conntrack program.
 * A flush by the daemon parks the live entry object instead of dropping it:
 * it is detached from every interface, its generations are emptied (program
 * slots, flags), and its pins move to <pin root>/parked/, so that nothing
 * under the pin root says a ruleset is loaded. The next load moves them
 * back (bnft__unpark) and loads its generation beside nothing, as after any
 * flip. The kernel's nf_tables module stays loaded across a flush too.
 *
 * Attaching it back costs the load after a flush most of its load stage
 * (the first tcx program of a device, the clsact filter: 15-20 ms here,
 * most of it waiting in the kernel), so the commit starts that in a thread
 * before it lowers (bnft_live_unpark_start) and the loader joins it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/lib/abi.h"
#include "daemon/lib/attach.h"
#include "daemon/lib/load_int.h"

#define PARKED "parked"

/* The entry object's pins at the top of the pin root (conf last: its
 * presence marks a complete entry state). */
static const char *const entry_pins[] = {"progs",	 "ifinfo", "ifhdr",
					 "limits",	 "mcast",  "entry_ingress",
					 "entry_egress", "conf",   NULL};

bool bnft_live_park_on_flush;

static int move_pins(const char *root, bool park)
{
	char from[4200], to[4200];
	int k, err = 0;

	for (k = 0; entry_pins[k] && !err; k++) {
		snprintf(from, sizeof(from), "%s/%s%s", root, park ? "" : PARKED "/",
			 entry_pins[k]);
		snprintf(to, sizeof(to), "%s/%s%s", root, park ? PARKED "/" : "", entry_pins[k]);
		if (rename(from, to) && errno != ENOENT)
			err = -errno;
	}
	return err;
}

/* Empties the generations of the live entry object and parks it. 0, or a
 * negative errno (the caller then removes everything). */
int bnft__park(const char *root)
{
	struct bnft_live *lv = NULL;
	char dir[4200];
	uint32_t key, zero = 0;
	int err;

	if (!bnft_live_park_on_flush || !root)
		return -EOPNOTSUPP;
	/* a flush of nothing (after another flush) keeps the one parked: the
	 * next load takes it back instead of verifying a new one while the
	 * user waits (and a spare loading meanwhile on the same CPU) */
	snprintf(dir, sizeof(dir), "%s/conf", root);
	if (access(dir, F_OK) && bnft__parked(root))
		return 0;
	err = bnft_live_open(root, false, &lv);
	if (err)
		return err;
	for (key = 0; key < BNFT_SLOT_FIXED_BASE; key++)
		bpf_map_delete_elem(lv->progs_fd, &key);
	for (key = 0; key < BNFT_CONF_ENTRIES; key++)
		bpf_map_update_elem(lv->conf_fd, &key, &zero, BPF_ANY);
	bnft_live_close(&lv);
	snprintf(dir, sizeof(dir), "%s/" PARKED, root);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	err = move_pins(root, true);
	if (err)
		move_pins(root, false);
	return err;
}

/* Moves a parked entry object back: 0 when one is back. */
int bnft__unpark(const char *root)
{
	char p[4200];

	if (!root)
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/%s/conf", root, PARKED);
	if (access(p, F_OK))
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/conf", root);
	if (!access(p, F_OK))
		return -EEXIST;
	return move_pins(root, false);
}

bool bnft__parked(const char *root)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/%s/conf", root, PARKED);
	return !access(p, F_OK);
}

/* The thread moving the parked entry object back and attaching it. */
static struct {
	pthread_t th;
	bool running;
	char *root;
} early;

static void *early_main(void *arg)
{
	struct bnft_live *lv = NULL;

	(void)arg;
	if (bnft__unpark(early.root) || bnft_live_open(early.root, false, &lv))
		return NULL;
	/* errors are the loader's to report: it attaches again (cheaply) */
	bnft_attach_all(lv->ing_fd, lv->eg_fd);
	bnft_live_close(&lv);
	return NULL;
}

bool bnft_live_unpark_start(const char *pin_root)
{
	if (early.running || !pin_root || !bnft__parked(pin_root))
		return false;
	free(early.root);
	early.root = strdup(pin_root);
	if (!early.root || pthread_create(&early.th, NULL, early_main, NULL))
		return false;
	early.running = true;
	return true;
}

bool bnft__unpark_join(void)
{
	if (!early.running)
		return false;
	pthread_join(early.th, NULL);
	early.running = false;
	free(early.root);
	early.root = NULL;
	return true;
}

void bnft_live_unpark_cancel(const char *pin_root)
{
	struct bnft_live *lv = NULL;
	uint32_t v, key;
	bool flipped = false;

	bnft__unpark_join(); /* if the loader has not */
	if (!pin_root || bnft_live_open(pin_root, false, &lv))
		return;
	/* the first flip after a park goes to generation 1 */
	for (key = 0; key < BNFT_CONF_ENTRIES && !flipped; key++)
		flipped = bnft__conf_get(lv, key, &v) || v;
	bnft_live_close(&lv);
	if (!flipped)
		bnft_live_flush(pin_root);
}
