#!/bin/bash
# Daemon tier: bnftd transactions, failures that must change nothing,
# persistence across kill -9, incremental commands against the real nft, and
# ruleset swaps under UDP traffic between two namespaces.
#
# Env: BNFT_BUILD (build dir, default build), DAEMON_SWAPS (default 1000),
# DAEMON_SWAP_SECS (time budget of the swap phase, default 100),
# DAEMON_RATE (datagrams per second during the swaps, default 2000).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BD=${BNFT_BUILD:-build}
BNFT=$ROOT/$BD/bnft
BNFTD=$ROOT/$BD/bnftd
E2E=$ROOT/tests/e2e
SWAPS=${DAEMON_SWAPS:-1000}
SWAP_SECS=${DAEMON_SWAP_SECS:-90}
RATE=${DAEMON_RATE:-2000}
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
# A real defect that is filed and documented (README "Not yet supported"):
# printed on every run, counted as skipped so CI stays usable.
known() { skip=$((skip + 1)); echo "KNOWN DEFECT: $*"; }
sk() { skip=$((skip + 1)); echo "SKIP: $*"; }
finish() { echo "daemon: $pass passed, $fail failed, $skip skipped"; exit 0; }

if [ "$(id -u)" != 0 ] || [ ! -x "$BNFT" ] || [ ! -x "$BNFTD" ] || ! command -v python3 >/dev/null ||
	! command -v ip >/dev/null; then
	sk "needs root, ip, python3, $BNFT and $BNFTD"
	finish
fi

ID=$$
NA=bnft-dA-$ID # sender
NB=bnft-dB-$ID # receiver, firewall under test
NC=bnft-dC-$ID # incremental commands through bnftd
NN=bnft-dN-$ID # the same commands through the real nft
PF=/run/bnft-t-daemon-$ID
PIN=$PF/x
PINC=$PF/y
TMP=$(mktemp -d /tmp/bnft-daemon-XXXXXX)
FAULT=$TMP/fault-verifier
BGPIDS=""
CRASH=$TMP/fault-crash
export BNFT_DAEMON=$BNFTD BNFT_DAEMON_IDLE=300 BNFT_FAULT_VERIFIER=$FAULT BNFT_FAULT_CRASH_AFTER_FLIP=$CRASH
unset BNFT_NO_DAEMON

statefile() { echo "/run/bnft-state/$(echo "$1" | tr / _)$2"; }
dpid() { cat "$(statefile "$1" .pid)" 2>/dev/null; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && grep -q bnftd "/proc/$1/cmdline" 2>/dev/null; }

cleanup() {
	local p
	for p in $BGPIDS; do kill "$p" 2>/dev/null; done
	for r in "$PIN" "$PINC"; do
		p=$(dpid "$r")
		alive "$p" && kill "$p"
	done
	sleep 0.3
	for r in "$PIN" "$PINC"; do
		p=$(dpid "$r")
		alive "$p" && kill -9 "$p"
		rm -f "$(statefile "$r" .nft)" "$(statefile "$r" .pid)" "$(statefile "$r" .log)" \
			"$(statefile "$r" .nft.tmp)" "$(statefile "$r" .next)" "$(statefile "$r" .next.tmp)"
	done
	for n in "$NA" "$NB" "$NC" "$NN"; do ip netns del "$n" 2>/dev/null; done
	umount "$PF" 2>/dev/null && rmdir "$PF"
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PF" | tr / _)"[._]* 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$PF" && mount -t bpf bpf "$PF" || { sk "cannot mount a bpffs on $PF"; finish; }
for n in "$NA" "$NB" "$NC" "$NN"; do ip netns add "$n" && ip -n "$n" link set lo up; done
ip link add va-$ID netns "$NA" type veth peer name vb-$ID netns "$NB"
ip -n "$NA" addr add 10.211.0.1/24 dev va-$ID
ip -n "$NB" addr add 10.211.0.2/24 dev vb-$ID
ip -n "$NA" link set va-$ID up
ip -n "$NB" link set vb-$ID up
# static neighbours: the swap phase is about the ruleset, not ARP
MA=$(ip -n "$NA" -br link show va-$ID | awk '{print $3}')
MB=$(ip -n "$NB" -br link show vb-$ID | awk '{print $3}')
ip -n "$NA" neigh replace 10.211.0.2 lladdr "$MB" dev va-$ID nud permanent
ip -n "$NB" neigh replace 10.211.0.1 lladdr "$MA" dev vb-$ID nud permanent

bn() { ip netns exec "$NB" "$BNFT" --pin-root "$PIN" "$@"; }
bnc() { ip netns exec "$NC" "$BNFT" --pin-root "$PINC" "$@"; }
listing() { bn -a list ruleset 2>&1; }

# send COUNT datagrams to PORT, print how many a receiver on PORT got
probe() { # port count [address]
	local out=$TMP/probe-$1-$RANDOM
	ip netns exec "$NB" python3 "$E2E/udp_flow.py" recv "$1" "$out" 1 10 &
	local rp=$!
	for _ in $(seq 50); do [ -e "$out.ready" ] && break; sleep 0.05; done
	ip netns exec "$NA" python3 "$E2E/udp_flow.py" send "${3:-10.211.0.2}" "$1" 1000 "$(awk "BEGIN{print $2/1000}")" >/dev/null
	wait $rp
	awk '{print $1}' "$out"
}

counter_of() { # listing-file pattern: packets of the first counter on a line matching pattern
	grep -F -- "$2" "$1" | head -1 | sed -nE 's/.*counter packets ([0-9]+) bytes.*/\1/p'
}

# ---------------------------------------------------------------- rulesets
cat >"$TMP/a.nft" <<'EOF'
table inet sw {
	set pa {
		type inet_service
		elements = { 5555 }
	}
	set pb {
		type inet_service
	}
	chain in {
		type filter hook input priority filter; policy drop;
		udp dport @pa counter accept
		udp dport @pb counter accept
		udp dport 6666 counter drop
	}
}
EOF
printf 'delete element inet sw pa { 5555 }\nadd element inet sw pb { 5555 }\n' >"$TMP/to-b.nft"
printf 'delete element inet sw pb { 5555 }\nadd element inet sw pa { 5555 }\n' >"$TMP/to-a.nft"

# ------------------------------------------------ 1. transactions through bnftd
if bn -f "$TMP/a.nft" 2>"$TMP/err" && alive "$(dpid "$PIN")"; then
	ok "bnft -f starts bnftd (pid $(dpid "$PIN")) and loads the ruleset"
else
	ko "first load through bnftd: $(cat "$TMP/err")"
	finish
fi
P0=$(dpid "$PIN")
L0=$(listing)
n=$(probe 5555 40)
m=$(probe 6666 40)
if [ "$n" = 40 ] && [ "$m" = 0 ]; then ok "live: udp 5555 accepted (40/40), udp 6666 dropped (0/40)"; else ko "live filtering: 5555 got $n/40, 6666 got $m/40"; fi
L0=$(listing)

same_state() { # what
	local p l
	p=$(dpid "$PIN")
	l=$(listing)
	if [ "$p" = "$P0" ] && alive "$p" && [ "$l" = "$L0" ]; then
		ok "$1: daemon running, live ruleset unchanged"
	else
		ko "$1: pid $P0 -> $p, listing changed: $(diff <(echo "$L0") <(echo "$l") | head -5)"
	fi
}

ip netns exec "$NB" python3 "$E2E/raw_client.py" "$PIN" half
same_state "client disconnecting mid-request"
ip netns exec "$NB" python3 "$E2E/raw_client.py" "$PIN" junk
same_state "malformed request bytes"

head -c $((64 << 20)) /dev/urandom >"$TMP/junk.bin"
t0=$(date +%s%N)
if bn -f "$TMP/junk.bin" >/dev/null 2>"$TMP/err"; then ko "64 MB junk file accepted"; else ok "64 MB junk file refused ($(( ($(date +%s%N) - t0) / 1000000 )) ms): $(head -c 80 "$TMP/err" | head -1 | tr -cd '[:print:]')"; fi
rm -f "$TMP/junk.bin"
same_state "64 MB junk file"
# a NUL byte (random junk starts with one in 1 of 256 runs): nft's scanner
# sees junk there, and ended text is no ruleset
printf '\0table ip t { }\n' >"$TMP/nul.nft"
if bn -f "$TMP/nul.nft" >/dev/null 2>"$TMP/err"; then ko "file starting with a NUL byte accepted"; else ok "file starting with a NUL byte refused: $(head -1 "$TMP/err" | tr -cd '[:print:]')"; fi
same_state "file starting with a NUL byte"

{ cat "$TMP/a.nft" | sed 's/table inet sw/table inet sw2/'; echo "add rule inet sw2 in udp dport 7000 frobnicate"; } >"$TMP/lastline.nft"
nl=$(wc -l <"$TMP/lastline.nft")
if bn -f "$TMP/lastline.nft" 2>"$TMP/err"; then
	ko "syntax error on the last line accepted"
elif grep -q "^$TMP/lastline.nft:$nl:" "$TMP/err"; then
	ok "syntax error on the last line ($nl) located: $(head -1 "$TMP/err")"
else
	ko "syntax error not located at line $nl: $(head -3 "$TMP/err")"
fi
same_state "syntax error on the last line of a file"

if bn -f <(printf 'add rule inet sw in udp dport 7003 drop\nadd rule inet sw in ip saddr @nosuchset drop\n') 2>"$TMP/err"; then
	ko "rule referencing an unknown set accepted"
elif grep -q "nosuchset" "$TMP/err"; then
	ok "unknown set refused: $(head -1 "$TMP/err" | sed 's/^[^:]*:/<fd>:/')"
else
	ko "unknown set: unexpected error $(head -2 "$TMP/err")"
fi
same_state "rule referencing an unknown set (after a valid rule in the same file)"
if bn add element inet sw nosuchset { 1 } 2>"$TMP/err"; then ko "element into an unknown set accepted"; else ok "element into an unknown set refused: $(head -1 "$TMP/err")"; fi
same_state "element into an unknown set"

touch "$FAULT"
if bn add rule inet sw in udp dport 7001 drop 2>"$TMP/err"; then
	ko "verifier rejection not reported"
elif grep -q "refused" "$TMP/err"; then
	ok "verifier rejection reported: $(head -c 120 "$TMP/err" | head -1)"
else
	ko "verifier rejection: unexpected error $(head -2 "$TMP/err")"
fi
rm -f "$FAULT"
same_state "verifier rejection"
n=$(probe 5555 20)
[ "$n" = 20 ] && ok "filtering after the failed requests: 20/20" || ko "filtering after failures: $n/20"

# ------------------------------------------------ 3. counters survive a swap
L1=$(listing)
echo "$L1" >"$TMP/l1"
c1=$(counter_of "$TMP/l1" "@pa")
bn add rule inet sw in udp dport 7002 drop 2>"$TMP/err"
listing >"$TMP/l2"
c2=$(counter_of "$TMP/l2" "@pa")
if [ -n "$c1" ] && [ "$c1" -gt 0 ] && [ "$c1" = "$c2" ]; then ok "counter of a surviving rule kept across a swap ($c1 packets)"; else ko "counter across a swap: $c1 -> $c2"; fi
# reset rules: prints the values before, zeroes the live counters in place
# (no reload), the datapath counts on from 0
bn reset rules table inet sw >"$TMP/reset.out" 2>&1
listing >"$TMP/l3"
c3=$(counter_of "$TMP/reset.out" "@pa")
c4=$(counter_of "$TMP/l3" "@pa")
probe 5555 10 >/dev/null
listing >"$TMP/l4"
c5=$(counter_of "$TMP/l4" "@pa")
if [ "$c3" = "$c2" ] && [ "$c4" = 0 ] && [ "$c5" = 10 ] && grep -q "^table inet sw {" "$TMP/reset.out"; then
	ok "reset rules table: printed $c3 (values before), live counter 0 after, 10 after 10 packets"
else
	ko "reset rules: printed '$c3' (want $c2), after '$c4' (want 0), after 10 packets '$c5': $(head -3 "$TMP/reset.out")"
fi
h=$(grep -F "udp dport 7002 drop" "$TMP/l2" | sed -nE 's/.*# handle ([0-9]+)/\1/p')
bn delete rule inet sw in handle "$h" 2>"$TMP/err" || ko "delete rule handle $h: $(cat "$TMP/err")"

# ------------------------------------------------ 2. persistence across kill -9
L1=$(listing)
P1=$(dpid "$PIN")
kill -9 "$P1"
sleep 0.2
if alive "$P1"; then ko "daemon survived kill -9"; fi
n=$(probe 5555 20)
m=$(probe 6666 20)
if [ "$n" = 20 ] && [ "$m" = 0 ]; then ok "daemon killed (-9): filtering goes on (5555: 20/20, 6666: 0/20)"; else ko "after kill -9: 5555 $n/20, 6666 $m/20"; fi
t0=$(date +%s%N)
L2=$(listing)
trec=$(( ($(date +%s%N) - t0) / 1000000 ))
P2=$(dpid "$PIN")
# the two probes above went through live counters: compare with them added
sed -E 's/(@pa counter packets )[0-9]+ bytes [0-9]+/\1N bytes N/; s/(6666 counter packets )[0-9]+ bytes [0-9]+/\1N bytes N/' <<<"$L1" >"$TMP/k1"
sed -E 's/(@pa counter packets )[0-9]+ bytes [0-9]+/\1N bytes N/; s/(6666 counter packets )[0-9]+ bytes [0-9]+/\1N bytes N/' <<<"$L2" >"$TMP/k2"
if [ "$P2" != "$P1" ] && alive "$P2" && cmp -s "$TMP/k1" "$TMP/k2"; then
	ok "restarted daemon (pid $P2, first answer in $trec ms) lists the same ruleset and handles"
else
	ko "restart: pid $P1 -> $P2, $(diff "$TMP/k1" "$TMP/k2" | head -6)"
fi
c1=$(counter_of <(echo "$L1") "@pa")
c2=$(counter_of <(echo "$L2") "@pa")
if [ -n "$c1" ] && [ "$c2" = $((c1 + 20)) ]; then ok "counters recovered from the pinned maps ($c1 + 20 = $c2)"; else ko "counters after restart: $c1 (+20) -> $c2"; fi
# identical listing when nothing passes in between
L3=$(listing)
P3=$(dpid "$PIN")
kill -9 "$P3"
sleep 0.2
L4=$(listing)
if [ "$L3" = "$L4" ]; then ok "-a list ruleset byte-identical before and after kill -9 + restart"; else ko "listing differs after restart: $(diff <(echo "$L3") <(echo "$L4") | head -6)"; fi

# killed after the flip, before the state was saved: the restart must know
# what is live (the pending state is promoted when its generation is active)
P4=$(dpid "$PIN")
touch "$CRASH"
bn add rule inet sw in udp dport 7004 counter drop 2>/dev/null && ko "request survived the injected crash"
rm -f "$CRASH"
sleep 0.2
alive "$P4" && ko "daemon not killed by the injected crash"
probe 7004 10 >/dev/null
listing >"$TMP/crash.l"
c=$(counter_of "$TMP/crash.l" "udp dport 7004")
if [ "$c" = 10 ]; then ok "killed between flip and state save: the restarted daemon lists the live rule (counter 10/10)"; else ko "after a crash between flip and save: rule 7004 counter '$c' (want 10): $(grep 7004 "$TMP/crash.l")"; fi
h=$(grep -F "udp dport 7004" "$TMP/crash.l" | sed -nE 's/.*# handle ([0-9]+)/\1/p')
[ -n "$h" ] && bn delete rule inet sw in handle "$h"

# ------------------------------------------------ 3. incremental commands vs nft
INC=(
	"add table inet f"
	"add chain inet f c { type filter hook input priority 0; policy accept; }"
	"add set inet f s { type ipv4_addr; }"
	"add rule inet f c ip saddr @s counter drop"
	"add rule inet f c tcp dport 22 accept"
	"insert rule inet f c udp dport 53 accept"
	"add element inet f s { 10.0.0.1, 10.0.0.2, 10.0.0.3 }"
	"delete element inet f s { 10.0.0.1 }"
	"delete rule inet f c handle 4"
	"add rule inet f c position 3 ip daddr 1.2.3.4 drop"
	"add chain inet f d"
	"add rule inet f d counter"
	"add rule inet f d udp dport 1 drop"
	"flush chain inet f d"
	"add rule inet f d tcp dport 2 drop"
	"add table ip g"
	"add chain ip g x"
	"add rule ip g x ip daddr 9.9.9.9 drop"
	"delete table ip g"
	"add table ip g"
	"flush set inet f s"
	"add element inet f s { 192.168.0.0 }"
	"add rule inet f c ip saddr 10.1.0.0/16 counter accept"
	"flush table inet f"
	"add rule inet f c meta l4proto tcp accept"
	"add rule inet f c tcp dport 22 accept"
	"add counter inet f k { packets 5 bytes 7 }"
	"add counter inet f k2"
)
# monitors on both sides: the same events as nft monitor prints them
bnc list ruleset >/dev/null 2>&1 # bnftd of NC up
ip netns exec "$NN" nft monitor >"$TMP/mon-n" 2>&1 &
MN1=$!
ip netns exec "$NC" "$BNFT" --pin-root "$PINC" monitor >"$TMP/mon-b" 2>&1 &
MB1=$!
ip netns exec "$NN" nft -a monitor ruleset >"$TMP/mona-n" 2>&1 &
MN2=$!
ip netns exec "$NC" "$BNFT" --pin-root "$PINC" -a monitor ruleset >"$TMP/mona-b" 2>&1 &
MB2=$!
BGPIDS="$BGPIDS $MN1 $MB1 $MN2 $MB2"
sleep 0.5
incok=1
for c in "${INC[@]}"; do
	# shellcheck disable=SC2086
	ip netns exec "$NN" nft $c 2>"$TMP/nerr"; rn=$?
	# shellcheck disable=SC2086
	bnc $c 2>"$TMP/berr"; rb=$?
	if [ $rn != $rb ]; then
		ko "incremental '$c': nft rc $rn, bnft rc $rb: $(head -2 "$TMP/berr")"
		incok=0
	fi
	ip netns exec "$NN" nft -a list ruleset >"$TMP/n.l"
	bnc -a list ruleset >"$TMP/b.l" 2>&1
	if ! cmp -s "$TMP/n.l" "$TMP/b.l"; then
		ko "after '$c': -a listing differs from nft: $(diff "$TMP/n.l" "$TMP/b.l" | head -8 | tr '\n' '|')"
		incok=0
		break
	fi
done
[ $incok = 1 ] && ok "${#INC[@]} incremental commands through bnftd list like nft -a after each one (handles included)"
sleep 0.5
kill $MN1 $MB1 $MN2 $MB2 2>/dev/null
wait $MN1 $MB1 $MN2 $MB2 2>/dev/null
# generation numbers and pids differ; the kernel reports the elements of
# a flushed hash set in its hash order: runs of element lines are sorted
monnorm() {
	python3 -c '
import re, sys
out, run = [], []
for l in open(sys.argv[1]).read().splitlines():
    l = re.sub(r"^# new generation [0-9]+ by process [0-9]+ \(.*\)$", "# new generation", l)
    if re.match(r"(add|delete) element ", l):
        run.append(l)
        continue
    out += sorted(run) + [l]
    run = []
print("\n".join(out + sorted(run)))' "$1"
}
for m in mon mona; do
	monnorm "$TMP/$m-n" >"$TMP/$m-n.s"
	monnorm "$TMP/$m-b" >"$TMP/$m-b.s"
	if [ -s "$TMP/$m-n.s" ] && cmp -s "$TMP/$m-n.s" "$TMP/$m-b.s"; then
		ok "bnft $([ $m = mona ] && echo "-a monitor ruleset" || echo monitor) prints the same $(wc -l <"$TMP/$m-n.s") lines as nft (generation numbers and pids aside)"
	else
		ko "$m: bnft monitor differs from nft: $(diff "$TMP/$m-n.s" "$TMP/$m-b.s" | head -8 | tr '\n' '|')"
	fi
done
# reset of named counters prints them as nft does, then zeroes them
for c in "reset counters" "reset counter inet f k" "reset counters table inet f"; do
	# shellcheck disable=SC2086
	ip netns exec "$NN" nft $c >"$TMP/n.r" 2>&1
	# shellcheck disable=SC2086
	bnc $c >"$TMP/b.r" 2>&1
	if cmp -s "$TMP/n.r" "$TMP/b.r"; then ok "'$c' prints like nft ($(wc -l <"$TMP/n.r") lines)"; else ko "'$c' differs from nft: $(diff "$TMP/n.r" "$TMP/b.r" | head -6 | tr '\n' '|')"; fi
done
ip netns exec "$NN" nft -a list ruleset >"$TMP/n.l"
bnc -a list ruleset >"$TMP/b.l" 2>&1
cmp -s "$TMP/n.l" "$TMP/b.l" || ko "after the resets: -a listing differs from nft: $(diff "$TMP/n.l" "$TMP/b.l" | head -6 | tr '\n' '|')"
# the same after a restart of that daemon
pc=$(dpid "$PINC")
alive "$pc" && kill -9 "$pc"
sleep 0.2
bnc -a list ruleset >"$TMP/b2.l" 2>&1
if cmp -s "$TMP/b.l" "$TMP/b2.l"; then ok "incremental state (handle gaps, handle generator) survives kill -9"; else ko "incremental state after restart: $(diff "$TMP/b.l" "$TMP/b2.l" | head -6 | tr '\n' '|')"; fi
bnc add rule inet f c udp dport 99 drop
ip netns exec "$NN" nft add rule inet f c udp dport 99 drop
ip netns exec "$NN" nft -a list ruleset >"$TMP/n.l"
bnc -a list ruleset >"$TMP/b.l" 2>&1
if cmp -s "$TMP/n.l" "$TMP/b.l"; then ok "handle allocation continues like nft after the restart"; else ko "handles after restart: $(diff "$TMP/n.l" "$TMP/b.l" | head -6 | tr '\n' '|')"; fi
# a command that bypasses the daemon (BNFT_NO_DAEMON=1) is seen by it
ip netns exec "$NC" env BNFT_NO_DAEMON=1 "$BNFT" --pin-root "$PINC" add rule inet f c udp dport 77 drop
ip netns exec "$NN" nft add rule inet f c udp dport 77 drop
ip netns exec "$NN" nft -a list ruleset >"$TMP/n.l"
bnc -a list ruleset >"$TMP/b.l" 2>&1
if cmp -s "$TMP/n.l" "$TMP/b.l"; then ok "daemon reloads a state changed behind it (BNFT_NO_DAEMON=1 bnft)"; else ko "state changed behind the daemon: $(diff "$TMP/n.l" "$TMP/b.l" | head -6 | tr '\n' '|')"; fi

# nft keeps the handle of a replaced rule
h=$(grep -F "tcp dport 22 accept" "$TMP/n.l" | sed -nE 's/.*# handle ([0-9]+)/\1/p')
ip netns exec "$NN" nft replace rule inet f c handle "$h" tcp dport 23 accept
bnc replace rule inet f c handle "$h" tcp dport 23 accept
ip netns exec "$NN" nft -a list ruleset >"$TMP/n.l"
bnc -a list ruleset >"$TMP/b.l" 2>&1
if [ -n "$h" ] && cmp -s "$TMP/n.l" "$TMP/b.l"; then ok "replace rule handle $h keeps the handle and lists like nft"; else ko "replace rule handle '$h': $(diff "$TMP/n.l" "$TMP/b.l" | head -6 | tr '\n' '|')"; fi

# ------------------------------------------------ two clients at once
for k in 1 2; do
	(
		r=0
		for j in $(seq 15); do bn add rule inet sw in udp dport $((9000 + k * 100 + j)) drop 2>>"$TMP/conc-err-$k" || r=1; done
		exit $r
	) &
	eval "cp$k=\$!"
done
wait "$cp1"; r1=$?
wait "$cp2"; r2=$?
listing >"$TMP/conc.l"
nrules=$(grep -cE "udp dport 9[12][0-9]{2} drop" "$TMP/conc.l")
nh=$(grep -E "udp dport 9[12][0-9]{2} drop" "$TMP/conc.l" | sed -nE 's/.*# handle ([0-9]+)/\1/p' | sort -u | wc -l)
if [ $r1 = 0 ] && [ $r2 = 0 ] && [ "$nrules" = 30 ] && [ "$nh" = 30 ]; then
	ok "two clients committing at once: 30/30 rules, 30 distinct handles"
else
	ko "concurrent clients: rc $r1/$r2, $nrules rules, $nh handles: $(head -2 "$TMP"/conc-err-* 2>/dev/null)"
fi
bn -f "$TMP/to-b.nft" && bn -f "$TMP/to-a.nft" # back to a known state
for h in $(grep -E "udp dport 9[12][0-9]{2} drop" "$TMP/conc.l" | sed -nE 's/.*# handle ([0-9]+)/\1/p'); do
	echo "delete rule inet sw in handle $h"
done >"$TMP/del.nft"
bn -f "$TMP/del.nft" || ko "deleting the concurrent rules in one transaction"

# ------------------------------------------------ set elements in place
# one set, adds only (or deletes only): the live map is updated, no program
# is compiled or loaded, the pins stay the same objects
pins() { ls -i "$PIN"/g0 "$PIN"/g1 2>/dev/null | md5sum; }
pg=$(pins)
BNFT_CLIENT_STATS=1 bn add element inet sw pb { 7777 } 2>"$TMP/ip.err"
n=$(probe 7777 10)
pg2=$(pins)
if grep -q "inplace=1" "$TMP/ip.err" && [ "$pg" = "$pg2" ] && [ "$n" = 10 ]; then
	ok "add element in place ($(grep -o 'total_ns=[0-9]*' "$TMP/ip.err" | cut -d= -f2 | awk '{printf "%.1f ms", $1/1e6}')): same programs and pins, udp 7777 accepted 10/10"
else
	ko "add element in place: $(grep -o 'inplace=[0-9]' "$TMP/ip.err"), pins same: $([ "$pg" = "$pg2" ] && echo yes || echo no), 7777 got $n/10"
fi
L5=$(listing)
P5=$(dpid "$PIN")
kill -9 "$P5"
sleep 0.2
L6=$(listing)
if [ "$L5" = "$L6" ] && grep -q "7777" <<<"$L6"; then ok "an in-place element survives kill -9 (state journal replayed)"; else ko "in-place element after kill -9: $(diff <(echo "$L5") <(echo "$L6") | head -4 | tr '\n' '|')"; fi
BNFT_CLIENT_STATS=1 bn delete element inet sw pb { 7777 } 2>"$TMP/ip.err"
n=$(probe 7777 10)
if grep -q "inplace=1" "$TMP/ip.err" && [ "$pg" = "$(pins)" ] && [ "$n" = 0 ]; then ok "delete element in place: udp 7777 dropped again (0/10)"; else ko "delete element in place: $(grep -o 'inplace=[0-9]' "$TMP/ip.err"), 7777 got $n/10"; fi
# a 100k-element set: one element in place against the whole commit
python3 -c '
import sys
print("table ip big {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { " + ", ".join("10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255) for i in range(100000)) + " }\n\t}\n\tset o {\n\t\ttype ipv4_addr\n\t}\n\tchain c {\n\t\ttype filter hook input priority 10; policy accept;\n\t\tip saddr @s drop\n\t\tip saddr @o drop\n\t}\n}")' >"$TMP/big.nft"
bn -f "$TMP/big.nft"
pg=$(pins)
BNFT_CLIENT_STATS=1 bn add element ip big s { 192.168.9.1 } 2>"$TMP/ip.err"
tin=$(grep -o 'total_ns=[0-9]*' "$TMP/ip.err" | cut -d= -f2)
printf 'add element ip big s { 192.168.9.2 }\nadd element ip big o { 192.168.9.3 }\n' >"$TMP/two.nft"
BNFT_CLIENT_STATS=1 bn -f "$TMP/two.nft" 2>"$TMP/ip2.err"
tfull=$(grep -o 'total_ns=[0-9]*' "$TMP/ip2.err" | cut -d= -f2)
echo "100k-element set, daemon time: one element in place $((tin / 1000)) us; two sets (whole commit) $((tfull / 1000)) us"
if grep -q "inplace=1" "$TMP/ip.err" && grep -q "inplace=0" "$TMP/ip2.err" && [ "$pg" != "$(pins)" ] && bn list set ip big s | grep -q "192.168.9.1"; then
	ok "100k set: add element in place $((tin / 1000)) us (whole commit $((tfull / 1000)) us), listed"
else
	ko "100k set in place: $(grep -o 'inplace=[0-9]' "$TMP/ip.err" "$TMP/ip2.err" | tr '\n' ' ')"
fi
bn delete table ip big

# ------------------------------------------------ interfaces created later
LOG=$(statefile "$PIN" .log)
n0=$(grep -c "new interface" "$LOG" 2>/dev/null)
ip link add va2-$ID netns "$NA" type veth peer name vb2-$ID netns "$NB"
ip -n "$NA" addr add 10.212.0.1/24 dev va2-$ID
ip -n "$NB" addr add 10.212.0.2/24 dev vb2-$ID
ip -n "$NA" link set va2-$ID up
ip -n "$NB" link set vb2-$ID up
MA2=$(ip -n "$NA" -br link show va2-$ID | awk '{print $3}')
MB2=$(ip -n "$NB" -br link show vb2-$ID | awk '{print $3}')
ip -n "$NA" neigh replace 10.212.0.2 lladdr "$MB2" dev va2-$ID nud permanent
ip -n "$NB" neigh replace 10.212.0.1 lladdr "$MA2" dev vb2-$ID nud permanent
sleep 1
n=$(probe 5555 20 10.212.0.2)
m=$(probe 6666 20 10.212.0.2)
if [ "$n" = 20 ] && [ "$m" = 0 ]; then ok "interface created after the load is filtered (5555: 20/20, 6666: 0/20)"; else ko "new interface: 5555 $n/20, 6666 $m/20 (6666 must be dropped)"; fi
sleep 2
n1=$(grep -c "new interface" "$LOG" 2>/dev/null)
if [ $((n1 - n0)) -ge 1 ] && [ $((n1 - n0)) -le 4 ]; then ok "new links: $((n1 - n0)) re-commits, no loop"; else ko "new links: $((n1 - n0)) re-commits"; fi

# ------------------------------------------------ 4. swaps under traffic
listing >"$TMP/pre.l"
x0=$(counter_of "$TMP/pre.l" "@pa")
y0=$(counter_of "$TMP/pre.l" "@pb")
FLOW_SECS=$((SWAP_SECS + 4))
out=$TMP/flow
ip netns exec "$NB" python3 "$E2E/udp_flow.py" recv 5555 "$out" 3 $((FLOW_SECS + 30)) &
RP=$!
BGPIDS="$BGPIDS $RP"
for _ in $(seq 100); do [ -e "$out.ready" ] && break; sleep 0.05; done
ip netns exec "$NA" env FLOW_STOP="$TMP/stop" python3 "$E2E/udp_flow.py" send 10.211.0.2 5555 "$RATE" "$FLOW_SECS" >"$TMP/sent" &
SP=$!
BGPIDS="$BGPIDS $SP"
sleep 1
python3 "$E2E/swap_loop.py" "$TMP/swaps" "$SWAPS" "$SWAP_SECS" "$TMP/to-b.nft" "$TMP/to-a.nft" -- \
	ip netns exec "$NB" "$BNFT" --pin-root "$PIN"
sleep 1
touch "$TMP/stop"
wait "$SP"
wait "$RP"
sent=$(cat "$TMP/sent")
read -r got dups maxid <"$out"
read -r nsw nfail <"$TMP/swaps"
cli=$(sed -n 2p "$TMP/swaps")
com=$(sed -n 3p "$TMP/swaps")
echo "swaps: $nsw done ($nfail failed) in <= ${SWAP_SECS}s; traffic $sent datagrams at $RATE/s, received $got, duplicates $dups"
echo "swap latency, client (bnft -f, process start to exit) us: min/median/p99/max = ${cli// //}"
echo "swap latency, daemon commit (lower+compile+load+flip+attach+save) us: min/median/p99/max = ${com// //}"
echo "after each reply, waiting for the old generation to drain (counter carry) us: min/median/p99/max = $(sed -n 4p "$TMP/swaps" | tr ' ' /)"
if [ "$nsw" -lt "$SWAPS" ]; then echo "note: $nsw of $SWAPS swaps fit in ${SWAP_SECS}s"; fi
if [ "$nfail" = 0 ] && [ "$nsw" -gt 0 ]; then ok "$nsw swaps under traffic, none failed"; else ko "$nfail of $nsw swaps failed"; fi
if [ "$got" = "$sent" ] && [ "$dups" = 0 ]; then ok "0 of $sent datagrams lost during $nsw swaps"; else ko "lost $((sent - got)) of $sent datagrams during $nsw swaps (dups $dups)"; fi
listing >"$TMP/post.l"
x1=$(counter_of "$TMP/post.l" "@pa")
y1=$(counter_of "$TMP/post.l" "@pb")
csum=$(( (x1 - x0) + (y1 - y0) ))
echo "counters: @pa +$((x1 - x0)), @pb +$((y1 - y0)), sum $csum, received $got"
if [ "$csum" -le "$got" ] && [ $((x1 - x0)) -gt 0 ] && [ $((y1 - y0)) -gt 0 ]; then
	ok "both rulesets judged traffic, no packet counted twice (sum $csum <= received $got)"
else
	ko "counters: sum $csum vs received $got"
fi
if [ "$csum" = "$got" ] && [ "$got" = "$sent" ]; then
	ok "old + new counters = packets sent = received ($got), none lost or counted twice over $nsw swaps"
else
	ko "sum of counters $csum, received $got, sent $sent: $((got - csum)) packets not carried across the flips"
fi
alive "$(dpid "$PIN")" && ok "daemon still running after the swaps" || ko "daemon gone after the swaps"

# ------------------------------------------------ kill -9 during swaps under traffic
out=$TMP/flow2
ip netns exec "$NB" python3 "$E2E/udp_flow.py" recv 5555 "$out" 3 60 &
RP=$!
BGPIDS="$BGPIDS $RP"
for _ in $(seq 100); do [ -e "$out.ready" ] && break; sleep 0.05; done
ip netns exec "$NA" env FLOW_STOP="$TMP/stop2" python3 "$E2E/udp_flow.py" send 10.211.0.2 5555 "$RATE" 30 >"$TMP/sent2" &
SP=$!
BGPIDS="$BGPIDS $SP"
python3 "$E2E/swap_loop.py" "$TMP/swaps2" 100000 8 "$TMP/to-b.nft" "$TMP/to-a.nft" -- \
	ip netns exec "$NB" "$BNFT" --pin-root "$PIN" 2>"$TMP/swaps2.err" &
LP=$!
kills=0
for _ in 1 2 3; do
	sleep 2
	p=$(dpid "$PIN")
	alive "$p" && kill -9 "$p" && kills=$((kills + 1))
done
wait "$LP"
sleep 1
touch "$TMP/stop2"
wait "$SP"
wait "$RP"
sent=$(cat "$TMP/sent2")
read -r got dups _ <"$out"
read -r nsw nfail <"$TMP/swaps2"
echo "kill -9 x$kills during $nsw swaps ($nfail failed: per kill, the request in flight and the next one, which assumed the killed one had applied); traffic $sent, received $got"
[ "$nfail" -gt 0 ] && sed 's/^/  swap error: /' "$TMP/swaps2.err" | head -4
if [ "$got" = "$sent" ] && [ "$dups" = 0 ]; then ok "0 of $sent datagrams lost across $kills daemon kills during swaps"; else ko "lost $((sent - got)) of $sent datagrams across daemon kills"; fi
listing >"$TMP/final.l"
ina=$(grep -A2 "set pa" "$TMP/final.l" | grep -c 5555)
inb=$(grep -A2 "set pb" "$TMP/final.l" | grep -c 5555)
if [ $((ina + inb)) = 1 ] && { bn -f "$TMP/to-b.nft" 2>/dev/null || bn -f "$TMP/to-a.nft"; }; then
	ok "after the kills: the listing is one of the two rulesets and swaps work again"
else
	ko "after the kills: 5555 in pa $ina, in pb $inb; $(head -3 "$TMP/swaps2.err")"
fi

# ------------------------------------------------ flush twice, then load
# A flush parks the live entry object (its programs take most of a second
# to verify); a second flush, of nothing, must keep it parked, so that the
# next load takes it back instead of verifying a new one.
entry_id() { bpftool prog show pinned "$PIN/entry_ingress" 2>/dev/null | sed -nE '1s/^([0-9]+):.*/\1/p'; }
if command -v bpftool >/dev/null && bn -f "$TMP/a.nft" 2>"$TMP/err"; then
	e0=$(entry_id)
	bn flush ruleset && bn flush ruleset
	parked=no
	[ -e "$PIN/parked/conf" ] && parked=yes
	bn -f "$TMP/a.nft" 2>"$TMP/err"
	e1=$(entry_id)
	n=$(probe 5555 20)
	if [ -n "$e0" ] && [ "$e0" = "$e1" ] && [ "$parked" = yes ] && [ "$n" = 20 ]; then
		ok "flush, flush, load: the parked entry object (program $e0) is taken back; filtering 20/20"
	else
		ko "flush, flush, load: entry program $e0 -> $e1, parked after the second flush: $parked, udp 5555 $n/20; $(head -3 "$TMP/err")"
	fi
else
	sk "flush twice: needs bpftool and a load ($(head -2 "$TMP/err"))"
fi

# ------------------------------------------------ a refused load after a flush
# The load after a flush attaches the parked entry object while it lowers
# (entry_park.c); a load the kernel refuses must leave it parked and
# detached, and the next load must take it back.
attached() { ip netns exec "$NB" bpftool net show dev "vb-$ID" 2>/dev/null | grep -c 'bnft_'; }
if command -v bpftool >/dev/null && bn -f "$TMP/a.nft" 2>"$TMP/err"; then
	e0=$(entry_id)
	a0=$(attached)
	bn flush ruleset
	touch "$FAULT"
	refused=no
	bn -f "$TMP/a.nft" 2>"$TMP/err" || refused=yes
	rm -f "$FAULT"
	parked=no
	[ -e "$PIN/parked/conf" ] && [ ! -e "$PIN/conf" ] && parked=yes
	a1=$(attached)
	bn -f "$TMP/a.nft" 2>"$TMP/err"
	e1=$(entry_id)
	a2=$(attached)
	n=$(probe 5555 20)
	if [ "$refused" = yes ] && [ "$parked" = yes ] && [ "$a0" -gt 0 ] && [ "$a1" = 0 ] &&
		[ "$a2" = "$a0" ] && [ -n "$e0" ] && [ "$e0" = "$e1" ] && [ "$n" = 20 ]; then
		ok "refused load after a flush: entry object parked again, detached (0 of $a0), taken back by the next load; filtering 20/20"
	else
		ko "refused load after a flush: refused $refused, parked $parked, attached $a0 -> $a1 -> $a2, entry $e0 -> $e1, udp 5555 $n/20; $(head -3 "$TMP/err")"
	fi
else
	sk "refused load after a flush: needs bpftool and a load ($(head -2 "$TMP/err"))"
fi

finish
