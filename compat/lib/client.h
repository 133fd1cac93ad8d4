/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bnft <-> bnftd: one request, one reply, over a Unix stream socket.
 *
 * The socket is abstract (names are per network namespace) and named for
 * the pin root, "\0bnftd:<pin root>", so there is one daemon per network
 * namespace and pin root. Binding the name is the daemon's lock: a second
 * daemon for the same pin root fails with EADDRINUSE and exits.
 *
 * A message is a sequence of items, each a 16-byte header (u32 type, u32
 * zero, u64 length, host order: both ends are on one host) and `length`
 * bytes, ended by an item of type BNFT_MSG_END. Requests carry the command
 * text or a file's name and contents, -D defines, -I paths and the output
 * options; replies carry stdout text, stderr text (the located errors) and
 * the exit status.
 */
#ifndef BNFT_COMPAT_CLIENT_H
#define BNFT_COMPAT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser/datatype.h"

#define BNFT_PROTO_VERSION 1
/* Largest request accepted (a -f file is sent whole). */
#define BNFT_MSG_MAX (512ull << 20)

enum bnft_msg_type {
	BNFT_MSG_END = 0,
	BNFT_MSG_VERSION,	/* u32 BNFT_PROTO_VERSION */
	BNFT_MSG_OCTX,		/* struct bnft_wire_octx */
	BNFT_MSG_FILENAME,	/* -f name, as the user gave it */
	BNFT_MSG_FILEDATA,	/* -f contents */
	BNFT_MSG_CMDLINE,	/* the command words joined, newline ended */
	BNFT_MSG_DEFINE,	/* -D name=value, one per item */
	BNFT_MSG_INCLUDE,	/* -I path, one per item */
	BNFT_MSG_STDOUT,	/* reply */
	BNFT_MSG_STDERR,	/* reply */
	BNFT_MSG_STATUS,	/* reply: u32 exit status */
	BNFT_MSG_STATS,		/* reply: struct bnft_wire_stats */
	BNFT_MSG_TYPE_MAX,
};

/* Output options on the wire (struct output_ctx has bools). */
struct bnft_wire_octx {
	uint32_t numeric;
	uint8_t reversedns, service, stateless, handle, echo, json, guid, numeric_proto,
		numeric_prio, numeric_time, terse, debug_netlink;
};

/* What a request cost in the daemon (for tests and benchmarks). */
struct bnft_wire_stats {
	uint64_t total_ns;	/* request received -> reply ready */
	uint64_t commit_ns;	/* lower + compile + load + flip + attach + save */
	uint32_t committed;	/* a new generation went live */
	uint32_t gen;
	uint64_t eval_ns;	/* parse + evaluate */
	uint64_t lower_ns, compile_ns, load_ns, save_ns; /* parts of commit_ns */
	uint64_t insns, verified_insns;
	uint64_t drain_ns;	/* part of load_ns: waiting for the old generation */
	uint64_t ncarried;	/* counters carried across the flip */
	uint64_t inplace;	/* set elements updated in the live maps, no
				 * new generation (compat/lib/live_elems.h) */
};

struct bnft_msg_item {
	uint32_t type;
	uint64_t len;
	char *data;		/* len bytes plus a NUL */
};

struct bnft_msg {
	struct bnft_msg_item *items;
	size_t n, cap;
};

void bnft_msg_init(struct bnft_msg *m);
void bnft_msg_release(struct bnft_msg *m);
int bnft_msg_add(struct bnft_msg *m, uint32_t type, const void *data, uint64_t len);
int bnft_msg_add_str(struct bnft_msg *m, uint32_t type, const char *s);
/* First item of a type, NULL if none. */
const struct bnft_msg_item *bnft_msg_find(const struct bnft_msg *m, uint32_t type);
/* Writes every item and the end mark. 0 or a negative errno (-EPIPE when
 * the peer went away; never raises SIGPIPE). */
int bnft_msg_send(int fd, const struct bnft_msg *m);
/* Reads items up to the end mark into an empty m. 0, -ECONNRESET when the
 * peer closed before the end mark, -EPROTO on a malformed item, -E2BIG
 * past `max` bytes, -EAGAIN on a receive timeout. */
int bnft_msg_recv(int fd, struct bnft_msg *m, uint64_t max);

void bnft_octx_to_wire(const struct output_ctx *o, bool debug_netlink, struct bnft_wire_octx *w);
void bnft_octx_from_wire(const struct bnft_wire_octx *w, struct output_ctx *o,
			 bool *debug_netlink);

/* The abstract socket address of the daemon of a pin root. */
struct sockaddr_un;
int bnft_daemon_addr(const char *pin_root, struct sockaddr_un *sa, unsigned int *salen);

/* A request of the CLI. */
struct bnft_client_req {
	const char *file;		/* -f, or NULL */
	int argc;			/* command words when no file */
	char **argv;
	const char **defines;
	unsigned int ndefines;
	const char **includes;
	unsigned int nincludes;
	const struct output_ctx *octx;
	bool debug_netlink;
};

/*
 * Sends the request to the daemon of this network namespace and pin root
 * (bnft_live_pin_root()), starting it when none answers, writes the reply's
 * text to stdout/stderr and returns the exit status for the CLI (1 when the
 * daemon cannot be reached, with a message on stderr).
 */
int bnft_client_run(const struct bnft_client_req *req);

/* The request message of req: 0, a negative errno, or 1 after printing an
 * error of the CLI's own (a -f file that cannot be read). */
int bnft_client_build(const struct bnft_client_req *req, struct bnft_msg *m);

/* Connect to the daemon of pin_root; the fd, or a negative errno. */
int bnft_client_connect(const char *pin_root);
/* Start bnftd for pin_root (fork + exec of $BNFT_DAEMON, else bnftd next to
 * the running binary) and wait until it answers; 0 or a negative errno. */
int bnft_client_spawn(const char *pin_root);

#endif
