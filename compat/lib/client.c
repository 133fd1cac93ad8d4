// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI side of bnftd: build the request, reach (or start) the daemon of
 * this network namespace and pin root, print the reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compat/lib/client.h"
#include "compat/lib/live.h"

int bnft_client_connect(const char *pin_root)
{
	struct sockaddr_un sa;
	unsigned int salen;
	int fd, err;

	err = bnft_daemon_addr(pin_root, &sa, &salen);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, salen)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* bnftd: $BNFT_DAEMON, else next to the running binary. */
static int daemon_path(char *buf, size_t n)
{
	const char *env = getenv("BNFT_DAEMON");
	char self[PATH_MAX];
	ssize_t len;
	char *slash;

	if (env && *env) {
		snprintf(buf, n, "%s", env);
		return 0;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return -errno;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(buf, n, "%s/bnftd", self) >= n)
		return -ENAMETOOLONG;
	return 0;
}

int bnft_client_spawn(const char *pin_root)
{
	char path[PATH_MAX];
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int err, status, i, fd;
	pid_t pid;

	err = daemon_path(path, sizeof(path));
	if (err)
		return err;
	if (access(path, X_OK))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		/* first child: new session, fork the daemon, exit */
		setsid();
		pid = fork();
		if (pid)
			_exit(pid < 0 ? 1 : 0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (!getenv("BNFT_DAEMON_STDERR"))
				dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execl(path, "bnftd", "--pin-root", pin_root, "--auto", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* wait until it answers (it restores the saved ruleset first) */
	for (i = 0; i < 2000; i++) {
		fd = bnft_client_connect(pin_root);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (n == cap || !b) {
			cap = b ? cap * 2 : cap;
			if (cap > BNFT_MSG_MAX) {
				free(b);
				close(fd);
				return -EFBIG;
			}
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				close(fd);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(b);
			close(fd);
			return (int)r;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 2;
	char *buf;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	buf = calloc(1, len);
	if (!buf)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, argv[i]);
	}
	strcat(buf, "\n");
	return buf;
}

int bnft_client_build(const struct bnft_client_req *req, struct bnft_msg *m)
{
	uint32_t version = BNFT_PROTO_VERSION;
	struct bnft_wire_octx w;
	unsigned int i;
	int err;

	bnft_octx_to_wire(req->octx, req->debug_netlink, &w);
	err = bnft_msg_add(m, BNFT_MSG_VERSION, &version, sizeof(version));
	if (!err)
		err = bnft_msg_add(m, BNFT_MSG_OCTX, &w, sizeof(w));
	for (i = 0; !err && i < req->ndefines; i++)
		err = bnft_msg_add_str(m, BNFT_MSG_DEFINE, req->defines[i]);
	for (i = 0; !err && i < req->nincludes; i++)
		err = bnft_msg_add_str(m, BNFT_MSG_INCLUDE, req->includes[i]);
	if (err)
		return err;
	if (req->file) {
		char *buf = NULL;
		size_t len = 0;

		/* "-f -" reads standard input, as nft does */
		err = read_file(strcmp(req->file, "-") ? req->file : "/dev/stdin", &buf, &len);
		if (err < 0) {
			/* nft's wording; the daemon is not needed to say it */
			fprintf(stderr, "Error: Could not open file \"%s\": %s\n\n", req->file,
				strerror(-err));
			return 1;
		}
		err = bnft_msg_add_str(m, BNFT_MSG_FILENAME, req->file);
		if (!err)
			err = bnft_msg_add(m, BNFT_MSG_FILEDATA, buf, len);
		free(buf);
		return err;
	}
	{
		char *cmd = join_args(req->argc, req->argv);

		if (!cmd)
			return -ENOMEM;
		err = bnft_msg_add_str(m, BNFT_MSG_CMDLINE, cmd);
		free(cmd);
	}
	return err;
}

static void put(const struct bnft_msg_item *it, FILE *f)
{
	if (it && it->len)
		fwrite(it->data, 1, it->len, f);
	fflush(f);
}

int bnft_client_run(const struct bnft_client_req *req)
{
	const char *root = bnft_live_pin_root();
	const struct bnft_msg_item *st;
	char abs_root[PATH_MAX];
	struct bnft_msg m, rep;
	int fd, err, rc = 1, tries;

	/* the daemon runs in PID 1's mount namespace: name the root absolutely */
	if (root[0] != '/' && realpath(root, abs_root)) {
		bnft_live_set_pin_root(abs_root);
		root = bnft_live_pin_root();
	}
	bnft_msg_init(&m);
	bnft_msg_init(&rep);
	err = bnft_client_build(req, &m);
	if (err) {
		if (err < 0)
			fprintf(stderr, "Error: building the request: %s\n", strerror(-err));
		goto out;
	}
	for (tries = 0; tries < 3; tries++) {
		fd = bnft_client_connect(root);
		if (fd < 0) {
			err = bnft_client_spawn(root);
			if (err) {
				fprintf(stderr, "Error: cannot start bnftd for %s: %s\n", root,
					strerror(-err));
				goto out;
			}
			continue;
		}
		err = bnft_msg_send(fd, &m);
		if (!err)
			err = bnft_msg_recv(fd, &rep, BNFT_MSG_MAX);
		close(fd);
		/* a daemon that went away before reading (idle exit) is retried;
		 * one that took the request and died is not */
		if (err == -EPIPE && !rep.n)
			continue;
		break;
	}
	if (err) {
		fprintf(stderr, "Error: bnftd (%s) did not answer: %s\n", root, strerror(-err));
		goto out;
	}
	put(bnft_msg_find(&rep, BNFT_MSG_STDOUT), stdout);
	put(bnft_msg_find(&rep, BNFT_MSG_STDERR), stderr);
	st = bnft_msg_find(&rep, BNFT_MSG_STATUS);
	rc = st && st->len == sizeof(uint32_t) ? (int)*(uint32_t *)st->data : 1;
	if (getenv("BNFT_CLIENT_STATS")) {
		const struct bnft_msg_item *s = bnft_msg_find(&rep, BNFT_MSG_STATS);

		if (s && s->len == sizeof(struct bnft_wire_stats)) {
			const struct bnft_wire_stats *ws = (const void *)s->data;

			fprintf(stderr,
				"bnftd-stats: total_ns=%llu commit_ns=%llu committed=%u gen=%u "
				"eval_ns=%llu lower_ns=%llu compile_ns=%llu load_ns=%llu "
				"save_ns=%llu insns=%llu verified_insns=%llu drain_ns=%llu "
				"carried=%llu inplace=%llu\n",
				(unsigned long long)ws->total_ns,
				(unsigned long long)ws->commit_ns, ws->committed, ws->gen,
				(unsigned long long)ws->eval_ns, (unsigned long long)ws->lower_ns,
				(unsigned long long)ws->compile_ns,
				(unsigned long long)ws->load_ns, (unsigned long long)ws->save_ns,
				(unsigned long long)ws->insns,
				(unsigned long long)ws->verified_insns,
				(unsigned long long)ws->drain_ns,
				(unsigned long long)ws->ncarried,
				(unsigned long long)ws->inplace);
		}
	}
out:
	bnft_msg_release(&m);
	bnft_msg_release(&rep);
	return rc;
}
