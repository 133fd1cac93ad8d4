// SPDX-License-Identifier: GPL-2.0
/*
 * bnft: the nft-compatible command line. Parses the input (-f FILE or the
 * command words), evaluates it into a ruleset as one transaction, prints
 * what list commands asked for, and hands the result to the live path
 * unless -c was given. `bnft -c -f FILE --print` prints the ruleset the
 * input would leave on an empty system, as `nft list ruleset` would.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/lib/client.h"
#include "compat/lib/live.h"
#include "compat/lib/monitor.h"
#include "daemon/lib/ctcfg.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/print.h"
#include "parser/ruleset.h"
#include "translator/lower.h"

#define BNFT_VERSION_STRING "bnft v0.1 (nftables 1.1 compatible)"

enum {
	OPT_PRINT = 0x100,
	OPT_PIN_ROOT,
	OPT_CT_MAX,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ "file", required_argument, NULL, 'f' },
	{ "define", required_argument, NULL, 'D' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "includepath", required_argument, NULL, 'I' },
	{ "check", no_argument, NULL, 'c' },
	{ "optimize", no_argument, NULL, 'o' },
	{ "handle", no_argument, NULL, 'a' },
	{ "stateless", no_argument, NULL, 's' },
	{ "terse", no_argument, NULL, 't' },
	{ "service", no_argument, NULL, 'S' },
	{ "reversedns", no_argument, NULL, 'N' },
	{ "guid", no_argument, NULL, 'u' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "numeric-priority", no_argument, NULL, 'y' },
	{ "numeric-protocol", no_argument, NULL, 'p' },
	{ "numeric-time", no_argument, NULL, 'T' },
	{ "echo", no_argument, NULL, 'e' },
	{ "json", no_argument, NULL, 'j' },
	{ "debug", required_argument, NULL, 'd' },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "pin-root", required_argument, NULL, OPT_PIN_ROOT },
	{ "ct-max", required_argument, NULL, OPT_CT_MAX },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fputs("Usage: bnft [ options ] [ cmds... ]\n"
	      "\n"
	      "Options (general):\n"
	      "  -h, --help                      Show this help\n"
	      "  -v, --version                   Show version information\n"
	      "  -V                              Show extended version information\n"
	      "\n"
	      "Options (ruleset input handling):\n"
	      "  -f, --file <filename>           Read input from <filename>\n"
	      "  -D, --define <name=value>       Define variable, e.g. --define foo=1.2.3.4\n"
	      "  -i, --interactive               Read input from interactive CLI (not supported yet)\n"
	      "  -I, --includepath <directory>   Add <directory> to the paths searched for include files. Default is: /etc\n"
	      "  -c, --check                     Check commands validity without actually applying the changes.\n"
	      "  -o, --optimize                  Optimize ruleset (not supported yet)\n"
	      "      --print                     With -c: print the ruleset the input leaves on an empty system.\n"
	      "      --pin-root <dir>            bpffs directory of the live state (default /run/bnft/net-<netns>).\n"
	      "      --ct-max <n>                Conntrack table size when the table is created (env BNFT_CT_MAX;\n"
	      "                                  default nf_conntrack_max). `list ct stats` shows its use.\n"
	      "\n"
	      "Options (ruleset list formatting):\n"
	      "  -a, --handle                    Output rule handle.\n"
	      "  -s, --stateless                 Omit stateful information of ruleset.\n"
	      "  -t, --terse                     Omit contents of sets.\n"
	      "  -S, --service                   Translate ports to service names as described in /etc/services.\n"
	      "  -N, --reversedns                Translate IP addresses to names.\n"
	      "  -u, --guid                      Print UID/GID as defined in /etc/passwd and /etc/group.\n"
	      "  -n, --numeric                   Print fully numerical output.\n"
	      "  -y, --numeric-priority          Print chain priority numerically.\n"
	      "  -p, --numeric-protocol          Print layer 4 protocols numerically.\n"
	      "  -T, --numeric-time              Print time values numerically.\n"
	      "\n"
	      "Options (command output formatting):\n"
	      "  -e, --echo                      Echo what has been added, inserted or replaced.\n"
	      "  -j, --json                      Format output in JSON (JSON input not supported yet)\n"
	      "  -d, --debug <level [,level...]> Specify debugging level (netlink)\n",
	      f);
}

#if !__has_include("compat/lib/live.c")
/* Default until the live path exists (compat/lib/live.c). */
__attribute__((weak)) int bnft_apply_live(const struct bnft_ruleset *rs, struct list_head *msgs)
{
	(void)rs;
	erec_error(msgs, &internal_location, "live apply not available yet");
	return -1;
}
#endif


/* Whether the input changes the ruleset (else nothing is reloaded). */
static bool cmds_modify(const struct ruleset_src *src)
{
	const struct cmd *c;

	list_for_each_entry(c, &src->cmds, list) {
		switch (c->op) {
		case CMD_LIST:
		case CMD_GET:
		case CMD_EXPORT:
		case CMD_MONITOR:
		case CMD_DESCRIBE:
			break;
		default:
			return true;
		}
	}
	return false;
}

static void flush_out(struct outbuf *o, FILE *f)
{
	if (o->len)
		fwrite(o->buf, 1, o->len, f);
	fflush(f);
	o->len = 0;
}

static int print_errors(struct list_head *msgs)
{
	struct outbuf o;

	if (list_empty(msgs))
		return 0;
	outbuf_init(&o);
	erec_print_list(&o, msgs);
	flush_out(&o, stderr);
	outbuf_release(&o);
	return 0;
}

/* -D name=value: nft parses "define name=value;" lines before the input,
 * so values may be any expression ({ 22, 80 }, $other ...). */
static char *defines_buffer(const char **defs, unsigned int n)
{
	size_t len = 1;
	unsigned int i;
	char *buf;

	for (i = 0; i < n; i++) {
		if (!strchr(defs[i], '=') || defs[i][0] == '=') {
			fprintf(stderr, "Error: invalid define: %s (expected name=value)\n", defs[i]);
			return NULL;
		}
		len += strlen(defs[i]) + 16;
	}
	buf = calloc(1, len);
	if (!buf)
		return NULL;
	for (i = 0; i < n; i++) {
		strcat(buf, "define ");
		strcat(buf, defs[i]);
		strcat(buf, "\n");
	}
	return buf;
}

/* nft refuses "nft add table ip t -a" and points at the option */
static bool options_after_commands(int argc, char **argv, int first)
{
	int i, j, col, bad = -1;

	for (i = first; i < argc && bad < 0; i++)
		if (argv[i][0] == '-' && argv[i][1] && !(argv[i][1] >= '0' && argv[i][1] <= '9'))
			bad = i;
	if (bad < 0)
		return false;
	fprintf(stderr, "Error: syntax error, options must be specified before commands\nbnft");
	for (i = 1; i < argc; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n    ^");
	col = 5;
	for (i = 1; i < bad; i++)
		col += strlen(argv[i]) + 1;
	for (j = 5; j < col; j++)
		fputc(' ', stderr);
	for (j = 0; j < (int)strlen(argv[bad]); j++)
		fputc('~', stderr);
	fputc('\n', stderr);
	return true;
}

/* nft -j -f takes JSON: recognise it by its first character */
static bool file_is_json(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : NULL;
	int c = EOF;

	if (!f)
		return false;
	do
		c = fgetc(f);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	fclose(f);
	return c == '{' || c == '[';
}

static char *join_args(int argc, char **argv)
{
	size_t len = 0;
	char *buf;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	buf = calloc(1, len + 2);
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

int main(int argc, char **argv)
{
	struct output_ctx octx = { 0 };
	const char **includes = NULL;
	const char **defines = NULL;
	unsigned int nincludes = 0, ndefines = 0;
	const char *file = NULL;
	bool check = false, print = false, debug_netlink = false, ct_max_opt = false;
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	struct list_head msgs;
	struct outbuf out;
	int opt, rc = 1;
	char *buf = NULL, *defbuf = NULL;

	while ((opt = getopt_long(argc, argv, "+hvVf:D:iI:coastSNunypTejd:", long_opts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("%s\n", BNFT_VERSION_STRING);
			return 0;
		case 'V':
			printf("%s\n  cli:\t\tno\n  json:\t\tno\n  ebpf:\t\tyes\n",
			       BNFT_VERSION_STRING);
			return 0;
		case 'f':
			file = optarg;
			break;
		case 'D':
			defines = realloc(defines, (ndefines + 1) * sizeof(*defines));
			if (!defines)
				return 1;
			defines[ndefines++] = optarg;
			break;
		case 'i':
			fprintf(stderr, "Error: interactive mode is not supported yet\n");
			return 1;
		case 'I':
			includes = realloc(includes, (nincludes + 1) * sizeof(*includes));
			if (!includes)
				return 1;
			includes[nincludes++] = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'o':
			break; /* the optimizer's suggestions are not printed yet */
		case 'a':
			octx.handle = true;
			break;
		case 's':
			octx.stateless = true;
			break;
		case 't':
			octx.terse = true;
			break;
		case 'S':
			octx.service = true;
			break;
		case 'N':
			octx.reversedns = true;
			break;
		case 'u':
			octx.guid = true;
			break;
		case 'n':
			octx.numeric++;
			break;
		case 'y':
			octx.numeric_prio = true;
			break;
		case 'p':
			octx.numeric_proto = true;
			break;
		case 'T':
			octx.numeric_time = true;
			break;
		case 'e':
			octx.echo = true;
			break;
		case 'j':
			/* JSON output (list ruleset, --print); JSON input is not
			 * supported yet */
			octx.json = true;
			break;
		case 'd': {
			char *levels = strdup(optarg), *tok, *save = NULL;

			for (tok = strtok_r(levels, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "netlink") || !strcmp(tok, "all"))
					debug_netlink = true;
				else if (strcmp(tok, "scanner") && strcmp(tok, "parser") &&
					 strcmp(tok, "eval") && strcmp(tok, "mnl") &&
					 strcmp(tok, "proto-ctx") && strcmp(tok, "segtree")) {
					fprintf(stderr, "invalid debug parameter `%s'\n", tok);
					free(levels);
					return 1;
				}
			}
			free(levels);
			break;
		}
		case OPT_PRINT:
			print = true;
			break;
		case OPT_PIN_ROOT:
			bnft_live_set_pin_root(optarg);
			break;
		case OPT_CT_MAX: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 0);

			if (*end || !n || n > (1ul << 26)) {
				fprintf(stderr, "Error: --ct-max: 1 to %lu entries\n", 1ul << 26);
				return 1;
			}
			/* read by the loader (daemon/lib/ctcfg.c), also in a bnftd
			 * this command starts */
			setenv("BNFT_CT_MAX", optarg, 1);
			ct_max_opt = true;
			break;
		}
		default:
			return 1;
		}
	}
	if (options_after_commands(argc, argv, optind))
		return 1;
	if (print && !check) {
		fprintf(stderr, "Error: --print requires -c/--check\n");
		return 1;
	}
	if (!file && optind >= argc) {
		/* nft without input does nothing */
		return 0;
	}
	if (file && optind < argc) {
		fprintf(stderr, "Error: -f/--file and commands on the command line are exclusive\n");
		return 1;
	}

	if (!file && optind < argc && !strcmp(argv[optind], "monitor")) {
		/* bnftd streams ruleset changes (compat/lib/monitor*.c); packet
		 * traces are compat/lib/trace.c's */
		if (optind + 1 < argc && !strcmp(argv[optind + 1], "trace")) {
#if __has_include("compat/lib/trace.c")
			return bnft_monitor_trace(argc - optind - 1, argv + optind + 1, &octx);
#else
			fprintf(stderr, "Error: monitor trace is not supported yet\n");
			return 1;
#endif
		}
		return bnft_monitor_run(argc - optind, argv + optind, &octx, debug_netlink);
	}
	if (!file && argc - optind == 3 && !strcmp(argv[optind], "list") &&
	    !strcmp(argv[optind + 1], "ct") && !strcmp(argv[optind + 2], "stats")) {
		/* conntrack table use and counters (like conntrack -S / -C) */
		struct bnft_ct_stats cs;
		int err;

		bnft_live_enter_host_mntns();
		err = bnft_ct_stats_get(bnft_live_pin_root(), &cs);
		if (err) {
			fprintf(stderr, "Error: no conntrack table under %s: %s\n",
				bnft_live_pin_root(), strerror(-err));
			return 1;
		}
		bnft_ct_stats_print(&cs, stdout);
		bnft_ct_stats_release(&cs);
		return 0;
	}
	if (!check && !getenv("BNFT_NO_DAEMON")) {
		/* the live ruleset is bnftd's: it parses, evaluates and commits */
		int dfd;
		struct bnft_client_req req = {
			.file = file,
			.argc = argc - optind,
			.argv = argv + optind,
			.defines = defines,
			.ndefines = ndefines,
			.includes = includes,
			.nincludes = nincludes,
			.octx = &octx,
			.debug_netlink = debug_netlink,
		};

		if (ct_max_opt && (dfd = bnft_client_connect(bnft_live_pin_root())) >= 0) {
			/* the daemon's loader reads its own environment */
			close(dfd);
			fprintf(stderr, "Warning: bnftd already runs for %s: --ct-max only applies to "
					"a bnftd this command starts (or BNFT_CT_MAX in bnftd's "
					"environment)\n", bnft_live_pin_root());
		}
		rc = bnft_client_run(&req);
		free(includes);
		free(defines);
		return rc;
	}
	init_list_head(&msgs);
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	pctx.include_paths = includes;
	pctx.num_include_paths = nincludes;
	bnft_ruleset_init(&rs);
	outbuf_init(&out);

	if (ndefines) {
		defbuf = defines_buffer(defines, ndefines);
		if (!defbuf)
			goto out;
		if (bnft_parse_buffer(&pctx, defbuf, "<cmdline>") < 0)
			goto err;
	}

	if (file) {
		if (octx.json && file_is_json(file)) {
			fprintf(stderr, "Error: JSON input (-j -f) is not supported yet\n");
			goto out;
		}
		if (bnft_parse_file(&pctx, file) < 0)
			goto err;
	} else {
		buf = join_args(argc - optind, argv + optind);
		if (!buf)
			goto out;
		if (bnft_parse_buffer(&pctx, buf, "<cmdline>") < 0)
			goto err;
	}
	if (!check) {
		/* Start from what is live in this network namespace. */
		if (bnft_live_enter_host_mntns() < 0)
			fprintf(stderr, "Warning: cannot join the host mount namespace; "
					"pins under ip netns exec will not outlive this command\n");
		if (bnft_live_load_state(&rs, &msgs) < 0)
			goto err;
	}
	if (bnft_evaluate(&rs, &src, &msgs, &octx, &out) < 0)
		goto err;
	flush_out(&out, stdout);

	if (debug_netlink) {
		bnft_netlink_debug(&rs, &octx, &out);
		flush_out(&out, stdout);
	}
	if (check) {
		if (print) {
			if (octx.json)
				bnft_print_ruleset_json(&rs, 0, &octx, &out);
			else
				bnft_print_ruleset(&rs, &octx, &out);
			flush_out(&out, stdout);
		}
		rc = 0;
		goto out;
	}
	if (cmds_modify(&src) && bnft_apply_live(&rs, &msgs) < 0)
		goto err;
	rc = 0;
	goto out;
err:
	flush_out(&out, stdout);
	print_errors(&msgs);
	rc = 1;
out:
	outbuf_release(&out);
	erec_free_list(&msgs);
	bnft_ruleset_release(&rs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	free(buf);
	free(defbuf);
	free(includes);
	free(defines);
	return rc;
}
