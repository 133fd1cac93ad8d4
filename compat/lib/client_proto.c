// SPDX-License-Identifier: GPL-2.0
/* The bnft <-> bnftd wire format (see client.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "compat/lib/client.h"

struct wire_hdr {
	uint32_t type;
	uint32_t zero;
	uint64_t len;
};

void bnft_msg_init(struct bnft_msg *m)
{
	memset(m, 0, sizeof(*m));
}

void bnft_msg_release(struct bnft_msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->items[i].data);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

static int msg_push(struct bnft_msg *m, uint32_t type, char *data, uint64_t len)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct bnft_msg_item *it = realloc(m->items, cap * sizeof(*it));

		if (!it)
			return -ENOMEM;
		m->items = it;
		m->cap = cap;
	}
	m->items[m->n].type = type;
	m->items[m->n].len = len;
	m->items[m->n].data = data;
	m->n++;
	return 0;
}

int bnft_msg_add(struct bnft_msg *m, uint32_t type, const void *data, uint64_t len)
{
	char *copy;
	int err;

	if (type == BNFT_MSG_END || type >= BNFT_MSG_TYPE_MAX || len > BNFT_MSG_MAX)
		return -EINVAL;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	err = msg_push(m, type, copy, len);
	if (err)
		free(copy);
	return err;
}

int bnft_msg_add_str(struct bnft_msg *m, uint32_t type, const char *s)
{
	return bnft_msg_add(m, type, s, strlen(s));
}

const struct bnft_msg_item *bnft_msg_find(const struct bnft_msg *m, uint32_t type)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->items[i].type == type)
			return &m->items[i];
	return NULL;
}

static int write_all(int fd, const void *buf, uint64_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = send(fd, p, len > (1u << 30) ? (1u << 30) : len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (uint64_t)w;
	}
	return 0;
}

/* 0, or -ECONNRESET at end of stream, or a negative errno. */
static int read_all(int fd, void *buf, uint64_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len > (1u << 30) ? (1u << 30) : len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		if (!r)
			return -ECONNRESET;
		p += r;
		len -= (uint64_t)r;
	}
	return 0;
}

int bnft_msg_send(int fd, const struct bnft_msg *m)
{
	struct wire_hdr h = { 0 };
	size_t i;
	int err;

	for (i = 0; i < m->n; i++) {
		h.type = m->items[i].type;
		h.len = m->items[i].len;
		err = write_all(fd, &h, sizeof(h));
		if (!err)
			err = write_all(fd, m->items[i].data, h.len);
		if (err)
			return err;
	}
	h.type = BNFT_MSG_END;
	h.len = 0;
	return write_all(fd, &h, sizeof(h));
}

int bnft_msg_recv(int fd, struct bnft_msg *m, uint64_t max)
{
	uint64_t total = 0;
	struct wire_hdr h;
	char *data;
	int err;

	for (;;) {
		err = read_all(fd, &h, sizeof(h));
		if (err)
			return err;
		if (h.type == BNFT_MSG_END)
			return h.len || h.zero ? -EPROTO : 0;
		if (h.type >= BNFT_MSG_TYPE_MAX || h.zero)
			return -EPROTO;
		if (h.len > max || total + h.len > max)
			return -E2BIG;
		total += h.len + sizeof(h);
		data = malloc(h.len + 1);
		if (!data)
			return -ENOMEM;
		err = read_all(fd, data, h.len);
		if (!err)
			err = msg_push(m, h.type, data, h.len);
		if (err) {
			free(data);
			return err;
		}
		data[h.len] = '\0';
	}
}

void bnft_octx_to_wire(const struct output_ctx *o, bool debug_netlink, struct bnft_wire_octx *w)
{
	memset(w, 0, sizeof(*w));
	w->numeric = o->numeric;
	w->reversedns = o->reversedns;
	w->service = o->service;
	w->stateless = o->stateless;
	w->handle = o->handle;
	w->echo = o->echo;
	w->json = o->json;
	w->guid = o->guid;
	w->numeric_proto = o->numeric_proto;
	w->numeric_prio = o->numeric_prio;
	w->numeric_time = o->numeric_time;
	w->terse = o->terse;
	w->debug_netlink = debug_netlink;
}

void bnft_octx_from_wire(const struct bnft_wire_octx *w, struct output_ctx *o,
			 bool *debug_netlink)
{
	memset(o, 0, sizeof(*o));
	o->numeric = w->numeric;
	o->reversedns = w->reversedns;
	o->service = w->service;
	o->stateless = w->stateless;
	o->handle = w->handle;
	o->echo = w->echo;
	o->json = w->json;
	o->guid = w->guid;
	o->numeric_proto = w->numeric_proto;
	o->numeric_prio = w->numeric_prio;
	o->numeric_time = w->numeric_time;
	o->terse = w->terse;
	if (debug_netlink)
		*debug_netlink = w->debug_netlink;
}

int bnft_daemon_addr(const char *pin_root, struct sockaddr_un *sa, unsigned int *salen)
{
	size_t room = sizeof(sa->sun_path) - 1, n;
	char name[4200];

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = (size_t)snprintf(name, sizeof(name), "bnftd:%s", pin_root);
	if (n > room) {
		/* too long for the address: keep the tail, prefix a hash */
		uint64_t h = 1469598103934665603ull;
		const char *p;

		for (p = pin_root; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		n = (size_t)snprintf(name, sizeof(name), "bnftd#%016llx:%s", (unsigned long long)h,
				     pin_root + strlen(pin_root) - (room - 24));
		if (n > room)
			return -ENAMETOOLONG;
	}
	memcpy(sa->sun_path + 1, name, n); /* sun_path[0] = 0: abstract */
	*salen = (unsigned int)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
}
