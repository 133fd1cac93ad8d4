/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grammar of the nft language (nftables 1.1 syntax). Pure, reentrant,
 * with locations; builds the AST of parser/ast.h. Identifiers that need a
 * type to be understood (services, icmp types, ct states, hosts ...) stay
 * EXPR_SYMBOL for the evaluator. $variables are expanded here (clones of
 * the define's expression), so the AST never holds EXPR_VARIABLE.
 */
%define api.pure full
%define api.prefix {bnft_yy}
%define api.location.type {struct location}
%define parse.error custom
%locations
%parse-param { void *scanner }
%parse-param { struct parser_state *state }
%lex-param { void *scanner }

%code requires {
#include <stdint.h>
#include "parser/ast.h"
struct parser_state;
}

%code {
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_synproxy.h>
#include <linux/netfilter/nfnetlink_osf.h>
#include <linux/xfrm.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/parse_int.h"
#include "parser/proto.h"
#include "parser/print.h"

int bnft_yylex(BNFT_YYSTYPE *lvalp, struct location *llocp, void *scanner);

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                          \
	do {                                                                 \
		if (N) {                                                     \
			(Cur).indesc = YYRHSLOC(Rhs, N).indesc;              \
			(Cur).first_line = YYRHSLOC(Rhs, 1).first_line;      \
			(Cur).first_column = YYRHSLOC(Rhs, 1).first_column;  \
			(Cur).last_line = YYRHSLOC(Rhs, N).last_line;        \
			(Cur).last_column = YYRHSLOC(Rhs, N).last_column;    \
		} else {                                                     \
			(Cur).indesc = YYRHSLOC(Rhs, 0).indesc;              \
			(Cur).first_line = (Cur).last_line =                 \
				YYRHSLOC(Rhs, 0).last_line;                  \
			(Cur).first_column = (Cur).last_column =             \
				YYRHSLOC(Rhs, 0).last_column;                \
		}                                                            \
	} while (0)

static void bnft_yyerror(struct location *loc, void *scanner, struct parser_state *state,
			 const char *s)
{
	parser_error(state, loc, "%s", s);
}

#include "parser/grammar_helpers.h"

}

%initial-action {
	memset(&@$, 0, sizeof(@$));
	@$.first_line = @$.last_line = 1;
	@$.first_column = @$.last_column = 1;
}

%union {
	uint64_t val;
	char *string;
	const char *kw;
	struct expr *expr;
	struct stmt *stmt;
	struct list_head *list;
	struct rule *rule;
	struct chain *chain;
	struct set *set;
	struct obj *obj;
	struct flowtable *flowtable;
	struct table *table;
	struct cmd *cmd;
	struct handle *handle; /* heap: keeps YYSTYPE (copied on every shift and reduce) small */
	unsigned int uval;
	int ival;
}

%token TOKEN_EOF 0	"end of file"
%token JUNK		"junk"
%token NEWLINE		"newline"
%token COLON		"colon"
%token SEMICOLON	"semicolon"
%token COMMA		"comma"
%token DOT		"."
%token EQ		"=="
%token NEQ		"!="
%token LT		"<"
%token GT		">"
%token GTE		">="
%token LTE		"<="
%token LSHIFT		"<<"
%token RSHIFT		">>"
%token AMPERSAND	"&"
%token CARET		"^"
%token NOT		"!"
%token SLASH		"/"
%token ASTERISK		"*"
%token DASH		"-"
%token AT		"@"
%token PLUS		"+"

%token <val> NUM		"number"
%token <string> STRING		"string"
%token <expr> ELEM_RUN		"elements"
%token <string> QUOTED_STRING	"quoted string"
%token <string> ASTERISK_STRING	"string with a trailing asterisk"
%destructor { free($$); } <string>
%destructor { expr_free($$); } <expr>
%destructor { stmt_free($$); } <stmt>
%destructor { stmt_list_free_all($$); } <list>
%destructor { rule_free($$); } <rule>
%destructor { chain_free($$); } <chain>
%destructor { set_free($$); } <set>
%destructor { obj_free($$); } <obj>
%destructor { flowtable_free($$); } <flowtable>
%destructor { table_free($$); } <table>
%destructor { cmd_free($$); } <cmd>
%destructor { handle_release($$); } <handle>

%token <kw> KW_INCLUDE "include"
%token <kw> KW_DEFINE "define"
%token <kw> KW_REDEFINE "redefine"
%token <kw> KW_UNDEFINE "undefine"
%token <kw> KW_ADD "add"
%token <kw> KW_UPDATE "update"
%token <kw> KW_REPLACE "replace"
%token <kw> KW_CREATE "create"
%token <kw> KW_INSERT "insert"
%token <kw> KW_DELETE "delete"
%token <kw> KW_GET "get"
%token <kw> KW_LIST "list"
%token <kw> KW_RESET "reset"
%token <kw> KW_FLUSH "flush"
%token <kw> KW_RENAME "rename"
%token <kw> KW_DESCRIBE "describe"
%token <kw> KW_IMPORT "import"
%token <kw> KW_EXPORT "export"
%token <kw> KW_DESTROY "destroy"
%token <kw> KW_MONITOR "monitor"
%token <kw> KW_TABLE "table"
%token <kw> KW_TABLES "tables"
%token <kw> KW_CHAIN "chain"
%token <kw> KW_CHAINS "chains"
%token <kw> KW_RULE "rule"
%token <kw> KW_RULES "rules"
%token <kw> KW_SET "set"
%token <kw> KW_SETS "sets"
%token <kw> KW_MAP "map"
%token <kw> KW_MAPS "maps"
%token <kw> KW_ELEMENT "element"
%token <kw> KW_ELEMENTS "elements"
%token <kw> KW_FLOWTABLE "flowtable"
%token <kw> KW_FLOWTABLES "flowtables"
%token <kw> KW_COUNTER "counter"
%token <kw> KW_COUNTERS "counters"
%token <kw> KW_QUOTA "quota"
%token <kw> KW_QUOTAS "quotas"
%token <kw> KW_LIMIT "limit"
%token <kw> KW_LIMITS "limits"
%token <kw> KW_CT "ct"
%token <kw> KW_HELPER "helper"
%token <kw> KW_HELPERS "helpers"
%token <kw> KW_CONSTANT "constant"
%token <kw> KW_INTERVAL "interval"
%token <kw> KW_DYNAMIC "dynamic"
%token <kw> KW_TIMEOUT "timeout"
%token <kw> KW_EXPECTATION "expectation"
%token <kw> KW_SECMARK "secmark"
%token <kw> KW_SECMARKS "secmarks"
%token <kw> KW_SYNPROXY "synproxy"
%token <kw> KW_SYNPROXYS "synproxys"
%token <kw> KW_METER "meter"
%token <kw> KW_METERS "meters"
%token <kw> KW_RULESET "ruleset"
%token <kw> KW_HOOK "hook"
%token <kw> KW_HOOKS "hooks"
%token <kw> KW_DEVICE "device"
%token <kw> KW_DEVICES "devices"
%token <kw> KW_HANDLE "handle"
%token <kw> KW_POSITION "position"
%token <kw> KW_INDEX "index"
%token <kw> KW_COMMENT "comment"
%token <kw> KW_TYPE "type"
%token <kw> KW_TYPEOF "typeof"
%token <kw> KW_PRIORITY "priority"
%token <kw> KW_POLICY "policy"
%token <kw> KW_FLAGS "flags"
%token <kw> KW_SIZE "size"
%token <kw> KW_AUTO_MERGE "auto-merge"
%token <kw> KW_GC_INTERVAL "gc-interval"
%token <kw> KW_EXPIRES "expires"
%token <kw> KW_VMAP "vmap"
%token <kw> KW_IP "ip"
%token <kw> KW_IP6 "ip6"
%token <kw> KW_INET "inet"
%token <kw> KW_ARP "arp"
%token <kw> KW_BRIDGE "bridge"
%token <kw> KW_NETDEV "netdev"
%token <kw> KW_ACCEPT "accept"
%token <kw> KW_DROP "drop"
%token <kw> KW_CONTINUE "continue"
%token <kw> KW_RETURN "return"
%token <kw> KW_JUMP "jump"
%token <kw> KW_GOTO "goto"
%token <kw> KW_QUEUE "queue"
%token <kw> KW_TO "to"
%token <kw> KW_WITH "with"
%token <kw> KW_OVER "over"
%token <kw> KW_BURST "burst"
%token <kw> KW_RATE "rate"
%token <kw> KW_NAME "name"
%token <kw> KW_PACKETS "packets"
%token <kw> KW_BYTES "bytes"
%token <kw> KW_USED "used"
%token <kw> KW_PREFIX "prefix"
%token <kw> KW_LEVEL "level"
%token <kw> KW_GROUP "group"
%token <kw> KW_SNAPLEN "snaplen"
%token <kw> KW_QUEUE_THRESHOLD "queue-threshold"
%token <kw> KW_NUM "num"
%token <kw> KW_BYPASS "bypass"
%token <kw> KW_FANOUT "fanout"
%token <kw> KW_MSS "mss"
%token <kw> KW_WSCALE "wscale"
%token <kw> KW_RANDOM "random"
%token <kw> KW_FULLY_RANDOM "fully-random"
%token <kw> KW_PERSISTENT "persistent"
%token <kw> KW_EXISTS "exists"
%token <kw> KW_MISSING "missing"
%token <kw> KW_MOD "mod"
%token <kw> KW_SEED "seed"
%token <kw> KW_OFFSET "offset"
%token <kw> KW_LOG "log"
%token <kw> KW_REJECT "reject"
%token <kw> KW_SNAT "snat"
%token <kw> KW_DNAT "dnat"
%token <kw> KW_MASQUERADE "masquerade"
%token <kw> KW_REDIRECT "redirect"
%token <kw> KW_DUP "dup"
%token <kw> KW_FWD "fwd"
%token <kw> KW_TPROXY "tproxy"
%token <kw> KW_NOTRACK "notrack"
%token <kw> KW_FLOW "flow"
%token <kw> KW_LAST "last"
%token <kw> KW_META "meta"
%token <kw> KW_ETHER "ether"
%token <kw> KW_VLAN "vlan"
%token <kw> KW_ICMP "icmp"
%token <kw> KW_ICMPV6 "icmpv6"
%token <kw> KW_IGMP "igmp"
%token <kw> KW_TCP "tcp"
%token <kw> KW_UDP "udp"
%token <kw> KW_UDPLITE "udplite"
%token <kw> KW_SCTP "sctp"
%token <kw> KW_DCCP "dccp"
%token <kw> KW_AH "ah"
%token <kw> KW_ESP "esp"
%token <kw> KW_COMP "comp"
%token <kw> KW_GRE "gre"
%token <kw> KW_GRETAP "gretap"
%token <kw> KW_VXLAN "vxlan"
%token <kw> KW_GENEVE "geneve"
%token <kw> KW_LL "ll"
%token <kw> KW_NH "nh"
%token <kw> KW_TH "th"
%token <kw> KW_EXTHDR "exthdr"
%token <kw> KW_HBH "hbh"
%token <kw> KW_RT "rt"
%token <kw> KW_RT0 "rt0"
%token <kw> KW_RT2 "rt2"
%token <kw> KW_SRH "srh"
%token <kw> KW_FRAG "frag"
%token <kw> KW_DST "dst"
%token <kw> KW_MH "mh"
%token <kw> KW_FIB "fib"
%token <kw> KW_SOCKET "socket"
%token <kw> KW_OSF "osf"
%token <kw> KW_NUMGEN "numgen"
%token <kw> KW_JHASH "jhash"
%token <kw> KW_SYMHASH "symhash"
%token <kw> KW_IPSEC "ipsec"
%token <kw> KW_TUNNEL "tunnel"
%token <kw> KW_OPTION "option"
%token <kw> KW_CHUNK "chunk"
%token <kw> KW_ORIGINAL "original"
%token <kw> KW_REPLY "reply"
%token <kw> KW_COUNT "count"
%token <kw> KW_TTL "ttl"
%token <kw> KW_SPNUM "spnum"
%token <kw> KW_NEVER "never"
%token <kw> KW_OFFLOAD "offload"
%token <kw> KW_ICMPX "icmpx"
/* a whole rule line of a chain body (parser/fast_rule.c) */
%token <rule> FAST_RULE "rule line"

%type <cmd> base_cmd add_cmd create_cmd insert_cmd replace_cmd delete_cmd get_cmd list_cmd
%type <cmd> reset_cmd flush_cmd rename_cmd import_cmd export_cmd monitor_cmd describe_cmd
%type <cmd> destroy_cmd
%type <handle> table_spec tableid_spec chain_spec chainid_spec rule_position ruleid_spec
%type <handle> set_spec setid_spec obj_spec objid_spec flowtable_spec flowtableid_spec
%type <handle> table_or_id_spec chain_or_id_spec set_or_id_spec obj_or_id_spec
%type <handle> flowtable_or_id_spec list_table_opt ruleset_spec
%type <uval> family_spec family_spec_explicit nf_family_opt set_stmt_op
%type <cmd> del_cmd words_cmd
%type <string> identifier string chain_name_str time_str any_ident field_ident
%type <kw> keyword_ident field_kw value_kw proto_kw inner_proto_kw exthdr_kw
%type <rule> rule rule_body
%type <list> stmt_list stateful_stmt_list
%type <stmt> stmt match_stmt verdict_stmt counter_stmt log_stmt limit_stmt quota_stmt
%type <stmt> reject_stmt nat_stmt setter_stmt dup_stmt fwd_stmt queue_stmt synproxy_stmt
%type <stmt> tproxy_stmt set_stmt notrack_stmt flow_stmt last_stmt connlimit_stmt
%type <stmt> optstrip_stmt objref_stmt stateful_stmt meter_stmt
%type <expr> tcpopt_name
%type <stmt> limit_args quota_args nat_args synproxy_opts
%type <table> table_block
%type <chain> chain_block
%type <set> set_block map_block
%type <obj> counter_block quota_block limit_block ct_helper_block ct_timeout_block
%type <obj> ct_expect_block secmark_block synproxy_block counter_config quota_config
%type <obj> limit_config secmark_config synproxy_config
%type <flowtable> flowtable_block
%type <expr> expr concat_expr basic_expr or_expr xor_expr and_expr shift_expr primary_expr
%type <expr> selector_expr payload_expr exthdr_expr meta_expr ct_expr rt_expr fib_expr
%type <expr> socket_expr osf_expr numgen_expr hash_expr xfrm_expr tunnel_expr raw_expr
%type <expr> fib_flags map_expr relational_expr
%type <expr> rhs_expr concat_rhs_expr multiton_rhs_expr basic_rhs_expr or_rhs_expr
%type <expr> xor_rhs_expr and_rhs_expr shift_rhs_expr primary_rhs_expr list_rhs_expr
%type <expr> set_elem_plain
%type <expr> symbol_expr variable_expr integer_expr set_ref_expr set_expr set_list_expr
%type <expr> set_list_member set_elem_expr set_elem_key set_rhs_expr verdict_expr chain_expr
%type <expr> stmt_expr concat_stmt_expr basic_stmt_expr or_stmt_expr xor_stmt_expr
%type <expr> and_stmt_expr shift_stmt_expr primary_stmt_expr list_stmt_expr map_stmt_expr
%type <expr> multiton_stmt_expr set_elem_stmt_expr
%type <expr> type_expr typeof_expr data_type_list data_type_atom prio_expr policy_expr dev_expr
%type <expr> dev_list initializer_expr define_rhs queue_num_expr
%type <expr> nat_addr_expr flowtable_devs vmap_rhs vmap_list vmap_member set_elem_key_w set_elem_opts set_elem_opt_h
%type <uval> relational_op nat_flags nat_flag queue_flags queue_flag log_flags
%type <uval> log_tcp_flags set_flag_list set_flag time_unit_spec ct_dir
%type <val> time_spec

%start input

%%

input			:	%empty
			|	input line
			;

line			:	common_block
			|	stmt_separator
			|	base_cmd stmt_separator	{ parser_add_cmd(state, $1, &@1); }
			|	base_cmd TOKEN_EOF
			{
				/* the last command may end at the end of input */
				parser_add_cmd(state, $1, &@1);
				YYACCEPT;
			}
			;

stmt_separator		:	NEWLINE
			|	SEMICOLON
			;

opt_newline		:	%empty
			|	opt_newline NEWLINE
			;

common_block		:	KW_INCLUDE QUOTED_STRING stmt_separator
			{
				int ret = scanner_include(state, $2, &@$);

				free($2);
				if (ret < 0 && state->nerrs >= state->ctx->max_errors)
					YYABORT;
			}
			|	KW_DEFINE identifier '=' define_rhs stmt_separator
			{
				if (parser_define(state, &@2, $2, $4, false) < 0)
					YYERROR;
			}
			|	KW_REDEFINE identifier '=' define_rhs stmt_separator
			{
				parser_define(state, &@2, $2, $4, true);
			}
			|	KW_UNDEFINE identifier stmt_separator
			{
				parser_undefine(state, &@2, $2);
			}
			|	error stmt_separator
			{
				yyerrok;
				if (state->nerrs >= state->ctx->max_errors)
					YYABORT;
			}
			;

define_rhs		:	initializer_expr
			;

initializer_expr	:	rhs_expr
			|	list_rhs_expr
			|	'{' '}'	{ $$ = compound_expr_alloc(&@$, EXPR_SET); }
			|	DASH NUM
			{
				char buf[32];

				snprintf(buf, sizeof(buf), "-%" PRIu64, $2);
				$$ = symbol_expr_alloc(&@$, buf, false);
			}
			;

/* ---------------------------------------------------------------- */
/* Commands                                                          */

base_cmd		:	add_cmd
			|	KW_ADD add_cmd		{ $$ = $2; }
			|	KW_REPLACE replace_cmd	{ $$ = $2; }
			|	KW_CREATE create_cmd	{ $$ = $2; }
			|	KW_INSERT insert_cmd	{ $$ = $2; }
			|	KW_DELETE delete_cmd	{ $$ = $2; }
			|	KW_GET get_cmd		{ $$ = $2; }
			|	KW_LIST list_cmd	{ $$ = $2; }
			|	KW_RESET reset_cmd	{ $$ = $2; }
			|	KW_FLUSH flush_cmd	{ $$ = $2; }
			|	KW_RENAME rename_cmd	{ $$ = $2; }
			|	KW_IMPORT import_cmd	{ $$ = $2; }
			|	KW_EXPORT export_cmd	{ $$ = $2; }
			|	KW_MONITOR monitor_cmd	{ $$ = $2; }
			|	KW_DESCRIBE describe_cmd { $$ = $2; }
			|	KW_DESTROY destroy_cmd	{ $$ = $2; }
			;

add_cmd			:	KW_TABLE table_spec
			{
				struct table *t = table_alloc();

				$$ = mk_cmd(CMD_ADD, CMD_OBJ_TABLE, $2, &@$, t);
				if (t) {
					handle_copy(&t->handle, $2);
					t->location = @$;
				}
				handle_release($2);
			}
			|	KW_TABLE table_spec '{' { blk_enter(state, $2, NULL); } table_block '}'
			{
				blk_leave(state);
				handle_copy(&$5->handle, $2);
				$5->location = @$;
				table_fix_handles($5);
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_TABLE, $2, &@$, $5);
				handle_release($2);
			}
			|	KW_CHAIN chain_spec
			{
				struct chain *c = chain_alloc(NULL);

				if (c) {
					handle_copy(&c->handle, $2);
					c->location = @$;
				}
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_CHAIN, $2, &@$, c);
				handle_release($2);
			}
			|	KW_CHAIN chain_spec '{' { blk_enter(state, $2, $2->chain); } chain_block '}'
			{
				blk_leave(state);
				handle_free(&$5->handle);
				handle_copy(&$5->handle, $2);
				$5->location = @$;
				chain_fix_handles($5);
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_CHAIN, $2, &@$, $5);
				handle_release($2);
			}
			|	KW_RULE rule_position rule
			{
				rule_set_handle($3, $2);
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_RULE, $2, &@$, $3);
				handle_release($2);
			}
			|	rule_position rule
			{
				rule_set_handle($2, $1);
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_RULE, $1, &@$, $2);
				handle_release($1);
			}
			|	KW_SET set_spec '{' { blk_enter(state, $2, NULL); } set_block '}'
			{
				blk_leave(state);
				handle_copy(&$5->handle, $2);
				$5->location = @$;
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_SET, $2, &@$, $5);
				handle_release($2);
			}
			|	KW_MAP set_spec '{' { blk_enter(state, $2, NULL); } map_block '}'
			{
				blk_leave(state);
				handle_copy(&$5->handle, $2);
				$5->location = @$;
				$5->flags |= NFT_SET_MAP;
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_MAP, $2, &@$, $5);
				handle_release($2);
			}
			|	KW_ELEMENT set_spec set_expr
			{
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_ELEMENTS, $2, &@$, $3);
				handle_release($2);
			}
			|	KW_FLOWTABLE flowtable_spec '{' { blk_enter(state, $2, NULL); } flowtable_block '}'
			{
				blk_leave(state);
				handle_copy(&$5->handle, $2);
				$5->location = @$;
				$$ = mk_cmd(CMD_ADD, CMD_OBJ_FLOWTABLE, $2, &@$, $5);
				handle_release($2);
			}
			|	KW_COUNTER obj_spec
			{
				struct obj *o = obj_alloc(&@$);

				if (o)
					o->type = NFT_OBJECT_COUNTER;
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_COUNTER, $2, &@$, o);
			}
			|	KW_COUNTER obj_spec counter_config
			{
				$3->type = NFT_OBJECT_COUNTER;
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_COUNTER, $2, &@$, $3);
			}
			|	KW_COUNTER obj_spec '{' counter_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_COUNTER, $2, &@$, $4);
			}
			|	KW_QUOTA obj_spec quota_config
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_QUOTA, $2, &@$, $3);
			}
			|	KW_QUOTA obj_spec '{' quota_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_QUOTA, $2, &@$, $4);
			}
			|	KW_LIMIT obj_spec limit_config
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_LIMIT, $2, &@$, $3);
			}
			|	KW_LIMIT obj_spec '{' limit_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_LIMIT, $2, &@$, $4);
			}
			|	KW_CT KW_HELPER obj_spec '{' ct_helper_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_CT_HELPER, $3, &@$, $5);
			}
			|	KW_CT KW_TIMEOUT obj_spec '{' ct_timeout_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_CT_TIMEOUT, $3, &@$, $5);
			}
			|	KW_CT KW_EXPECTATION obj_spec '{' ct_expect_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_CT_EXPECT, $3, &@$, $5);
			}
			|	KW_SECMARK obj_spec secmark_config
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_SECMARK, $2, &@$, $3);
			}
			|	KW_SECMARK obj_spec '{' secmark_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_SECMARK, $2, &@$, $4);
			}
			|	KW_SYNPROXY obj_spec synproxy_config
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_SYNPROXY, $2, &@$, $3);
			}
			|	KW_SYNPROXY obj_spec '{' synproxy_block '}'
			{
				$$ = mk_obj_cmd(CMD_ADD, CMD_OBJ_SYNPROXY, $2, &@$, $4);
			}
			;

create_cmd		:	add_cmd
			{
				$$ = $1;
				$$->op = CMD_CREATE;
			}
			;

insert_cmd		:	KW_RULE rule_position rule
			{
				rule_set_handle($3, $2);
				$$ = mk_cmd(CMD_INSERT, CMD_OBJ_RULE, $2, &@$, $3);
				handle_release($2);
			}
			|	rule_position rule
			{
				rule_set_handle($2, $1);
				$$ = mk_cmd(CMD_INSERT, CMD_OBJ_RULE, $1, &@$, $2);
				handle_release($1);
			}
			;

replace_cmd		:	KW_RULE ruleid_spec rule
			{
				rule_set_handle($3, $2);
				$$ = mk_cmd(CMD_REPLACE, CMD_OBJ_RULE, $2, &@$, $3);
				handle_release($2);
			}
			;

/* delete and destroy take the same objects */
delete_cmd		:	del_cmd
			;

destroy_cmd		:	del_cmd
			{
				$$ = $1;
				if ($$)
					$$->op = CMD_DESTROY;
			}
			;

del_cmd			:	KW_TABLE table_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_TABLE, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_CHAIN chain_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_CHAIN, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_CHAIN chain_spec '{' { blk_enter(state, $2, $2->chain); } chain_block '}'
			{
				blk_leave(state);
				handle_free(&$5->handle);
				handle_copy(&$5->handle, $2);
				$5->location = @$;
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_CHAIN, $2, &@$, $5);
				handle_release($2);
			}
			|	KW_RULE ruleid_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_RULE, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_SET set_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_SET, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_MAP set_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_MAP, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_METER set_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_METER, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_ELEMENT set_spec set_expr
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_ELEMENTS, $2, &@$, $3);
				handle_release($2);
			}
			|	KW_FLOWTABLE flowtable_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_FLOWTABLE, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_FLOWTABLE flowtable_spec '{' flowtable_block '}'
			{
				handle_copy(&$4->handle, $2);
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_FLOWTABLE, $2, &@$, $4);
				handle_release($2);
			}
			|	KW_COUNTER obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_COUNTER, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_QUOTA obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_QUOTA, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_LIMIT obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_LIMIT, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_SECMARK obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_SECMARK, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_SYNPROXY obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_SYNPROXY, $2, &@$, NULL);
				handle_release($2);
			}
			|	KW_CT KW_HELPER obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_CT_HELPER, $3, &@$, NULL);
				handle_release($3);
			}
			|	KW_CT KW_TIMEOUT obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_CT_TIMEOUT, $3, &@$, NULL);
				handle_release($3);
			}
			|	KW_CT KW_EXPECTATION obj_or_id_spec
			{
				$$ = mk_cmd(CMD_DELETE, CMD_OBJ_CT_EXPECT, $3, &@$, NULL);
				handle_release($3);
			}
			;

get_cmd			:	KW_ELEMENT set_spec set_expr
			{
				$$ = mk_cmd(CMD_GET, CMD_OBJ_ELEMENTS, $2, &@$, $3);
				handle_release($2);
			}
			;

list_cmd		:	KW_TABLE table_or_id_spec	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_TABLE, $2, &@$); }
			|	KW_TABLES ruleset_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_TABLES, $2, &@$); }
			|	KW_CHAIN chain_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_CHAIN, $2, &@$); }
			|	KW_CHAINS ruleset_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_CHAINS, $2, &@$); }
			|	KW_SETS list_table_opt		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_SETS, $2, &@$); }
			|	KW_SET set_spec			{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_SET, $2, &@$); }
			|	KW_MAPS list_table_opt		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_MAPS, $2, &@$); }
			|	KW_MAP set_spec			{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_MAP, $2, &@$); }
			|	KW_METERS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_METERS, $2, &@$); }
			|	KW_METER set_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_METER, $2, &@$); }
			|	KW_COUNTERS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_COUNTERS, $2, &@$); }
			|	KW_COUNTER obj_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_COUNTER, $2, &@$); }
			|	KW_QUOTAS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_QUOTAS, $2, &@$); }
			|	KW_QUOTA obj_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_QUOTA, $2, &@$); }
			|	KW_LIMITS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_LIMITS, $2, &@$); }
			|	KW_LIMIT obj_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_LIMIT, $2, &@$); }
			|	KW_SECMARKS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_SECMARKS, $2, &@$); }
			|	KW_SECMARK obj_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_SECMARK, $2, &@$); }
			|	KW_SYNPROXYS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_SYNPROXYS, $2, &@$); }
			|	KW_SYNPROXY obj_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_SYNPROXY, $2, &@$); }
			|	KW_CT KW_HELPERS list_table_opt	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_CT_HELPERS, $3, &@$); }
			|	KW_CT KW_HELPER obj_spec	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_CT_HELPER, $3, &@$); }
			|	KW_CT KW_TIMEOUT obj_spec	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_CT_TIMEOUT, $3, &@$); }
			|	KW_CT KW_EXPECTATION obj_spec	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_CT_EXPECT, $3, &@$); }
			|	KW_RULESET ruleset_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_RULESET, $2, &@$); }
			|	KW_FLOWTABLES ruleset_spec	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_FLOWTABLES, $2, &@$); }
			|	KW_FLOWTABLE flowtable_spec	{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_FLOWTABLE, $2, &@$); }
			|	KW_HOOKS ruleset_spec		{ $$ = mk_cmd_h(CMD_LIST, CMD_OBJ_HOOKS, $2, &@$); }
			|	KW_HOOKS ruleset_spec KW_DEVICE string
			{
				$$ = mk_cmd_h(CMD_LIST, CMD_OBJ_HOOKS, $2, &@$);
				if ($$)
					$$->arg = $4;
				else
					free($4);
			}
			;

reset_cmd		:	KW_COUNTERS list_table_opt	{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_COUNTERS, $2, &@$); }
			|	KW_COUNTER obj_spec		{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_COUNTER, $2, &@$); }
			|	KW_QUOTAS list_table_opt	{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_QUOTAS, $2, &@$); }
			|	KW_QUOTA obj_spec		{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_QUOTA, $2, &@$); }
			|	KW_RULES ruleset_spec		{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_RULES, $2, &@$); }
			|	KW_RULES KW_TABLE table_spec	{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_TABLE, $3, &@$); }
			|	KW_RULES KW_CHAIN chain_spec	{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_CHAIN, $3, &@$); }
			|	KW_RULE ruleid_spec		{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_RULE, $2, &@$); }
			|	KW_SET set_spec			{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_SET, $2, &@$); }
			|	KW_MAP set_spec			{ $$ = mk_cmd_h(CMD_RESET, CMD_OBJ_MAP, $2, &@$); }
			|	KW_ELEMENT set_spec set_expr
			{
				$$ = mk_cmd(CMD_RESET, CMD_OBJ_ELEMENTS, $2, &@$, $3);
				handle_release($2);
			}
			;

flush_cmd		:	KW_TABLE table_spec		{ $$ = mk_cmd_h(CMD_FLUSH, CMD_OBJ_TABLE, $2, &@$); }
			|	KW_CHAIN chain_spec		{ $$ = mk_cmd_h(CMD_FLUSH, CMD_OBJ_CHAIN, $2, &@$); }
			|	KW_SET set_spec			{ $$ = mk_cmd_h(CMD_FLUSH, CMD_OBJ_SET, $2, &@$); }
			|	KW_MAP set_spec			{ $$ = mk_cmd_h(CMD_FLUSH, CMD_OBJ_MAP, $2, &@$); }
			|	KW_METER set_spec		{ $$ = mk_cmd_h(CMD_FLUSH, CMD_OBJ_METER, $2, &@$); }
			|	KW_RULESET ruleset_spec		{ $$ = mk_cmd_h(CMD_FLUSH, CMD_OBJ_RULESET, $2, &@$); }
			;

rename_cmd		:	KW_CHAIN chain_spec identifier
			{
				$$ = mk_cmd_h(CMD_RENAME, CMD_OBJ_CHAIN, $2, &@$);
				if ($$)
					$$->arg = $3;
				else
					free($3);
			}
			;

import_cmd		:	words_cmd	{ $$ = $1; if ($$) $$->op = CMD_IMPORT; }
			;
export_cmd		:	words_cmd	{ $$ = $1; if ($$) $$->op = CMD_EXPORT; }
			;
monitor_cmd		:	words_cmd	{ $$ = $1; if ($$) $$->op = CMD_MONITOR; }
			;

words_cmd		:	%empty
			{
				$$ = mk_cmd(CMD_MONITOR, CMD_OBJ_MONITOR, NULL, &@$, NULL);
			}
			|	words_cmd any_ident
			{
				$$ = $1;
				cmd_append_arg($$, $2);
			}
			;

describe_cmd		:	concat_expr
			{
				$$ = mk_cmd(CMD_DESCRIBE, CMD_OBJ_EXPR, NULL, &@$, $1);
			}
			;

/* ---------------------------------------------------------------- */
/* Object specifications                                             */

family_spec		:	%empty			{ $$ = NFPROTO_IPV4; }
			|	family_spec_explicit
			;

family_spec_explicit	:	KW_IP			{ $$ = NFPROTO_IPV4; }
			|	KW_IP6			{ $$ = NFPROTO_IPV6; }
			|	KW_INET			{ $$ = NFPROTO_INET; }
			|	KW_ARP			{ $$ = NFPROTO_ARP; }
			|	KW_BRIDGE		{ $$ = NFPROTO_BRIDGE; }
			|	KW_NETDEV		{ $$ = NFPROTO_NETDEV; }
			;

table_spec		:	family_spec identifier
			{
				$$ = handle_new(); if (!$$) YYNOMEM;
				$$->family = $1;
				$$->table = $2;
				$$->table_loc = @2;
			}
			;

tableid_spec		:	family_spec KW_HANDLE NUM
			{
				$$ = handle_new(); if (!$$) YYNOMEM;
				$$->family = $1;
				$$->handle.id = $3;
				$$->handle.location = @3;
			}
			;

table_or_id_spec	:	table_spec | tableid_spec ;

chain_spec		:	table_spec identifier
			{
				$$ = $1;
				$$->chain = $2;
				$$->chain_loc = @2;
			}
			;

chainid_spec		:	table_spec KW_HANDLE NUM
			{
				$$ = $1;
				$$->handle.id = $3;
				$$->handle.location = @3;
			}
			;

chain_or_id_spec	:	chain_spec | chainid_spec ;

rule_position		:	chain_spec
			|	chain_spec KW_POSITION NUM
			{
				$$ = $1;
				$$->position.id = $3;
				$$->position.location = @3;
			}
			|	chain_spec KW_HANDLE NUM
			{
				$$ = $1;
				$$->position.id = $3;
				$$->position.location = @3;
			}
			|	chain_spec KW_INDEX NUM
			{
				$$ = $1;
				$$->index.id = $3 + 1;
				$$->index.location = @3;
			}
			;

ruleid_spec		:	chain_spec KW_HANDLE NUM
			{
				$$ = $1;
				$$->handle.id = $3;
				$$->handle.location = @3;
			}
			;

set_spec		:	table_spec identifier
			{
				$$ = $1;
				$$->set = $2;
				$$->set_loc = @2;
			}
			;

setid_spec		:	table_spec KW_HANDLE NUM
			{
				$$ = $1;
				$$->handle.id = $3;
				$$->handle.location = @3;
			}
			;

set_or_id_spec		:	set_spec | setid_spec ;
obj_spec		:	set_spec ;
objid_spec		:	setid_spec ;
obj_or_id_spec		:	obj_spec | objid_spec ;
flowtable_spec		:	set_spec ;
flowtableid_spec	:	setid_spec ;
flowtable_or_id_spec	:	flowtable_spec | flowtableid_spec ;

ruleset_spec		:	%empty
			{
				$$ = handle_new(); if (!$$) YYNOMEM;
			}
			|	family_spec_explicit
			{
				$$ = handle_new(); if (!$$) YYNOMEM;
				$$->family = $1;
			}
			;

list_table_opt		:	ruleset_spec
			|	KW_TABLE table_spec	{ $$ = $2; }
			;

identifier		:	STRING
			;

string			:	STRING
			|	QUOTED_STRING
			|	ASTERISK_STRING
			;

any_ident		:	STRING
			|	QUOTED_STRING
			|	keyword_ident	{ $$ = xstrdup_kw($1); }
			;

/* ---------------------------------------------------------------- */
/* Blocks                                                            */

table_block		:	%empty
			{
				$$ = table_alloc();
				if (!$$)
					YYNOMEM;
				$$->location = @$;
			}
			|	table_block common_block
			|	table_block stmt_separator
			|	table_block KW_FLAGS table_flag_list stmt_separator
			|	table_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			|	table_block KW_CHAIN identifier '{'
				{
					blk_enter_chain(state, $3);
					/* the scanner's '{' was the last token */
					if (!state->fast_off)
						state->fast_depth = state->brace_depth;
				}
				chain_block '}' stmt_separator
			{
				$$ = $1;
				blk_leave(state);
				$6->handle.chain = $3;
				$6->handle.chain_loc = @3;
				$6->location = @3;
				list_add_tail(&$6->list, &$1->chains);
			}
			|	table_block KW_SET identifier '{' { blk_enter_chain(state, NULL); } set_block '}' stmt_separator
			{
				$$ = $1;
				blk_leave(state);
				$6->handle.set = $3;
				$6->handle.set_loc = @3;
				$6->location = @3;
				list_add_tail(&$6->list, &$1->sets);
			}
			|	table_block KW_MAP identifier '{' { blk_enter_chain(state, NULL); } map_block '}' stmt_separator
			{
				$$ = $1;
				blk_leave(state);
				$6->handle.set = $3;
				$6->handle.set_loc = @3;
				$6->location = @3;
				$6->flags |= NFT_SET_MAP;
				list_add_tail(&$6->list, &$1->sets);
			}
			|	table_block KW_FLOWTABLE identifier '{' flowtable_block '}' stmt_separator
			{
				$$ = $1;
				$5->handle.set = $3;
				$5->handle.set_loc = @3;
				$5->location = @3;
				list_add_tail(&$5->list, &$1->flowtables);
			}
			|	table_block KW_COUNTER identifier '{' counter_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $5, $3, &@3);
			}
			|	table_block KW_QUOTA identifier '{' quota_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $5, $3, &@3);
			}
			|	table_block KW_LIMIT identifier '{' limit_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $5, $3, &@3);
			}
			|	table_block KW_CT KW_HELPER identifier '{' ct_helper_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $6, $4, &@4);
			}
			|	table_block KW_CT KW_TIMEOUT identifier '{' ct_timeout_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $6, $4, &@4);
			}
			|	table_block KW_CT KW_EXPECTATION identifier '{' ct_expect_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $6, $4, &@4);
			}
			|	table_block KW_SECMARK identifier '{' secmark_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $5, $3, &@3);
			}
			|	table_block KW_SYNPROXY identifier '{' synproxy_block '}' stmt_separator
			{
				$$ = $1;
				table_add_obj($1, $5, $3, &@3);
			}
			;

table_flag_list		:	STRING
			{
				table_flag(state, $<table>-1, $1, &@1);
			}
			|	table_flag_list COMMA STRING
			{
				table_flag(state, $<table>-1, $3, &@3);
			}
			;

chain_block		:	%empty
			{
				$$ = chain_alloc(NULL);
				if (!$$)
					YYNOMEM;
				$$->location = @$;
			}
			|	chain_block common_block
			|	chain_block stmt_separator
			|	chain_block KW_TYPE identifier KW_HOOK identifier dev_spec_opt KW_PRIORITY prio_expr stmt_separator
			{
				$$ = $1;
				if ($1->has_type) {
					parser_error(state, &@2, "You can only specify this once. This statement is duplicated.");
					free($3);
					free($5);
					expr_free($8);
				} else {
					$1->type = $3;
					$1->type_loc = @3;
					$1->hookstr = $5;
					$1->priority = $8;
					$1->has_type = $1->has_hook = true;
					$1->flags |= CHAIN_F_BASECHAIN;
				}
			}
			|	chain_block KW_POLICY policy_expr stmt_separator
			{
				$$ = $1;
				if ($1->policy) {
					parser_error(state, &@2, "You can only specify this once. This statement is duplicated.");
					expr_free($3);
				} else {
					$1->policy = $3;
					$1->has_policy = true;
				}
			}
			|	chain_block KW_FLAGS STRING stmt_separator
			{
				$$ = $1;
				if (!strcmp($3, "offload"))
					$1->flags |= CHAIN_F_HW_OFFLOAD;
				else
					parser_error(state, &@3, "unknown chain flag %s", $3);
				free($3);
			}
			|	chain_block KW_FLAGS KW_OFFLOAD stmt_separator
			{
				$$ = $1;
				$1->flags |= CHAIN_F_HW_OFFLOAD;
			}
			|	chain_block KW_DEVICES '=' flowtable_devs stmt_separator
			{
				$$ = $1;
				expr_free($1->dev_expr);
				$1->dev_expr = $4;
				$1->is_devices_list = true;
			}
			|	chain_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			|	chain_block rule stmt_separator
			{
				$$ = $1;
				chain_add_rule(state, $1, $2);
			}
			|	chain_block FAST_RULE stmt_separator
			{
				$$ = $1;
				if (!$2)
					YYNOMEM;
				chain_add_rule(state, $1, $2);
			}
			;

dev_spec_opt		:	%empty
			|	KW_DEVICE dev_expr
			{
				struct chain *c = $<chain>-4;

				expr_free(c->dev_expr);
				c->dev_expr = $2;
			}
			|	KW_DEVICES '=' flowtable_devs
			{
				struct chain *c = $<chain>-4;

				expr_free(c->dev_expr);
				c->dev_expr = $3;
				c->is_devices_list = true;
			}
			;

dev_expr		:	string		{ $$ = symbol_expr_alloc(&@$, $1, @1.last_column - @1.first_column + 1 != (int)strlen($1)); free($1); }
			|	variable_expr
			;

flowtable_devs		:	'{' opt_newline dev_list opt_newline '}'	{ $$ = $3; }
			|	'{' opt_newline dev_list COMMA opt_newline '}'	{ $$ = $3; }
			|	variable_expr
			;

dev_list		:	dev_expr
			{
				$$ = compound_expr_alloc(&@$, EXPR_SET);
				if (!$$) {
					expr_free($1);
					YYNOMEM;
				}
				compound_expr_add($$, $1);
			}
			|	dev_list COMMA opt_newline dev_expr
			{
				$$ = $1;
				compound_expr_add($$, $4);
			}
			;

prio_expr		:	string
			{
				$$ = symbol_expr_take(&@$, $1, false);
			}
			|	string PLUS NUM
			{
				$$ = prio_sym(&@$, $1, "+", $3);
			}
			|	string DASH NUM
			{
				$$ = prio_sym(&@$, $1, "-", $3);
			}
			|	NUM
			{
				$$ = num_sym(&@$, $1, false);
			}
			|	DASH NUM
			{
				$$ = num_sym(&@$, $2, true);
			}
			|	variable_expr
			|	variable_expr PLUS NUM
			{
				$$ = $1;
				parser_error(state, &@2, "priority offsets after a variable are not supported");
			}
			;

policy_expr		:	KW_ACCEPT	{ $$ = symbol_expr_alloc(&@$, "accept", false); }
			|	KW_DROP		{ $$ = symbol_expr_alloc(&@$, "drop", false); }
			|	variable_expr
			;

/* set and map blocks: the same properties; map_block requires data */
set_block		:	%empty
			{
				$$ = set_alloc(&@$);
				if (!$$)
					YYNOMEM;
			}
			|	set_block common_block
			|	set_block stmt_separator
			|	set_block set_item stmt_separator
			;

map_block		:	set_block
			;

set_item		:	KW_TYPE type_expr
			{
				struct set *s = $<set>0;

				set_key(state, s, $2, false, &@1);
			}
			|	KW_TYPE type_expr COLON type_expr
			{
				struct set *s = $<set>0;

				set_key(state, s, $2, false, &@1);
				set_data(state, s, $4, false);
			}
			|	KW_TYPE type_expr COLON KW_INTERVAL type_expr
			{
				struct set *s = $<set>0;

				set_key(state, s, $2, false, &@1);
				set_data(state, s, $5, false);
				s->data_interval = true;
			}
			|	KW_TYPE type_expr COLON KW_COUNTER	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_COUNTER, &@1); }
			|	KW_TYPE type_expr COLON KW_QUOTA	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_QUOTA, &@1); }
			|	KW_TYPE type_expr COLON KW_LIMIT	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_LIMIT, &@1); }
			|	KW_TYPE type_expr COLON KW_SECMARK	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_SECMARK, &@1); }
			|	KW_TYPE type_expr COLON KW_SYNPROXY	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_SYNPROXY, &@1); }
			|	KW_TYPE type_expr COLON KW_CT KW_HELPER	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_CT_HELPER, &@1); }
			|	KW_TYPE type_expr COLON KW_CT KW_TIMEOUT { set_objmap(state, $<set>0, $2, NFT_OBJECT_CT_TIMEOUT, &@1); }
			|	KW_TYPE type_expr COLON KW_CT KW_EXPECTATION { set_objmap(state, $<set>0, $2, NFT_OBJECT_CT_EXPECT, &@1); }
			|	KW_TYPEOF typeof_expr
			{
				set_key(state, $<set>0, $2, true, &@1);
			}
			|	KW_TYPEOF typeof_expr COLON typeof_expr
			{
				set_key(state, $<set>0, $2, true, &@1);
				set_data(state, $<set>0, $4, true);
			}
			|	KW_TYPEOF typeof_expr COLON KW_INTERVAL typeof_expr
			{
				struct set *s = $<set>0;

				set_key(state, s, $2, true, &@1);
				set_data(state, s, $5, true);
				s->data_interval = true;
			}
			|	KW_TYPEOF typeof_expr COLON KW_COUNTER	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_COUNTER, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_QUOTA	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_QUOTA, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_LIMIT	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_LIMIT, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_SECMARK	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_SECMARK, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_SYNPROXY	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_SYNPROXY, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_CT KW_HELPER	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_CT_HELPER, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_CT KW_TIMEOUT	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_CT_TIMEOUT, &@1); $<set>0->key_typeof = true; }
			|	KW_TYPEOF typeof_expr COLON KW_CT KW_EXPECTATION	{ set_objmap(state, $<set>0, $2, NFT_OBJECT_CT_EXPECT, &@1); $<set>0->key_typeof = true; }
			|	KW_FLAGS set_flag_list
			{
				$<set>0->flags |= $2;
			}
			|	KW_TIMEOUT time_spec
			{
				$<set>0->timeout = $2;
				$<set>0->flags |= NFT_SET_TIMEOUT;
			}
			|	KW_GC_INTERVAL time_spec
			{
				$<set>0->gc_int = $2;
			}
			|	KW_SIZE NUM
			{
				$<set>0->size = $2;
			}
			|	KW_POLICY STRING
			{
				if (!strcmp($2, "performance")) {
					$<set>0->policy = NFT_SET_POL_PERFORMANCE;
					$<set>0->policy_set = true;
				} else if (!strcmp($2, "memory")) {
					$<set>0->policy = NFT_SET_POL_MEMORY;
					$<set>0->policy_set = true;
				} else {
					parser_error(state, &@2, "syntax error, unexpected string, expecting performance or memory");
				}
				free($2);
			}
			|	KW_AUTO_MERGE
			{
				$<set>0->automerge = true;
			}
			|	KW_ELEMENTS '=' set_expr
			{
				expr_free($<set>0->init);
				$<set>0->init = $3;
			}
			|	KW_ELEMENTS '=' variable_expr
			{
				expr_free($<set>0->init);
				$<set>0->init = $3;
			}
			|	KW_COMMENT string
			{
				free($<set>0->comment);
				$<set>0->comment = $2;
			}
			|	stateful_stmt_list
			{
				list_splice_tail_init($1, &$<set>0->stmts);
				free($1);
			}
			;

set_flag_list		:	set_flag
			|	set_flag_list COMMA set_flag	{ $$ = $1 | $3; }
			;

set_flag		:	KW_CONSTANT	{ $$ = NFT_SET_CONSTANT; }
			|	KW_INTERVAL	{ $$ = NFT_SET_INTERVAL; }
			|	KW_DYNAMIC	{ $$ = NFT_SET_EVAL; }
			|	KW_TIMEOUT	{ $$ = NFT_SET_TIMEOUT; }
			;

type_expr		:	data_type_list
			;

data_type_list		:	data_type_atom
			|	data_type_list DOT data_type_atom
			{
				$$ = concat_append(&@$, $1, $3);
			}
			;

data_type_atom		:	STRING
			{
				$$ = symbol_expr_take(&@$, $1, false);
			}
			|	QUOTED_STRING
			{
				$$ = symbol_expr_take(&@$, $1, true);
			}
			|	ASTERISK_STRING
			{
				$$ = symbol_expr_take(&@$, $1, false);
			}
			|	variable_expr
			|	KW_TYPEOF '(' primary_expr ')'
			{
				/* "type typeof(ip saddr)": the type of an expression */
				$$ = $3;
			}
			;

typeof_expr		:	primary_expr
			|	typeof_expr DOT primary_expr
			{
				$$ = concat_append(&@$, $1, $3);
			}
			;

flowtable_block		:	%empty
			{
				$$ = flowtable_alloc(&@$);
				if (!$$)
					YYNOMEM;
			}
			|	flowtable_block common_block
			|	flowtable_block stmt_separator
			|	flowtable_block KW_HOOK identifier KW_PRIORITY prio_expr stmt_separator
			{
				$$ = $1;
				free($1->hookstr);
				$1->hookstr = $3;
				expr_free($1->priority);
				$1->priority = $5;
			}
			|	flowtable_block KW_DEVICES '=' flowtable_devs stmt_separator
			{
				$$ = $1;
				expr_free($1->dev_expr);
				$1->dev_expr = $4;
			}
			|	flowtable_block KW_COUNTER stmt_separator
			{
				$$ = $1;
				$1->flags |= NFT_FLOWTABLE_COUNTER;
			}
			|	flowtable_block KW_FLAGS KW_OFFLOAD stmt_separator
			{
				$$ = $1;
				$1->flags |= NFT_FLOWTABLE_HW_OFFLOAD;
			}
			;

/* Stateful objects */
counter_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_COUNTER;
			}
			|	counter_block common_block
			|	counter_block stmt_separator
			|	counter_block counter_config_args
			|	counter_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

counter_config		:	<obj>{ $$ = obj_alloc(&@$); if (!$$) YYNOMEM; $$->type = NFT_OBJECT_COUNTER; }
				counter_config_args
			{
				$$ = $<obj>1;
			}
			;

counter_config_args	:	counter_config_arg		{ $<obj>$ = $<obj>0; }
			|	counter_config_args counter_config_arg_more	{ $<obj>$ = $<obj>1; }
			;

counter_config_arg_more	:	counter_config_arg
			;

counter_config_arg	:	KW_PACKETS NUM
			{
				$<obj>0->counter.packets = $2;
			}
			|	KW_BYTES NUM
			{
				$<obj>0->counter.bytes = $2;
			}
			;

quota_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_QUOTA;
			}
			|	quota_block common_block
			|	quota_block stmt_separator
			|	quota_block quota_obj_args
			|	quota_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

quota_config		:	<obj>{ $$ = obj_alloc(&@$); if (!$$) YYNOMEM; $$->type = NFT_OBJECT_QUOTA; }
				quota_obj_args
			{
				$$ = $<obj>1;
			}
			;

quota_obj_args		:	quota_args
			{
				struct obj *o = $<obj>0;

				o->quota.bytes = $1->quota.bytes;
				o->quota.used = $1->quota.used;
				o->quota.flags = $1->quota.flags;
				stmt_free($1);
			}
			;

limit_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_LIMIT;
			}
			|	limit_block common_block
			|	limit_block stmt_separator
			|	limit_block limit_obj_args
			|	limit_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

limit_config		:	<obj>{ $$ = obj_alloc(&@$); if (!$$) YYNOMEM; $$->type = NFT_OBJECT_LIMIT; }
				limit_obj_args
			{
				$$ = $<obj>1;
			}
			;

limit_obj_args		:	KW_RATE limit_args
			{
				struct obj *o = $<obj>0;

				o->limit.rate = $2->limit.rate;
				o->limit.unit = $2->limit.unit;
				o->limit.burst = $2->limit.burst;
				o->limit.type = $2->limit.type;
				o->limit.flags = $2->limit.flags;
				stmt_free($2);
			}
			;

ct_helper_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_CT_HELPER;
			}
			|	ct_helper_block common_block
			|	ct_helper_block stmt_separator
			|	ct_helper_block KW_TYPE QUOTED_STRING KW_PROTOCOL_WORD ct_l4proto stmt_separator
			{
				$$ = $1;
				snprintf($1->ct_helper.name, sizeof($1->ct_helper.name), "%s", $3);
				free($3);
				$1->ct_helper.l4proto = $<uval>5;
			}
			|	ct_helper_block STRING ct_l3proto stmt_separator
			{
				$$ = $1;
				ct_obj_l3proto(state, $1, $2, $<uval>3, &@2);
			}
			|	ct_helper_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

KW_PROTOCOL_WORD	:	STRING
			{
				if (strcmp($1, "protocol"))
					parser_error(state, &@1, "syntax error, unexpected string, expecting protocol");
				free($1);
			}
			;

ct_l4proto		:	KW_TCP		{ $<uval>$ = 6; }
			|	KW_UDP		{ $<uval>$ = 17; }
			|	KW_SCTP		{ $<uval>$ = 132; }
			|	KW_DCCP		{ $<uval>$ = 33; }
			|	KW_UDPLITE	{ $<uval>$ = 136; }
			|	KW_ICMP		{ $<uval>$ = 1; }
			|	KW_ICMPV6	{ $<uval>$ = 58; }
			|	KW_GRE		{ $<uval>$ = 47; }
			|	STRING
			{
				$<uval>$ = ct_l4proto_parse(state, $1, &@1);
				free($1);
			}
			;

ct_l3proto		:	KW_IP		{ $<uval>$ = NFPROTO_IPV4; }
			|	KW_IP6		{ $<uval>$ = NFPROTO_IPV6; }
			|	KW_INET		{ $<uval>$ = NFPROTO_INET; }
			|	STRING
			{
				$<uval>$ = family_name_parse(state, $1, &@1);
				free($1);
			}
			;

ct_timeout_block	:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_CT_TIMEOUT;
				init_list_head(&$$->ct_timeout.timeout_list);
			}
			|	ct_timeout_block common_block
			|	ct_timeout_block stmt_separator
			|	ct_timeout_block KW_PROTOCOL_WORD ct_l4proto stmt_separator
			{
				$$ = $1;
				$1->ct_timeout.l4proto = $<uval>3;
			}
			|	ct_timeout_block STRING ct_l3proto stmt_separator
			{
				$$ = $1;
				ct_obj_l3proto(state, $1, $2, $<uval>3, &@2);
			}
			|	ct_timeout_block KW_POLICY '=' '{' ct_timeout_policy '}' stmt_separator
			{
				$$ = $1;
				list_splice_tail_init(&state->timeouts, &$1->ct_timeout.timeout_list);
			}
			|	ct_timeout_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

ct_timeout_policy	:	opt_newline ct_timeout_state opt_newline
			|	ct_timeout_policy COMMA opt_newline ct_timeout_state opt_newline

			;

ct_timeout_state	:	STRING COLON time_spec
			{
				ct_timeout_add(state, $1, $3, &@1);
			}
			|	QUOTED_STRING COLON time_spec
			{
				ct_timeout_add(state, $1, $3, &@1);
			}
			;

ct_expect_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_CT_EXPECT;
			}
			|	ct_expect_block common_block
			|	ct_expect_block stmt_separator
			|	ct_expect_block KW_PROTOCOL_WORD ct_l4proto stmt_separator
			{
				$$ = $1;
				$1->ct_expect.l4proto = $<uval>3;
			}
			|	ct_expect_block STRING NUM stmt_separator
			{
				$$ = $1;
				if (!strcmp($2, "dport"))
					$1->ct_expect.dport = $3;
				else
					parser_error(state, &@2, "syntax error, unexpected string");
				free($2);
			}
			|	ct_expect_block KW_TIMEOUT time_spec stmt_separator
			{
				$$ = $1;
				$1->ct_expect.timeout = $3;
			}
			|	ct_expect_block KW_SIZE NUM stmt_separator
			{
				$$ = $1;
				$1->ct_expect.size = $3;
			}
			|	ct_expect_block STRING ct_l3proto stmt_separator
			{
				$$ = $1;
				ct_obj_l3proto(state, $1, $2, $<uval>3, &@2);
			}
			|	ct_expect_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

secmark_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_SECMARK;
			}
			|	secmark_block common_block
			|	secmark_block stmt_separator
			|	secmark_block QUOTED_STRING
			{
				$$ = $1;
				snprintf($1->secmark.ctx, sizeof($1->secmark.ctx), "%s", $2);
				free($2);
			}
			|	secmark_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

secmark_config		:	QUOTED_STRING
			{
				$$ = obj_alloc(&@$);
				if (!$$) {
					free($1);
					YYNOMEM;
				}
				$$->type = NFT_OBJECT_SECMARK;
				snprintf($$->secmark.ctx, sizeof($$->secmark.ctx), "%s", $1);
				free($1);
			}
			;

synproxy_block		:	%empty
			{
				$$ = obj_alloc(&@$);
				if (!$$)
					YYNOMEM;
				$$->type = NFT_OBJECT_SYNPROXY;
			}
			|	synproxy_block common_block
			|	synproxy_block stmt_separator
			|	synproxy_block synproxy_opts
			{
				$$ = $1;
				$1->synproxy.mss = $2->synproxy.mss;
				$1->synproxy.wscale = $2->synproxy.wscale;
				$1->synproxy.flags = $2->synproxy.flags;
				stmt_free($2);
			}
			|	synproxy_block KW_COMMENT string stmt_separator
			{
				$$ = $1;
				free($1->comment);
				$1->comment = $3;
			}
			;

synproxy_config		:	synproxy_opts
			{
				$$ = obj_alloc(&@$);
				if (!$$) {
					stmt_free($1);
					YYNOMEM;
				}
				$$->type = NFT_OBJECT_SYNPROXY;
				$$->synproxy.mss = $1->synproxy.mss;
				$$->synproxy.wscale = $1->synproxy.wscale;
				$$->synproxy.flags = $1->synproxy.flags;
				stmt_free($1);
			}
			;


synproxy_opts		:	<stmt>{ $$ = stmt_alloc(&@$, STMT_SYNPROXY); if (!$$) YYNOMEM; } synproxy_opt
			{
				$$ = $1;
			}
			|	synproxy_opts synproxy_opt
			;

/* ---------------------------------------------------------------- */
/* Rules and statements                                              */

rule			:	rule_body
			;

rule_body		:	stmt_list
			{
				$$ = rule_from_stmts(state, &@$, $1, NULL);
				if (!$$)
					YYNOMEM;
			}
			|	stmt_list KW_COMMENT string
			{
				$$ = rule_from_stmts(state, &@$, $1, $3);
				if (!$$)
					YYNOMEM;
			}
			;

stmt_list		:	stmt
			{
				$$ = stmt_list_new();
				if (!$$) {
					stmt_free($1);
					YYNOMEM;
				}
				list_add_tail(&$1->list, $$);
			}
			|	stmt_list stmt
			{
				$$ = $1;
				list_add_tail(&$2->list, $$);
			}
			;

stateful_stmt_list	:	stateful_stmt
			{
				$$ = stmt_list_new();
				if (!$$) {
					stmt_free($1);
					YYNOMEM;
				}
				list_add_tail(&$1->list, $$);
			}
			|	stateful_stmt_list stateful_stmt
			{
				$$ = $1;
				list_add_tail(&$2->list, $$);
			}
			;

stateful_stmt		:	counter_stmt
			|	limit_stmt
			|	quota_stmt
			|	connlimit_stmt
			|	last_stmt
			;

stmt			:	verdict_stmt
			|	match_stmt
			|	stateful_stmt
			|	log_stmt
			|	reject_stmt
			|	nat_stmt
			|	setter_stmt
			|	dup_stmt
			|	fwd_stmt
			|	queue_stmt
			|	synproxy_stmt
			|	tproxy_stmt
			|	set_stmt
			|	meter_stmt
			|	notrack_stmt
			|	flow_stmt
			|	optstrip_stmt
			|	objref_stmt
			;

verdict_stmt		:	verdict_expr
			{
				$$ = stmt_expr_new(&@$, STMT_VERDICT, $1);
			}
			|	concat_expr KW_VMAP vmap_rhs
			{
				struct expr *m = expr_alloc(&@$, EXPR_MAP);

				if (m) {
					m->map.key = $1;
					m->map.mappings = $3;
					m->map.vmap = true;
				} else {
					expr_free($1);
					expr_free($3);
				}
				$$ = stmt_expr_new(&@$, STMT_VERDICT, m);
			}
			;

vmap_rhs		:	'{' vmap_list '}'
			{
				$$ = $2;
				$$->location = @$;
			}
			|	set_ref_expr
			|	variable_expr
			;

vmap_list		:	nl vmap_member nl
			{
				$$ = compound_expr_alloc(&@$, EXPR_SET);
				if (!$$) {
					expr_free($2);
					YYNOMEM;
				}
				compound_expr_add($$, $2);
			}
			|	vmap_list COMMA nl vmap_member nl
			{
				$$ = $1;
				compound_expr_add($$, $4);
			}
			|	vmap_list COMMA nl
			;

vmap_member		:	set_elem_expr COLON verdict_expr
			{
				$$ = expr_alloc(&@$, EXPR_MAPPING);
				if (!$$) {
					expr_free($1);
					expr_free($3);
					YYNOMEM;
				}
				$$->mapping.left = $1;
				$$->mapping.right = $3;
			}
			|	set_elem_expr COLON variable_expr
			{
				$$ = expr_alloc(&@$, EXPR_MAPPING);
				if (!$$) {
					expr_free($1);
					expr_free($3);
					YYNOMEM;
				}
				$$->mapping.left = $1;
				$$->mapping.right = $3;
			}
			;

verdict_expr		:	KW_ACCEPT	{ $$ = verdict_expr_alloc(&@$, VERDICT_ACCEPT, NULL); }
			|	KW_DROP		{ $$ = verdict_expr_alloc(&@$, VERDICT_DROP, NULL); }
			|	KW_CONTINUE	{ $$ = verdict_expr_alloc(&@$, VERDICT_CONTINUE, NULL); }
			|	KW_RETURN	{ $$ = verdict_expr_alloc(&@$, VERDICT_RETURN, NULL); }
			|	KW_JUMP chain_expr { $$ = verdict_expr_alloc(&@$, VERDICT_JUMP, $2); }
			|	KW_GOTO chain_expr { $$ = verdict_expr_alloc(&@$, VERDICT_GOTO, $2); }
			|	KW_JUMP '{' { blk_enter_chain(state, NULL); } chain_block '}'
			{
				blk_leave(state);
				$$ = verdict_expr_alloc(&@$, VERDICT_JUMP, NULL);
				if (!$$) {
					chain_free($4);
					YYNOMEM;
				}
				$4->flags |= CHAIN_F_BINDING;
				$4->location = @$;
				$$->verdict.binding = $4;
			}
			;

chain_expr		:	chain_name_str
			{
				$$ = symbol_expr_take(&@$, $1, false);
			}
			|	variable_expr
			;

chain_name_str		:	identifier
			|	QUOTED_STRING
			;

match_stmt		:	relational_expr
			{
				$$ = match_stmt_new(state, &@$, $1);
			}
			;

relational_expr		:	expr rhs_expr
			{
				$$ = relational_expr_alloc(&@$, OP_IMPLICIT, $1, $2);
			}
			|	expr list_rhs_expr
			{
				$$ = relational_expr_alloc(&@$, OP_IMPLICIT, $1, $2);
			}
			|	expr basic_rhs_expr SLASH list_rhs_expr
			{
				$$ = relational_expr_alloc(&@$, OP_IMPLICIT, $1, flagcmp_alloc(&@$, $2, $4));
			}
			|	expr list_rhs_expr SLASH list_rhs_expr
			{
				$$ = relational_expr_alloc(&@$, OP_IMPLICIT, $1, flagcmp_alloc(&@$, $2, $4));
			}
			|	expr relational_op rhs_expr
			{
				$$ = relational_expr_alloc(&@2, $2, $1, $3);
			}
			|	expr relational_op basic_rhs_expr SLASH list_rhs_expr
			{
				$$ = relational_expr_alloc(&@2, $2, $1, flagcmp_alloc(&@$, $3, $5));
			}
			|	expr relational_op list_rhs_expr
			{
				$$ = relational_expr_alloc(&@2, $2, $1, $3);
			}
			;

relational_op		:	EQ	{ $$ = OP_EQ; }
			|	NEQ	{ $$ = OP_NEQ; }
			|	LT	{ $$ = OP_LT; }
			|	GT	{ $$ = OP_GT; }
			|	GTE	{ $$ = OP_GTE; }
			|	LTE	{ $$ = OP_LTE; }
			|	NOT	{ $$ = OP_NEG; }
			;

counter_stmt		:	KW_COUNTER
			{
				$$ = stmt_alloc(&@$, STMT_COUNTER);
				if (!$$)
					YYNOMEM;
			}
			|	KW_COUNTER KW_PACKETS NUM KW_BYTES NUM
			{
				$$ = stmt_alloc(&@$, STMT_COUNTER);
				if (!$$)
					YYNOMEM;
				$$->counter.packets = $3;
				$$->counter.bytes = $5;
			}
			|	KW_COUNTER KW_BYTES NUM KW_PACKETS NUM
			{
				$$ = stmt_alloc(&@$, STMT_COUNTER);
				if (!$$)
					YYNOMEM;
				$$->counter.packets = $5;
				$$->counter.bytes = $3;
			}
			;

objref_stmt		:	KW_COUNTER KW_NAME stmt_expr	{ $$ = objref_new(&@$, NFT_OBJECT_COUNTER, $3); }
			|	KW_QUOTA KW_NAME stmt_expr	{ $$ = objref_new(&@$, NFT_OBJECT_QUOTA, $3); }
			|	KW_LIMIT KW_NAME stmt_expr	{ $$ = objref_new(&@$, NFT_OBJECT_LIMIT, $3); }
			|	KW_SYNPROXY KW_NAME stmt_expr	{ $$ = objref_new(&@$, NFT_OBJECT_SYNPROXY, $3); }
			|	KW_CT KW_HELPER KW_SET stmt_expr { $$ = objref_new(&@$, NFT_OBJECT_CT_HELPER, $4); }
			|	KW_CT KW_TIMEOUT KW_SET stmt_expr { $$ = objref_new(&@$, NFT_OBJECT_CT_TIMEOUT, $4); }
			|	KW_CT KW_EXPECTATION KW_SET stmt_expr { $$ = objref_new(&@$, NFT_OBJECT_CT_EXPECT, $4); }
			;

log_stmt		:	KW_LOG
			{
				$$ = stmt_alloc(&@$, STMT_LOG);
				if (!$$)
					YYNOMEM;
			}
			|	log_stmt log_opt
			{
				$$ = $1;
				$$->location = @$;
				if ($$->log.level == 8 && ($$->log.flags & LOG_F_LEVEL) &&
				    (($$->log.flags & ~LOG_F_LEVEL) || $$->log.logflags)) {
					parser_error(state, &@$, "log level audit doesn't support any further options");
					$$->log.flags = LOG_F_LEVEL;
					$$->log.logflags = 0;
				}
			}
			;

log_opt			:	KW_PREFIX string
			{
				struct stmt *s = $<stmt>0;

				free(s->log.prefix);
				s->log.prefix = $2;
				s->log.flags |= LOG_F_PREFIX;
			}
			|	KW_PREFIX variable_expr
			{
				struct stmt *s = $<stmt>0;

				expr_free(s->log.prefix_expr);
				s->log.prefix_expr = $2;
				s->log.flags |= LOG_F_PREFIX;
			}
			|	KW_GROUP NUM
			{
				$<stmt>0->log.group = $2;
				$<stmt>0->log.flags |= LOG_F_GROUP;
			}
			|	KW_SNAPLEN NUM
			{
				$<stmt>0->log.snaplen = $2;
				$<stmt>0->log.flags |= LOG_F_SNAPLEN;
			}
			|	KW_QUEUE_THRESHOLD NUM
			{
				$<stmt>0->log.qthreshold = $2;
				$<stmt>0->log.flags |= LOG_F_QTHRESHOLD;
			}
			|	KW_LEVEL STRING
			{
				int l = grammar_log_level($2);

				if (l < 0)
					parser_error(state, &@2, "invalid log level");
				else {
					$<stmt>0->log.level = l;
					$<stmt>0->log.flags |= LOG_F_LEVEL;
				}
				free($2);
			}
			|	KW_FLAGS log_flags
			{
				$<stmt>0->log.logflags |= $2;
			}
			;

log_flags		:	KW_TCP log_tcp_flags		{ $$ = $2; }
			|	KW_IP STRING
			{
				$$ = 0;
				if (!strcmp($2, "options"))
					$$ = NF_LOG_IPOPT;
				else
					parser_error(state, &@2, "syntax error, unexpected string, expecting options");
				free($2);
			}
			|	KW_ETHER			{ $$ = NF_LOG_MACDECODE; }
			|	STRING
			{
				$$ = 0;
				if (!strcmp($1, "skuid"))
					$$ = NF_LOG_UID;
				else if (!strcmp($1, "all"))
					$$ = NF_LOG_MASK;
				else
					parser_error(state, &@1, "syntax error, unexpected string");
				free($1);
			}
			;

log_tcp_flags		:	STRING
			{
				$$ = log_tcp_flag(state, $1, &@1);
				free($1);
			}
			|	log_tcp_flags COMMA STRING
			{
				$$ = $1 | log_tcp_flag(state, $3, &@3);
				free($3);
			}
			;

limit_stmt		:	KW_LIMIT KW_RATE limit_args
			{
				$$ = $3;
				$$->location = @$;
			}
			;

limit_args		:	limit_mode NUM SLASH time_unit_spec limit_burst_pkts
			{
				$$ = stmt_alloc(&@$, STMT_LIMIT);
				if (!$$)
					YYNOMEM;
				$$->limit.flags = $<uval>1;
				$$->limit.rate = $2;
				$$->limit.unit = $4;
				$$->limit.type = NFT_LIMIT_PKTS;
				$$->limit.burst = $<uval>5;
				$$->limit.burst_set = $<uval>5 != 0;
			}
			|	limit_mode NUM STRING limit_burst_bytes
			{
				$$ = limit_bytes_new(state, &@$, $<uval>1, $2, $3, NULL, &@3, $<val>4);
				if (!$$)
					YYNOMEM;
			}
			|	limit_mode NUM STRING STRING limit_burst_bytes
			{
				/* "1025bytes/ second": unit and time split by a space */
				$$ = limit_bytes_new(state, &@$, $<uval>1, $2, $3, NULL, &@3, $<val>5);
				if (!$$)
					YYNOMEM;
				{
					uint64_t secs = 1;

					if (time_unit_parse($4, &secs) < 0)
						parser_error(state, &@4, "Wrong rate format");
					$$->limit.unit = secs;
				}
				free($4);
			}
			|	limit_mode NUM STRING SLASH time_unit_spec limit_burst_bytes
			{
				$$ = limit_bytes_new(state, &@$, $<uval>1, $2, $3, NULL, &@3, $<val>6);
				if (!$$)
					YYNOMEM;
				$$->limit.unit = $5;
			}
			|	limit_mode NUM KW_BYTES SLASH time_unit_spec limit_burst_bytes
			{
				$$ = limit_bytes_new(state, &@$, $<uval>1, $2, NULL, "bytes", &@3, $<val>6);
				if (!$$)
					YYNOMEM;
				$$->limit.unit = $5;
			}
			;

limit_mode		:	%empty		{ $<uval>$ = 0; }
			|	KW_OVER		{ $<uval>$ = NFT_LIMIT_F_INV; }
			|	STRING
			{
				$<uval>$ = 0;
				if (strcmp($1, "until"))
					parser_error(state, &@1, "syntax error, unexpected string");
				free($1);
			}
			;

limit_burst_pkts	:	%empty			{ $<uval>$ = 0; }
			|	KW_BURST NUM KW_PACKETS	{ $<uval>$ = $2; }
			;

limit_burst_bytes	:	%empty			{ $<val>$ = 0; }
			|	KW_BURST NUM KW_BYTES	{ $<val>$ = $2; }
			|	KW_BURST NUM STRING
			{
				$<val>$ = data_size_parse(state, $2, $3, &@3);
				free($3);
			}
			|	KW_BURST NUM
			{
				$<val>$ = $2;
			}
			;

time_unit_spec		:	STRING
			{
				uint64_t secs = 0;

				if (time_unit_parse($1, &secs) < 0)
					parser_error(state, &@1, "Wrong rate format");
				$$ = secs;
				free($1);
			}
			;

quota_stmt		:	KW_QUOTA quota_args
			{
				$$ = $2;
				$$->location = @$;
			}
			;

quota_args		:	limit_mode NUM data_unit quota_used
			{
				$$ = stmt_alloc(&@$, STMT_QUOTA);
				if (!$$)
					YYNOMEM;
				$$->quota.flags = $<uval>1 ? NFT_QUOTA_F_INV : 0;
				$$->quota.bytes = $2 * $<val>3;
				$$->quota.used = $<val>4;
			}
			;

data_unit		:	KW_BYTES	{ $<val>$ = 1; }
			|	STRING
			{
				$<val>$ = data_size_parse(state, 1, $1, &@1);
				free($1);
			}
			;

quota_used		:	%empty				{ $<val>$ = 0; }
			|	KW_USED NUM data_unit		{ $<val>$ = $2 * $<val>3; }
			;

connlimit_stmt		:	KW_CT KW_COUNT NUM
			{
				$$ = stmt_alloc(&@$, STMT_CONNLIMIT);
				if (!$$)
					YYNOMEM;
				$$->connlimit.count = $3;
			}
			|	KW_CT KW_COUNT KW_OVER NUM
			{
				$$ = stmt_alloc(&@$, STMT_CONNLIMIT);
				if (!$$)
					YYNOMEM;
				$$->connlimit.count = $4;
				$$->connlimit.flags = NFT_CONNLIMIT_F_INV;
			}
			;

last_stmt		:	KW_LAST
			{
				$$ = stmt_alloc(&@$, STMT_LAST);
				if (!$$)
					YYNOMEM;
			}
			|	KW_LAST KW_USED KW_NEVER
			{
				$$ = stmt_alloc(&@$, STMT_LAST);
				if (!$$)
					YYNOMEM;
			}
			|	KW_LAST KW_USED time_spec
			{
				$$ = stmt_alloc(&@$, STMT_LAST);
				if (!$$)
					YYNOMEM;
				$$->last.msecs = $3;
				$$->last.set = true;
			}
			;

reject_stmt		:	KW_REJECT
			{
				$$ = stmt_alloc(&@$, STMT_REJECT);
				if (!$$)
					YYNOMEM;
			}
			|	KW_REJECT KW_WITH reject_with
			{
				$$ = $<stmt>3;
				$$->location = @$;
			}
			;

reject_with		:	KW_ICMP reject_code
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_ICMP_UNREACH, NFPROTO_IPV4, $<expr>2);
				if (!$<stmt>$)
					YYNOMEM;
			}
			|	KW_ICMP KW_TYPE reject_code
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_ICMP_UNREACH, NFPROTO_IPV4, $<expr>3);
				if (!$<stmt>$)
					YYNOMEM;
			}
			|	KW_ICMPV6 reject_code
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_ICMP_UNREACH, NFPROTO_IPV6, $<expr>2);
				if (!$<stmt>$)
					YYNOMEM;
			}
			|	KW_ICMPV6 KW_TYPE reject_code
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_ICMP_UNREACH, NFPROTO_IPV6, $<expr>3);
				if (!$<stmt>$)
					YYNOMEM;
			}
			|	KW_ICMPX reject_code
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_ICMPX_UNREACH, NFPROTO_INET, $<expr>2);
				if (!$<stmt>$)
					YYNOMEM;
			}
			|	KW_ICMPX KW_TYPE reject_code
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_ICMPX_UNREACH, NFPROTO_INET, $<expr>3);
				if (!$<stmt>$)
					YYNOMEM;
			}
			|	KW_TCP KW_RESET
			{
				$<stmt>$ = reject_new(state, &@$, NFT_REJECT_TCP_RST, 0, NULL);
				if (!$<stmt>$)
					YYNOMEM;
			}
			;

reject_code		:	STRING
			{
				$<expr>$ = symbol_expr_take(&@$, $1, false);
			}
			|	NUM
			{
				$<expr>$ = num_sym(&@$, $1, false);
			}
			;

nat_stmt		:	nat_kind nat_args
			{
				$$ = $2;
				$$->nat.kind = $<uval>1;
				$$->location = @$;
				nat_check(state, $$);
			}
			;

nat_kind		:	KW_SNAT		{ $<uval>$ = NAT_SNAT; }
			|	KW_DNAT		{ $<uval>$ = NAT_DNAT; }
			|	KW_MASQUERADE	{ $<uval>$ = NAT_MASQ; }
			|	KW_REDIRECT	{ $<uval>$ = NAT_REDIR; }
			;

nat_args		:	<stmt>{ $$ = stmt_alloc(&@$, STMT_NAT); if (!$$) YYNOMEM; } nat_opts
			{
				$$ = $1;
			}
			;

nat_opts		:	%empty
			|	nat_flags
			{
				$<stmt>0->nat.flags |= $1;
			}
			|	nat_family_opt KW_TO nat_target nat_flags_opt
			;

nat_family_opt		:	%empty
			|	KW_IP
			{
				$<stmt>0->nat.family = NFPROTO_IPV4;
			}
			|	KW_IP6
			{
				$<stmt>0->nat.family = NFPROTO_IPV6;
			}
			|	KW_IP KW_PREFIX
			{
				$<stmt>0->nat.family = NFPROTO_IPV4;
				$<stmt>0->nat.type_flags |= 0x1;
				$<stmt>0->nat.flags |= NF_NAT_RANGE_NETMAP;
			}
			|	KW_IP6 KW_PREFIX
			{
				$<stmt>0->nat.family = NFPROTO_IPV6;
				$<stmt>0->nat.type_flags |= 0x1;
				$<stmt>0->nat.flags |= NF_NAT_RANGE_NETMAP;
			}
			|	KW_PREFIX
			{
				$<stmt>0->nat.type_flags |= 0x1;
				$<stmt>0->nat.flags |= NF_NAT_RANGE_NETMAP;
			}
			;

nat_target		:	nat_addr_expr
			{
				$<stmt>-2->nat.addr = $1;
			}
			|	nat_addr_expr COLON nat_addr_expr
			{
				$<stmt>-2->nat.addr = $1;
				$<stmt>-2->nat.proto = $3;
			}
			|	COLON nat_addr_expr
			{
				$<stmt>-2->nat.proto = $2;
			}
			;

nat_addr_expr		:	stmt_expr
			;

nat_flags_opt		:	%empty
			|	nat_flags
			{
				$<stmt>-3->nat.flags |= $1;
			}
			;

nat_flags		:	nat_flag
			|	nat_flags COMMA nat_flag	{ $$ = $1 | $3; }
			;

nat_flag		:	KW_RANDOM	{ $$ = NF_NAT_RANGE_PROTO_RANDOM; }
			|	KW_FULLY_RANDOM	{ $$ = NF_NAT_RANGE_PROTO_RANDOM_FULLY; }
			|	KW_PERSISTENT	{ $$ = NF_NAT_RANGE_PERSISTENT; }
			;

setter_stmt		:	selector_expr KW_SET stmt_expr
			{
				$$ = setter_stmt_new(state, &@$, $1, $3);
			}
			|	STRING KW_SET stmt_expr
			{
				$$ = setter_stmt_new(state, &@$, short_meta_or_symbol(state, &@1, $1), $3);
			}
			;

dup_stmt		:	KW_DUP nf_family_opt KW_TO stmt_expr
			{
				$$ = dupfwd_new(&@$, STMT_DUP, $2, $4, NULL);
			}
			|	KW_DUP nf_family_opt KW_TO stmt_expr KW_DEVICE stmt_expr
			{
				$$ = dupfwd_new(&@$, STMT_DUP, $2, $4, $6);
			}
			;

fwd_stmt		:	KW_FWD nf_family_opt KW_TO stmt_expr
			{
				$$ = dupfwd_new(&@$, STMT_FWD, $2, NULL, $4);
			}
			|	KW_FWD nf_family_opt KW_TO stmt_expr KW_DEVICE stmt_expr
			{
				$$ = dupfwd_new(&@$, STMT_FWD, $2, $4, $6);
			}
			;

nf_family_opt		:	%empty		{ $$ = 0; }
			|	KW_IP		{ $$ = NFPROTO_IPV4; }
			|	KW_IP6		{ $$ = NFPROTO_IPV6; }
			;

queue_stmt		:	KW_QUEUE
			{
				$$ = stmt_alloc(&@$, STMT_QUEUE);
				if (!$$)
					YYNOMEM;
			}
			|	queue_stmt queue_opt
			{
				$$ = $1;
				$$->location = @$;
			}
			;

queue_opt		:	KW_NUM queue_num_expr
			{
				queue_set(state, $<stmt>0, $2, &@2);
			}
			|	KW_TO stmt_expr
			{
				queue_set(state, $<stmt>0, $2, &@2);
			}
			|	KW_FLAGS queue_flags
			{
				$<stmt>0->queue.flags |= $2;
			}
			|	KW_BYPASS	{ $<stmt>0->queue.flags |= NFT_QUEUE_FLAG_BYPASS; }
			|	KW_FANOUT	{ $<stmt>0->queue.flags |= NFT_QUEUE_FLAG_CPU_FANOUT; }
			;

queue_num_expr		:	NUM			{ $$ = num_sym(&@$, $1, false); }
			|	NUM DASH NUM
			{
				$$ = expr_alloc(&@$, EXPR_RANGE);
				if (!$$)
					YYNOMEM;
				$$->range.left = num_sym(&@1, $1, false);
				$$->range.right = num_sym(&@3, $3, false);
			}
			|	variable_expr
			;

queue_flags		:	queue_flag
			|	queue_flags COMMA queue_flag	{ $$ = $1 | $3; }
			;

queue_flag		:	KW_BYPASS	{ $$ = NFT_QUEUE_FLAG_BYPASS; }
			|	KW_FANOUT	{ $$ = NFT_QUEUE_FLAG_CPU_FANOUT; }
			;

synproxy_stmt		:	KW_SYNPROXY
			{
				$$ = stmt_alloc(&@$, STMT_SYNPROXY);
				if (!$$)
					YYNOMEM;
			}
			|	synproxy_stmt synproxy_opt
			{
				$$ = $1;
				$$->location = @$;
			}
			;

synproxy_opt		:	KW_MSS NUM
			{
				$<stmt>0->synproxy.mss = $2;
				$<stmt>0->synproxy.flags |= NF_SYNPROXY_OPT_MSS;
			}
			|	KW_WSCALE NUM
			{
				$<stmt>0->synproxy.wscale = $2;
				$<stmt>0->synproxy.flags |= NF_SYNPROXY_OPT_WSCALE;
			}
			|	STRING
			{
				if (!strcmp($1, "timestamp"))
					$<stmt>0->synproxy.flags |= NF_SYNPROXY_OPT_TIMESTAMP;
				else if (!strcmp($1, "sack-perm"))
					$<stmt>0->synproxy.flags |= NF_SYNPROXY_OPT_SACK_PERM;
				else
					parser_error(state, &@1, "syntax error, unexpected string");
				free($1);
			}
			;

tproxy_stmt		:	KW_TPROXY nf_family_opt KW_TO stmt_expr
			{
				$$ = tproxy_new(&@$, $2, $4, NULL);
			}
			|	KW_TPROXY nf_family_opt KW_TO stmt_expr COLON stmt_expr
			{
				$$ = tproxy_new(&@$, $2, $4, $6);
			}
			|	KW_TPROXY nf_family_opt KW_TO COLON stmt_expr
			{
				$$ = tproxy_new(&@$, $2, NULL, $5);
			}
			;

set_stmt		:	set_stmt_op set_ref_expr '{' set_elem_stmt_expr '}'
			{
				$$ = set_stmt_new(&@$, STMT_SET, $1, $2, $4, NULL);
			}
			|	set_stmt_op set_ref_expr '{' set_elem_stmt_expr COLON concat_stmt_expr '}'
			{
				$$ = set_stmt_new(&@$, STMT_MAP, $1, $2, $4, $6);
			}
			|	KW_SET set_stmt_op stmt_expr set_ref_expr
			{
				$$ = set_stmt_new(&@$, STMT_SET, $2, $4, set_elem_wrap(&@3, $3), NULL);
			}
			;

set_stmt_op		:	KW_ADD		{ $$ = NFT_DYNSET_OP_ADD; }
			|	KW_UPDATE	{ $$ = NFT_DYNSET_OP_UPDATE; }
			|	KW_DELETE	{ $$ = NFT_DYNSET_OP_DELETE; }
			;

set_elem_stmt_expr	:	concat_stmt_expr
			{
				$$ = set_elem_wrap(&@$, $1);
				if (!$$)
					YYNOMEM;
			}
			|	set_elem_stmt_expr set_elem_opt
			;

meter_stmt		:	KW_METER identifier '{' set_elem_stmt_expr stmt '}'
			{
				$$ = meter_new(&@$, $2, 0, $4, $5);
			}
			|	KW_METER identifier KW_SIZE NUM '{' set_elem_stmt_expr stmt '}'
			{
				$$ = meter_new(&@$, $2, $4, $6, $7);
			}
			;

notrack_stmt		:	KW_NOTRACK
			{
				$$ = stmt_alloc(&@$, STMT_NOTRACK);
				if (!$$)
					YYNOMEM;
			}
			;

flow_stmt		:	KW_FLOW KW_ADD AT identifier
			{
				$$ = stmt_alloc(&@$, STMT_FLOW_OFFLOAD);
				if (!$$) {
					free($4);
					YYNOMEM;
				}
				$$->flow.table_name = $4;
			}
			|	KW_FLOW KW_OFFLOAD AT identifier
			{
				$$ = stmt_alloc(&@$, STMT_FLOW_OFFLOAD);
				if (!$$) {
					free($4);
					YYNOMEM;
				}
				$$->flow.table_name = $4;
			}
			;

optstrip_stmt		:	KW_RESET KW_TCP KW_OPTION tcpopt_name
			{
				$$ = stmt_expr_new(&@$, STMT_OPTSTRIP, $4);
			}
			|	KW_RESET KW_TCP KW_OPTION NUM
			{
				$$ = stmt_expr_new(&@$, STMT_OPTSTRIP, tcpopt_num_new(state, &@4, $4, &@4));
			}
			;

/* ---------------------------------------------------------------- */
/* Expressions                                                       */

expr			:	concat_expr
			|	set_expr
			|	map_expr
			;

map_expr		:	concat_expr KW_MAP rhs_expr
			{
				$$ = map_expr_new(&@$, $1, $3);
			}
			;

concat_expr		:	basic_expr
			|	concat_expr DOT basic_expr
			{
				$$ = concat_append(&@$, $1, $3);
			}
			;

basic_expr		:	or_expr
			;

or_expr			:	xor_expr
			|	or_expr '|' xor_rhs_expr	{ $$ = binop_expr_alloc(&@$, OP_OR, $1, $3); }
			;

xor_expr		:	and_expr
			|	xor_expr CARET and_rhs_expr	{ $$ = binop_expr_alloc(&@$, OP_XOR, $1, $3); }
			;

and_expr		:	shift_expr
			|	and_expr AMPERSAND shift_rhs_expr { $$ = binop_expr_alloc(&@$, OP_AND, $1, $3); }
			;

shift_expr		:	primary_expr
			|	shift_expr LSHIFT primary_rhs_expr { $$ = binop_expr_alloc(&@$, OP_LSHIFT, $1, $3); }
			|	shift_expr RSHIFT primary_rhs_expr { $$ = binop_expr_alloc(&@$, OP_RSHIFT, $1, $3); }
			;

primary_expr		:	selector_expr
			|	STRING
			{
				$$ = short_meta_or_symbol(state, &@$, $1);
			}
			|	variable_expr
			|	integer_expr
			|	QUOTED_STRING
			{
				$$ = symbol_expr_take(&@$, $1, true);
				if (!$$)
					YYNOMEM;
			}
			|	'(' basic_expr ')'
			{
				$$ = $2;
			}
			;

selector_expr		:	payload_expr
			|	exthdr_expr
			|	meta_expr
			|	ct_expr
			|	rt_expr
			|	fib_expr
			|	socket_expr
			|	osf_expr
			|	numgen_expr
			|	hash_expr
			|	xfrm_expr
			|	tunnel_expr
			|	raw_expr
			;

proto_kw		:	KW_ETHER | KW_VLAN | KW_IP | KW_IP6 | KW_ICMP | KW_ICMPV6
			|	KW_IGMP | KW_TCP | KW_UDP | KW_UDPLITE | KW_SCTP | KW_DCCP | KW_AH
			|	KW_ESP | KW_COMP | KW_TH
			;

inner_proto_kw		:	KW_VXLAN | KW_GENEVE | KW_GRE | KW_GRETAP
			;

field_kw		:	KW_TYPE | KW_FLAGS | KW_PRIORITY | KW_SIZE | KW_COUNT | KW_TTL
			|	KW_RANDOM | KW_SECMARK | KW_IPSEC | KW_BYTES | KW_PACKETS | KW_HELPER
			|	KW_PREFIX | KW_OFFSET | KW_LEVEL | KW_NAME
			;

field_ident		:	STRING
			|	field_kw	{ $$ = xstrdup_kw($1); }
			;

payload_expr		:	proto_kw field_ident
			{
				$$ = payload_new(state, &@$, $1, NULL, $<string>2, &@2);
			}
			|	KW_ARP field_ident
			{
				$$ = payload_new(state, &@$, $1, NULL, $<string>2, &@2);
			}
			|	KW_ARP field_ident KW_IP
			{
				$$ = payload_new(state, &@$, $1, NULL, join_words($<string>2, "ip"), &@2);
			}
			|	KW_ARP field_ident KW_ETHER
			{
				$$ = payload_new(state, &@$, $1, NULL, join_words($<string>2, "ether"), &@2);
			}
			|	inner_proto_kw field_ident
			{
				$$ = payload_new(state, &@$, $1, NULL, $<string>2, &@2);
			}
			|	inner_proto_kw proto_kw field_ident
			{
				$$ = payload_new(state, &@$, $2, $1, $<string>3, &@3);
			}
			;

raw_expr		:	AT STRING COMMA NUM COMMA NUM
			{
				$$ = raw_payload_new(state, &@$, $2, &@2, $4, $6);
			}
			|	AT KW_LL COMMA NUM COMMA NUM
			{
				$$ = raw_payload_new(state, &@$, xstrdup_kw("ll"), &@2, $4, $6);
			}
			|	AT KW_NH COMMA NUM COMMA NUM
			{
				$$ = raw_payload_new(state, &@$, xstrdup_kw("nh"), &@2, $4, $6);
			}
			|	AT KW_TH COMMA NUM COMMA NUM
			{
				$$ = raw_payload_new(state, &@$, xstrdup_kw("th"), &@2, $4, $6);
			}
			;

exthdr_kw		:	KW_HBH | KW_RT0 | KW_RT2 | KW_SRH | KW_FRAG | KW_DST | KW_MH
			;

exthdr_expr		:	exthdr_kw field_ident
			{
				$$ = ip6_exthdr_new(state, &@$, $1, $<string>2, &@2, -1);
			}
			|	exthdr_kw field_ident '[' NUM ']'
			{
				$$ = ip6_exthdr_new(state, &@$, $1, $<string>2, &@2, (int)$4);
			}
			|	KW_EXTHDR exthdr_kw
			{
				$$ = ip6_exthdr_new(state, &@$, $2, NULL, &@2, -1);
			}
			|	KW_EXTHDR KW_RT
			{
				$$ = ip6_exthdr_new(state, &@$, "rt", NULL, &@2, -1);
			}
			|	KW_EXTHDR STRING
			{
				$$ = ip6_exthdr_new(state, &@$, $2, NULL, &@2, -1);
				free($2);
			}
			|	KW_TCP KW_OPTION tcpopt_name
			{
				$$ = $3;
				$$->location = @$;
			}
			|	KW_TCP KW_OPTION STRING field_ident
			{
				$$ = tcpopt_new(state, &@$, $3, &@3, $<string>4, &@4);
			}
			|	KW_TCP KW_OPTION NUM
			{
				$$ = tcpopt_num_new(state, &@$, $3, &@3);
			}
			|	KW_TCP KW_OPTION AT NUM COMMA NUM COMMA NUM
			{
				$$ = tcpopt_raw_new(state, &@$, $4, $6, $8, &@4);
			}
			|	KW_IP KW_OPTION STRING
			{
				$$ = ipopt_new(state, &@$, $3, &@3, NULL, NULL);
			}
			|	KW_IP KW_OPTION STRING field_ident
			{
				$$ = ipopt_new(state, &@$, $3, &@3, $<string>4, &@4);
			}
			|	KW_SCTP KW_CHUNK STRING
			{
				$$ = sctp_chunk_new(state, &@$, $3, &@3, NULL, NULL);
			}
			|	KW_SCTP KW_CHUNK STRING field_ident
			{
				$$ = sctp_chunk_new(state, &@$, $3, &@3, $<string>4, &@4);
			}
			|	KW_DCCP KW_OPTION NUM
			{
				$$ = dccpopt_new(state, &@$, $3, &@3);
			}
			;

tcpopt_name		:	STRING
			{
				$$ = tcpopt_new(state, &@$, $1, &@1, NULL, NULL);
			}
			;

meta_expr		:	KW_META field_ident
			{
				$$ = meta_new(state, &@$, $<string>2, &@2);
			}
			;

ct_expr			:	KW_CT field_ident
			{
				$$ = ct_new(state, &@$, -1, NULL, $<string>2, &@2);
			}
			|	KW_CT ct_dir field_ident
			{
				$$ = ct_new(state, &@$, $2, NULL, $<string>3, &@3);
			}
			|	KW_CT ct_dir KW_IP field_ident
			{
				$$ = ct_new(state, &@$, $2, "ip", $<string>4, &@4);
			}
			|	KW_CT ct_dir KW_IP6 field_ident
			{
				$$ = ct_new(state, &@$, $2, "ip6", $<string>4, &@4);
			}
			;

ct_dir			:	KW_ORIGINAL	{ $$ = 0; }
			|	KW_REPLY	{ $$ = 1; }
			;

rt_expr			:	KW_RT field_ident
			{
				$$ = rt_new(state, &@$, NULL, $<string>2, &@2);
			}
			|	KW_RT field_ident '[' NUM ']'
			{
				$$ = ip6_exthdr_new(state, &@$, "rt", $<string>2, &@2, (int)$4);
			}
			|	KW_RT KW_IP field_ident
			{
				$$ = rt_new(state, &@$, "ip", $<string>3, &@3);
			}
			|	KW_RT KW_IP6 field_ident
			{
				$$ = rt_new(state, &@$, "ip6", $<string>3, &@3);
			}
			;

fib_expr		:	KW_FIB fib_flags field_ident
			{
				$$ = fib_new(state, &@$, $2, $<string>3, &@3);
			}
			;

fib_flags		:	STRING
			{
				$$ = fib_flag_new(state, NULL, $1, &@1);
			}
			|	fib_flags DOT STRING
			{
				$$ = fib_flag_new(state, $1, $3, &@3);
			}
			;

socket_expr		:	KW_SOCKET field_ident
			{
				$$ = socket_new(state, &@$, $<string>2, &@2, -1);
			}
			|	KW_SOCKET field_ident KW_LEVEL NUM
			{
				$$ = socket_new(state, &@$, $<string>2, &@2, (int)$4);
			}
			;

osf_expr		:	KW_OSF KW_NAME
			{
				$$ = osf_new(state, &@$, NULL, false);
			}
			|	KW_OSF STRING
			{
				$$ = osf_new(state, &@$, $2, true);
			}
			|	KW_OSF KW_TTL STRING KW_NAME
			{
				$$ = osf_new(state, &@$, NULL, false);
				osf_ttl(state, $$, $3, &@3);
			}
			|	KW_OSF KW_TTL STRING STRING
			{
				$$ = osf_new(state, &@$, $4, true);
				osf_ttl(state, $$, $3, &@3);
			}
			;

numgen_expr		:	KW_NUMGEN numgen_type KW_MOD NUM
			{
				$$ = numgen_new(&@$, $<uval>2, $4, 0);
			}
			|	KW_NUMGEN numgen_type KW_MOD NUM KW_OFFSET NUM
			{
				$$ = numgen_new(&@$, $<uval>2, $4, $6);
			}
			;

numgen_type		:	KW_RANDOM	{ $<uval>$ = NFT_NG_RANDOM; }
			|	STRING
			{
				$<uval>$ = NFT_NG_INCREMENTAL;
				if (strcmp($1, "inc"))
					parser_error(state, &@1, "syntax error, unexpected string, expecting inc or random");
				free($1);
			}
			;

hash_expr		:	KW_JHASH concat_expr KW_MOD NUM hash_opts
			{
				$$ = hash_new(&@$, $2, $4, $<val>5);
			}
			|	KW_SYMHASH KW_MOD NUM hash_opts
			{
				$$ = hash_new(&@$, NULL, $3, $<val>4);
			}
			;

hash_opts		:	%empty				{ $<val>$ = 0; }
			|	KW_SEED NUM			{ $<val>$ = (1ULL << 63) | ((uint64_t)($2 & 0xffffffff) << 32); }
			|	KW_OFFSET NUM			{ $<val>$ = (1ULL << 62) | ($2 & 0xffffffff); }
			|	KW_SEED NUM KW_OFFSET NUM
			{
				$<val>$ = (1ULL << 63) | ((uint64_t)($2 & 0xffffffff) << 32) | (1ULL << 62) | ($4 & 0xffffffff);
			}
			;

xfrm_expr		:	KW_IPSEC STRING xfrm_spnum field_ident
			{
				$$ = xfrm_new(state, &@$, $2, &@2, $<val>3, NULL, $<string>4, &@4);
			}
			|	KW_IPSEC STRING xfrm_spnum KW_IP field_ident
			{
				$$ = xfrm_new(state, &@$, $2, &@2, $<val>3, "ip", $<string>5, &@5);
			}
			|	KW_IPSEC STRING xfrm_spnum KW_IP6 field_ident
			{
				$$ = xfrm_new(state, &@$, $2, &@2, $<val>3, "ip6", $<string>5, &@5);
			}
			;

xfrm_spnum		:	%empty			{ $<val>$ = 0; }
			|	KW_SPNUM NUM		{ $<val>$ = $2; }
			;

tunnel_expr		:	KW_TUNNEL field_ident
			{
				$$ = tunnel_new(state, &@$, $<string>2, &@2);
			}
			;

/* Right-hand sides: constants, sets, lists */
rhs_expr		:	concat_rhs_expr
			|	set_expr
			|	set_ref_expr
			;

concat_rhs_expr		:	basic_rhs_expr
			|	multiton_rhs_expr
			|	concat_rhs_expr DOT basic_rhs_expr	{ $$ = concat_append(&@$, $1, $3); }
			|	concat_rhs_expr DOT multiton_rhs_expr	{ $$ = concat_append(&@$, $1, $3); }
			;

multiton_rhs_expr	:	basic_rhs_expr SLASH NUM
			{
				$$ = prefix_new(&@$, $1, $3);
			}
			|	basic_rhs_expr DASH basic_rhs_expr
			{
				$$ = range_new(&@$, $1, $3);
			}
			;

basic_rhs_expr		:	or_rhs_expr
			;

or_rhs_expr		:	xor_rhs_expr
			|	or_rhs_expr '|' xor_rhs_expr	{ $$ = binop_expr_alloc(&@$, OP_OR, $1, $3); }
			;

xor_rhs_expr		:	and_rhs_expr
			|	xor_rhs_expr CARET and_rhs_expr	{ $$ = binop_expr_alloc(&@$, OP_XOR, $1, $3); }
			;

and_rhs_expr		:	shift_rhs_expr
			|	and_rhs_expr AMPERSAND shift_rhs_expr { $$ = binop_expr_alloc(&@$, OP_AND, $1, $3); }
			;

shift_rhs_expr		:	primary_rhs_expr
			|	shift_rhs_expr LSHIFT primary_rhs_expr { $$ = binop_expr_alloc(&@$, OP_LSHIFT, $1, $3); }
			|	shift_rhs_expr RSHIFT primary_rhs_expr { $$ = binop_expr_alloc(&@$, OP_RSHIFT, $1, $3); }
			;

primary_rhs_expr	:	symbol_expr
			|	integer_expr
			|	value_kw
			{
				$$ = symbol_expr_alloc(&@$, $1, false);
				if (!$$)
					YYNOMEM;
			}
			|	KW_EXISTS	{ $$ = bool_sym(&@$, true); }
			|	KW_MISSING	{ $$ = bool_sym(&@$, false); }
			|	'(' basic_rhs_expr ')'	{ $$ = $2; }
			;

/* A set element that is one word or number followed by `,`, `}` or a
 * newline: the element at once, not through the fifteen reductions of the
 * expression chain (symbol_expr ... concat_rhs_expr, set_elem_key_w,
 * set_elem_expr) each element of a large set otherwise takes. It makes the
 * same expressions (the key's and the element's location are the token's).
 * Written before symbol_expr and integer_expr so it wins their
 * reduce/reduce conflict on those lookaheads; other lookaheads (DOT, COLON,
 * SLASH, DASH, an element option...) take the chain as before. */
set_elem_plain		:	STRING
			{
				$$ = set_elem_wrap(&@$, symbol_expr_take(&@$, $1, false));
				if (!$$)
					YYNOMEM;
			}
			|	NUM
			{
				$$ = set_elem_wrap(&@$, num_sym(&@$, $1, false));
				if (!$$)
					YYNOMEM;
			}
			;

value_kw		:	KW_IP | KW_IP6 | KW_INET | KW_ARP | KW_BRIDGE | KW_NETDEV | KW_ETHER
			|	KW_VLAN | KW_ICMP | KW_ICMPV6 | KW_IGMP | KW_TCP | KW_UDP | KW_UDPLITE
			|	KW_SCTP | KW_DCCP | KW_AH | KW_ESP | KW_COMP | KW_GRE | KW_GRETAP
			|	KW_VXLAN | KW_GENEVE | KW_ORIGINAL | KW_REPLY | KW_REDIRECT | KW_SNAT
			|	KW_DNAT | KW_HBH | KW_RT | KW_RT0 | KW_RT2 | KW_SRH | KW_FRAG | KW_DST
			|	KW_MH | KW_DESTROY | KW_RANDOM | KW_RESET | KW_TO
			;

symbol_expr		:	STRING
			{
				$$ = symbol_expr_take(&@$, $1, false);
				if (!$$)
					YYNOMEM;
			}
			|	QUOTED_STRING
			{
				$$ = symbol_expr_take(&@$, $1, true);
				if (!$$)
					YYNOMEM;
			}
			|	ASTERISK_STRING
			{
				$$ = symbol_expr_take(&@$, $1, false);
				if (!$$)
					YYNOMEM;
			}
			|	variable_expr
			;

variable_expr		:	'$' identifier
			{
				$$ = variable_expand(state, &@2, $2);
				if (!$$)
					YYERROR;
			}
			;

integer_expr		:	NUM
			{
				$$ = num_sym(&@$, $1, false);
				if (!$$)
					YYNOMEM;
			}
			;

list_rhs_expr		:	basic_rhs_expr COMMA basic_rhs_expr
			{
				$$ = compound_expr_alloc(&@$, EXPR_LIST);
				if (!$$) {
					expr_free($1);
					expr_free($3);
					YYNOMEM;
				}
				compound_expr_add($$, $1);
				compound_expr_add($$, $3);
			}
			|	list_rhs_expr COMMA basic_rhs_expr
			{
				$$ = $1;
				$$->location = @$;
				compound_expr_add($$, $3);
			}
			;

set_ref_expr		:	AT identifier
			{
				$$ = expr_alloc(&@$, EXPR_SET_REF);
				if (!$$) {
					free($2);
					YYNOMEM;
				}
				$$->set_ref.name = $2;
			}
			;

set_expr		:	'{' set_list_expr '}'
			{
				$$ = $2;
				$$->location = @$;
			}
			;

nl			:	%empty
			|	nl NEWLINE
			;

set_list_expr		:	nl set_list_member nl
			{
				$$ = compound_expr_alloc(&@$, EXPR_SET);
				if (!$$) {
					expr_free($2);
					YYNOMEM;
				}
				compound_expr_add($$, $2);
			}
			|	set_list_expr COMMA nl set_list_member nl
			{
				$$ = $1;
				compound_expr_add($$, $4);
			}
			|	set_list_expr COMMA nl
			/* addresses each with its comma, scanned at once (elem_run.c) */
			|	ELEM_RUN nl
			|	ELEM_RUN nl set_list_member nl
			{
				$$ = $1;
				compound_expr_add($$, $3);
			}
			;

set_list_member		:	set_expr
			|	set_elem_plain
			|	set_elem_expr
			|	set_elem_expr COLON set_rhs_expr
			{
				$$ = expr_alloc(&@$, EXPR_MAPPING);
				if (!$$) {
					expr_free($1);
					expr_free($3);
					YYNOMEM;
				}
				$$->mapping.left = $1;
				$$->mapping.right = $3;
			}
			|	set_elem_expr COLON set_rhs_expr set_elem_opt_list
			{
				$$ = expr_alloc(&@$, EXPR_MAPPING);
				if (!$$) {
					expr_free($1);
					expr_free($3);
					YYNOMEM;
				}
				$$->mapping.left = $1;
				$$->mapping.right = $3;
			}
			;

set_elem_opt_list	:	KW_COMMENT string
			{
				struct expr *m = $<expr>-2;

				free(m->elem.comment);
				m->elem.comment = $2;
			}
			;

set_elem_expr		:	set_elem_key_w
			|	set_elem_key_w set_elem_opts
			{
				$$ = set_elem_merge($1, $2);
			}
			;

set_elem_key_w		:	set_elem_key
			{
				$$ = set_elem_wrap(&@$, $1);
				if (!$$)
					YYNOMEM;
			}
			;

set_elem_opts		:	set_elem_opt_h
			|	set_elem_opts set_elem_opt_h
			{
				$$ = set_elem_merge($1, $2);
			}
			;

/* one element option in a holder element (merged by set_elem_merge) */
set_elem_opt_h		:	KW_TIMEOUT time_spec
			{
				$$ = expr_alloc(&@$, EXPR_SET_ELEM);
				if (!$$)
					YYNOMEM;
				$$->elem.timeout = $2;
			}
			|	KW_TIMEOUT KW_NEVER
			{
				$$ = expr_alloc(&@$, EXPR_SET_ELEM);
				if (!$$)
					YYNOMEM;
				$$->elem.timeout = BNFT_NEVER_TIMEOUT;
			}
			|	KW_EXPIRES time_spec
			{
				$$ = expr_alloc(&@$, EXPR_SET_ELEM);
				if (!$$)
					YYNOMEM;
				$$->elem.expiration = $2;
			}
			|	KW_COMMENT string
			{
				$$ = expr_alloc(&@$, EXPR_SET_ELEM);
				if (!$$) {
					free($2);
					YYNOMEM;
				}
				$$->elem.comment = $2;
			}
			|	stateful_stmt
			{
				$$ = expr_alloc(&@$, EXPR_SET_ELEM);
				if (!$$) {
					stmt_free($1);
					YYNOMEM;
				}
				list_add_tail(&$1->list, &$$->elem.stmts);
			}
			;

set_elem_key		:	concat_rhs_expr
			|	ASTERISK
			{
				$$ = expr_alloc(&@$, EXPR_SET_ELEM_CATCHALL);
				if (!$$)
					YYNOMEM;
			}
			;

set_elem_opt		:	KW_TIMEOUT time_spec
			{
				$<expr>0->elem.timeout = $2;
			}
			|	KW_TIMEOUT KW_NEVER
			{
				$<expr>0->elem.timeout = BNFT_NEVER_TIMEOUT;
			}
			|	KW_EXPIRES time_spec
			{
				$<expr>0->elem.expiration = $2;
			}
			|	KW_COMMENT string
			{
				free($<expr>0->elem.comment);
				$<expr>0->elem.comment = $2;
			}
			|	stateful_stmt
			{
				list_add_tail(&$1->list, &$<expr>0->elem.stmts);
			}
			;

set_rhs_expr		:	concat_rhs_expr
			|	verdict_expr
			|	set_expr
			;

/* Expressions of statements (values assigned, nat targets, ...) */
stmt_expr		:	map_stmt_expr
			|	multiton_stmt_expr
			|	list_stmt_expr
			;

map_stmt_expr		:	concat_stmt_expr
			|	concat_stmt_expr KW_MAP rhs_expr
			{
				$$ = map_expr_new(&@$, $1, $3);
			}
			;

multiton_stmt_expr	:	basic_stmt_expr DASH basic_stmt_expr
			{
				$$ = range_new(&@$, $1, $3);
			}
			|	basic_stmt_expr SLASH NUM
			{
				$$ = prefix_new(&@$, $1, $3);
			}
			;

list_stmt_expr		:	basic_stmt_expr COMMA basic_stmt_expr
			{
				$$ = compound_expr_alloc(&@$, EXPR_LIST);
				if (!$$) {
					expr_free($1);
					expr_free($3);
					YYNOMEM;
				}
				compound_expr_add($$, $1);
				compound_expr_add($$, $3);
			}
			|	list_stmt_expr COMMA basic_stmt_expr
			{
				$$ = $1;
				$$->location = @$;
				compound_expr_add($$, $3);
			}
			;

concat_stmt_expr	:	basic_stmt_expr
			|	concat_stmt_expr DOT basic_stmt_expr	{ $$ = concat_append(&@$, $1, $3); }
			;

basic_stmt_expr		:	or_stmt_expr
			;

or_stmt_expr		:	xor_stmt_expr
			|	or_stmt_expr '|' xor_stmt_expr	{ $$ = binop_expr_alloc(&@$, OP_OR, $1, $3); }
			;

xor_stmt_expr		:	and_stmt_expr
			|	xor_stmt_expr CARET and_stmt_expr { $$ = binop_expr_alloc(&@$, OP_XOR, $1, $3); }
			;

and_stmt_expr		:	shift_stmt_expr
			|	and_stmt_expr AMPERSAND shift_stmt_expr { $$ = binop_expr_alloc(&@$, OP_AND, $1, $3); }
			;

shift_stmt_expr		:	primary_stmt_expr
			|	shift_stmt_expr LSHIFT primary_stmt_expr { $$ = binop_expr_alloc(&@$, OP_LSHIFT, $1, $3); }
			|	shift_stmt_expr RSHIFT primary_stmt_expr { $$ = binop_expr_alloc(&@$, OP_RSHIFT, $1, $3); }
			;

primary_stmt_expr	:	selector_expr
			|	STRING
			{
				$$ = short_meta_or_symbol_stmt(state, &@$, $1);
			}
			|	QUOTED_STRING
			{
				$$ = symbol_expr_take(&@$, $1, true);
				if (!$$)
					YYNOMEM;
			}
			|	ASTERISK_STRING
			{
				$$ = symbol_expr_take(&@$, $1, false);
				if (!$$)
					YYNOMEM;
			}
			|	variable_expr
			|	integer_expr
			|	value_kw
			{
				$$ = symbol_expr_alloc(&@$, $1, false);
				if (!$$)
					YYNOMEM;
			}
			|	'(' basic_stmt_expr ')'	{ $$ = $2; }
			;

/* Times: "1h30m", "10s", or a plain number of seconds */
time_spec		:	time_str
			{
				uint64_t ms = 0;

				if (time_string_parse($1, &ms) < 0)
					parser_error(state, &@1, "Wrong time format, expecting e.g. 1d2h3m4s5ms");
				$$ = ms;
				free($1);
			}
			|	NUM
			{
				$$ = $1 * 1000;
			}
			;

time_str		:	STRING
			|	QUOTED_STRING
			;

keyword_ident		:	KW_INCLUDE | KW_DEFINE | KW_REDEFINE | KW_UNDEFINE | KW_DESCRIBE
			|	KW_ADD | KW_REPLACE | KW_CREATE | KW_INSERT | KW_DELETE | KW_GET
			|	KW_LIST | KW_RESET | KW_FLUSH | KW_RENAME | KW_IMPORT | KW_EXPORT
			|	KW_MONITOR | KW_DESTROY | KW_UPDATE | KW_TABLE | KW_TABLES | KW_CHAIN
			|	KW_CHAINS | KW_RULE | KW_RULES | KW_SET | KW_SETS | KW_MAP | KW_MAPS
			|	KW_ELEMENT | KW_ELEMENTS | KW_FLOWTABLE | KW_FLOWTABLES | KW_COUNTER
			|	KW_COUNTERS | KW_QUOTA | KW_QUOTAS | KW_LIMIT | KW_LIMITS | KW_CT
			|	KW_HELPER | KW_HELPERS | KW_TIMEOUT | KW_EXPECTATION | KW_SECMARK
			|	KW_SECMARKS | KW_SYNPROXY | KW_SYNPROXYS | KW_METER | KW_METERS
			|	KW_RULESET | KW_HOOK | KW_HOOKS | KW_DEVICE | KW_DEVICES | KW_HANDLE
			|	KW_POSITION | KW_INDEX | KW_COMMENT | KW_TYPE | KW_TYPEOF | KW_PRIORITY
			|	KW_POLICY | KW_FLAGS | KW_SIZE | KW_AUTO_MERGE | KW_GC_INTERVAL
			|	KW_EXPIRES | KW_VMAP | KW_IP | KW_IP6 | KW_INET | KW_ARP | KW_BRIDGE
			|	KW_NETDEV | KW_ACCEPT | KW_DROP | KW_CONTINUE | KW_RETURN | KW_JUMP
			|	KW_GOTO | KW_QUEUE | KW_TO | KW_WITH | KW_OVER | KW_BURST | KW_RATE
			|	KW_NAME | KW_PACKETS | KW_BYTES | KW_USED | KW_PREFIX | KW_LEVEL
			|	KW_GROUP | KW_SNAPLEN | KW_QUEUE_THRESHOLD | KW_NUM | KW_BYPASS
			|	KW_FANOUT | KW_MSS | KW_WSCALE | KW_RANDOM | KW_FULLY_RANDOM
			|	KW_PERSISTENT | KW_EXISTS | KW_MISSING | KW_MOD | KW_SEED | KW_OFFSET
			|	KW_LOG | KW_REJECT | KW_SNAT | KW_DNAT | KW_MASQUERADE | KW_REDIRECT
			|	KW_DUP | KW_FWD | KW_TPROXY | KW_NOTRACK | KW_FLOW | KW_LAST | KW_META
			|	KW_ETHER | KW_VLAN | KW_ICMP | KW_ICMPV6 | KW_IGMP | KW_TCP | KW_UDP
			|	KW_UDPLITE | KW_SCTP | KW_DCCP | KW_AH | KW_ESP | KW_COMP | KW_GRE
			|	KW_GRETAP | KW_VXLAN | KW_GENEVE | KW_TH | KW_EXTHDR | KW_HBH | KW_RT
			|	KW_RT0 | KW_RT2 | KW_SRH | KW_FRAG | KW_DST | KW_MH | KW_FIB | KW_SOCKET
			|	KW_OSF | KW_NUMGEN | KW_JHASH | KW_SYMHASH | KW_IPSEC | KW_TUNNEL
			|	KW_OPTION | KW_CHUNK | KW_ORIGINAL | KW_REPLY | KW_COUNT | KW_TTL
			|	KW_SPNUM | KW_NEVER | KW_OFFLOAD | KW_LL | KW_NH | KW_ICMPX
			|	KW_CONSTANT | KW_INTERVAL | KW_DYNAMIC
			;

%%

/*
 * Syntax errors are worded exactly like bison's "verbose" messages (what
 * nft prints): "syntax error, unexpected X[, expecting A or B ...]" with at
 * most four alternatives. Where nft has a keyword per header field and this
 * grammar takes any word (the field after "udp", "comp", "ether" ...), the
 * alternatives are the header's fields in nft's token order.
 */
static void symbol_text(yysymbol_kind_t k, char *buf, size_t size)
{
	const char *n = yysymbol_name(k);
	size_t l;

	if (n[0] == '"') {
		l = strlen(n);
		snprintf(buf, size, "%.*s", (int)(l >= 2 ? l - 2 : 0), n + 1);
	} else {
		snprintf(buf, size, "%s", n);
	}
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner,
				      struct parser_state *state)
{
	yysymbol_kind_t exp[4], tok = yypcontext_token(ctx);
	char what[64], msg[512], name[64];
	const char *fields[PROTO_FIELDS_MAX];
	int n, i, nf;
	size_t len;

	symbol_text(tok, what, sizeof(what));
	len = snprintf(msg, sizeof(msg), "syntax error, unexpected %s", what);
	n = yypcontext_expected_tokens(ctx, exp, 4);
	/* more than four alternatives: maybe a header field position */
	nf = n == 0 ? grammar_field_alternatives(state, fields, PROTO_FIELDS_MAX) : 0;
	if (nf > 0 && nf <= 4) {
		for (i = 0; i < nf && len < sizeof(msg); i++)
			len += snprintf(msg + len, sizeof(msg) - len, "%s%s",
					i ? " or " : ", expecting ", fields[i]);
	} else if (nf == 0) {
		for (i = 0; i < n && len < sizeof(msg); i++) {
			symbol_text(exp[i], name, sizeof(name));
			len += snprintf(msg + len, sizeof(msg) - len, "%s%s",
					i ? " or " : ", expecting ", name);
		}
	}
	parser_error(state, yypcontext_location(ctx), "%s", msg);
	return 0;
}
