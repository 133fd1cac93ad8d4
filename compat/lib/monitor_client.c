// SPDX-License-Identifier: GPL-2.0
/*
 * `bnft monitor [new|destroy] [tables|chains|sets|rules|elements|ruleset]`:
 * one request to bnftd that stays open; the daemon answers with a status
 * message, then sends one message per committed transaction (lines as
 * `nft monitor` prints them, compat/lib/monitor.c). Runs until killed or
 * until the daemon goes away.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/lib/client.h"
#include "compat/lib/live.h"
#include "compat/lib/monitor.h"

static void put(const struct bnft_msg_item *it, FILE *f)
{
	if (it && it->len)
		fwrite(it->data, 1, it->len, f);
	fflush(f);
}

int bnft_monitor_run(int argc, char **argv, const struct output_ctx *octx, bool debug_netlink)
{
	struct bnft_client_req req = {
		.argc = argc,
		.argv = argv,
		.octx = octx,
		.debug_netlink = debug_netlink,
	};
	const char *root = bnft_live_pin_root();
	char abs_root[PATH_MAX];
	struct bnft_msg m, rep;
	int fd = -1, err, rc = 1, tries;

	if (root[0] != '/' && realpath(root, abs_root)) {
		bnft_live_set_pin_root(abs_root);
		root = bnft_live_pin_root();
	}
	bnft_msg_init(&m);
	err = bnft_client_build(&req, &m);
	if (err) {
		bnft_msg_release(&m);
		return 1;
	}
	for (tries = 0; tries < 3 && fd < 0; tries++) {
		fd = bnft_client_connect(root);
		if (fd < 0 && (err = bnft_client_spawn(root))) {
			fprintf(stderr, "Error: cannot start bnftd for %s: %s\n", root,
				strerror(-err));
			bnft_msg_release(&m);
			return 1;
		}
	}
	err = fd < 0 ? fd : bnft_msg_send(fd, &m);
	bnft_msg_release(&m);
	if (err) {
		fprintf(stderr, "Error: bnftd (%s) did not answer: %s\n", root, strerror(-err));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	for (;;) {
		const struct bnft_msg_item *st;

		bnft_msg_init(&rep);
		err = bnft_msg_recv(fd, &rep, BNFT_MSG_MAX);
		if (err) {
			bnft_msg_release(&rep);
			if (err != -ECONNRESET)
				fprintf(stderr, "Error: bnftd (%s): %s\n", root, strerror(-err));
			break;
		}
		put(bnft_msg_find(&rep, BNFT_MSG_STDOUT), stdout);
		put(bnft_msg_find(&rep, BNFT_MSG_STDERR), stderr);
		st = bnft_msg_find(&rep, BNFT_MSG_STATUS);
		if (st && st->len == sizeof(uint32_t)) {
			rc = (int)*(uint32_t *)st->data;
			if (rc) {
				bnft_msg_release(&rep);
				break;
			}
		}
		bnft_msg_release(&rep);
	}
	close(fd);
	return rc;
}
