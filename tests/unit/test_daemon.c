// SPDX-License-Identifier: GPL-2.0
/* bnft <-> bnftd wire format and the state text with handles. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "compat/lib/client.h"
#include "compat/lib/live.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void test_msg_roundtrip(void **state)
{
	struct bnft_msg m, r;
	size_t big = 3 << 20, i;
	char *blob = malloc(big);
	int sv[2];

	(void)state;
	assert_non_null(blob);
	for (i = 0; i < big; i++)
		blob[i] = (char)(i * 7);
	blob[5] = '\0'; /* NUL bytes travel too */
	bnft_msg_init(&m);
	bnft_msg_init(&r);
	assert_int_equal(bnft_msg_add_str(&m, BNFT_MSG_FILENAME, "a.nft"), 0);
	assert_int_equal(bnft_msg_add(&m, BNFT_MSG_FILEDATA, blob, big), 0);
	assert_int_equal(bnft_msg_add(&m, BNFT_MSG_DEFINE, "", 0), 0);
	assert_int_equal(bnft_msg_add(&m, BNFT_MSG_END, "x", 1), -EINVAL);
	pair(sv);
	if (!fork()) {
		close(sv[0]);
		_exit(bnft_msg_send(sv[1], &m) ? 1 : 0);
	}
	close(sv[1]);
	assert_int_equal(bnft_msg_recv(sv[0], &r, BNFT_MSG_MAX), 0);
	close(sv[0]);
	assert_int_equal(r.n, 3);
	assert_string_equal(bnft_msg_find(&r, BNFT_MSG_FILENAME)->data, "a.nft");
	assert_int_equal(bnft_msg_find(&r, BNFT_MSG_FILEDATA)->len, big);
	assert_memory_equal(bnft_msg_find(&r, BNFT_MSG_FILEDATA)->data, blob, big);
	assert_int_equal(bnft_msg_find(&r, BNFT_MSG_DEFINE)->len, 0);
	assert_null(bnft_msg_find(&r, BNFT_MSG_STATUS));
	bnft_msg_release(&m);
	bnft_msg_release(&r);
	free(blob);
}

static void test_msg_truncated(void **state)
{
	uint32_t hdr[4] = { BNFT_MSG_CMDLINE, 0, 100, 0 };
	struct bnft_msg r;
	int sv[2];

	(void)state;
	bnft_msg_init(&r);
	pair(sv);
	/* header of 100 bytes, 10 sent, then the peer goes */
	assert_int_equal(write(sv[1], hdr, 16), 16);
	assert_int_equal(write(sv[1], "0123456789", 10), 10);
	close(sv[1]);
	assert_int_equal(bnft_msg_recv(sv[0], &r, BNFT_MSG_MAX), -ECONNRESET);
	close(sv[0]);
	bnft_msg_release(&r);
}

static void test_msg_bad(void **state)
{
	uint32_t bad_type[4] = { 999, 0, 0, 0 };
	uint32_t too_big[4] = { BNFT_MSG_FILEDATA, 0, 4096, 0 };
	struct bnft_msg r;
	int sv[2];

	(void)state;
	bnft_msg_init(&r);
	pair(sv);
	assert_int_equal(write(sv[1], bad_type, 16), 16);
	assert_int_equal(bnft_msg_recv(sv[0], &r, BNFT_MSG_MAX), -EPROTO);
	close(sv[0]);
	close(sv[1]);
	bnft_msg_release(&r);

	pair(sv);
	assert_int_equal(write(sv[1], too_big, 16), 16);
	assert_int_equal(bnft_msg_recv(sv[0], &r, 1024), -E2BIG);
	close(sv[0]);
	close(sv[1]);
	bnft_msg_release(&r);
}

static void test_addr(void **state)
{
	struct sockaddr_un a, b;
	unsigned int la, lb;
	char longa[300], longb[300];

	(void)state;
	assert_int_equal(bnft_daemon_addr("/run/bnft/net-4026531840", &a, &la), 0);
	assert_int_equal(a.sun_path[0], '\0');
	assert_memory_equal(a.sun_path + 1, "bnftd:/run/bnft/net-4026531840", 30);
	assert_int_equal(la, offsetof(struct sockaddr_un, sun_path) + 31);
	memset(longa, 'a', sizeof(longa) - 1);
	longa[sizeof(longa) - 1] = '\0';
	memcpy(longb, longa, sizeof(longa));
	longa[0] = '/';
	longb[0] = '/';
	longb[1] = 'b'; /* differs at the head, which is cut */
	assert_int_equal(bnft_daemon_addr(longa, &a, &la), 0);
	assert_int_equal(bnft_daemon_addr(longb, &b, &lb), 0);
	assert_true(la <= sizeof(struct sockaddr_un));
	assert_int_equal(la, lb);
	assert_memory_not_equal(a.sun_path, b.sun_path, la - offsetof(struct sockaddr_un, sun_path));
}

static int eval_text(struct bnft_ruleset *rs, const char *text)
{
	struct output_ctx octx = { 0 };
	struct list_head msgs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct outbuf out;
	int err;

	init_list_head(&msgs);
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	outbuf_init(&out);
	err = bnft_parse_buffer(&pctx, text, "<test>");
	if (!err)
		err = bnft_evaluate(rs, &src, &msgs, &octx, &out);
	if (err) {
		outbuf_release(&out);
		outbuf_init(&out);
		erec_print_list(&out, &msgs);
		fprintf(stderr, "%.*s", (int)out.len, out.buf);
	}
	erec_free_list(&msgs);
	outbuf_release(&out);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	return err;
}

static void listing(const struct bnft_ruleset *rs, struct outbuf *o)
{
	struct output_ctx octx = { .handle = true };

	outbuf_init(o);
	bnft_print_ruleset(rs, &octx, o);
}

/* Handles with gaps and the handle generators survive text -> ruleset. */
static void test_state_handles(void **state)
{
	struct bnft_ruleset rs, back;
	struct outbuf a, b, text;
	struct list_head msgs;

	(void)state;
	bnft_ruleset_init(&rs);
	bnft_ruleset_init(&back);
	init_list_head(&msgs);
	assert_int_equal(eval_text(&rs, "add table ip x\n"
					"add table inet t\n"
					"add chain inet t c { type filter hook input priority 0; }\n"
					"add set inet t s { type ipv4_addr; }\n"
					"add rule inet t c ip saddr @s drop\n"
					"add rule inet t c tcp dport { 1, 2 } accept\n"
					"add rule inet t c udp dport 3 counter accept\n"
					"add chain inet t d\n"
					"add rule inet t d udp dport 4 accept\n"),
			 0);
	assert_int_equal(eval_text(&rs, "delete rule inet t c handle 5\n"
					"delete table ip x\n"
					"add rule inet t c udp dport 5 accept\n"
					"delete rule inet t c handle 9\n"),
			 0);
	outbuf_init(&text);
	assert_int_equal(bnft_live_state_text(&rs, &text), 0);
	assert_non_null(strstr(text.buf, "#@bnft table"));
	assert_int_equal(bnft_live_restore_text(&back, text.buf, "<state>", &msgs), 0);
	listing(&rs, &a);
	listing(&back, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* the next handles continue where the original left off */
	assert_int_equal(eval_text(&rs, "add rule inet t c udp dport 6 accept\nadd table ip y\n"), 0);
	assert_int_equal(eval_text(&back, "add rule inet t c udp dport 6 accept\nadd table ip y\n"),
			 0);
	outbuf_release(&a);
	outbuf_release(&b);
	listing(&rs, &a);
	listing(&back, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_non_null(strstr(a.buf, "udp dport 6 accept # handle 10"));
	outbuf_release(&a);
	outbuf_release(&b);
	outbuf_release(&text);
	erec_free_list(&msgs);
	bnft_ruleset_release(&rs);
	bnft_ruleset_release(&back);
}

/* A state text whose handle lines do not fit is evaluated anyway. */
static void test_state_mismatch(void **state)
{
	struct bnft_ruleset rs;
	struct list_head msgs;

	(void)state;
	bnft_ruleset_init(&rs);
	init_list_head(&msgs);
	assert_true(bnft_live_restore_text(&rs,
					   "table inet t {\n\tchain c {\n\t}\n}\n"
					   "#@bnft table 1 7 9 t\n#@bnft chain 3 zz\n"
					   "#@bnft rules 2 4 5 c\n",
					   "<state>", &msgs) == 2);
	assert_int_equal(ruleset_table_lookup(&rs, 1, "t")->handle.handle.id, 7);
	assert_int_equal(bnft_live_restore_text(&rs, "table inet t { chain c { bogus } }\n",
						"<state>", &msgs),
			 -1);
	erec_free_list(&msgs);
	bnft_ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_roundtrip),  cmocka_unit_test(test_msg_truncated),
		cmocka_unit_test(test_msg_bad),	       cmocka_unit_test(test_addr),
		cmocka_unit_test(test_state_handles),  cmocka_unit_test(test_state_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
