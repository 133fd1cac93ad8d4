#!/bin/bash
# make bench: bnft against the kernel's nftables, side by side in one run,
# as ../shared/BENCH.md describes. Writes bench/results.md and bench/cost.png.
#
#   bench/run.sh [--quick]        (--quick: sizes up to 10k, fewer repeats)
#   BNFT_BUILD=dir                binaries from dir (default build/)
#   BENCH_CPU=n                   the CPU everything is pinned to (default 1)
#
# (a) per-packet cost of the generated programs: BPF_PROG_TEST_RUN, ns/packet
#     = wall time / repeat, interleaved with a baseline program (the same
#     hook, an empty chain): added cost = min(ruleset) - min(baseline) over
#     many short rounds (a busy host only adds time); probes hit the first,
#     middle and last rule and none; verified instructions;
# (b) packets per second through a veth pair: kernel nftables netdev ingress
#     chain against bnft on TC ingress, same ruleset, same packets: XDP live
#     frames (linear skbs) and trafgen (non-linear skbs), pinned to one CPU;
# (c) load time: `nft -f` against `bnft -f` (rules and large sets), cold
#     (empty state) and warm (a file starting with `flush ruleset` loaded
#     over the same ruleset), `list ruleset` for both, bnftd's stage times;
# (d) swap time (a one-rule commit, request to live) and bnftd's memory.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BNFT_BUILD:-$ROOT/build}
export BNFT_BUILD=$BUILD
BNFT=$BUILD/bnft
BNFTD=$BUILD/bnftd
BENCH=$BUILD/tests/bnft-bench
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
CPU=${BENCH_CPU:-1}
OUT=${BENCH_OUT:-$ROOT/bench/results.md}
TMP=$(mktemp -d /tmp/bnft-bench.XXXXXX)
NS_A=bnft-perf-ba-$$
NS_B=bnft-perf-bb-$$
PINFS=/run/bnft-perf-bench-$$
DPID=
T_START=$(date +%s)
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	umount "$PINFS" 2>/dev/null
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PINFS" | tr / _)"[._]* 2>/dev/null
	rmdir "$PINFS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

command -v gnuplot >/dev/null || { apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 || true; }
command -v trafgen >/dev/null || { apt-get install -y -qq netsniff-ng >/dev/null 2>&1 || true; }
[ -x "$BENCH" ] && [ -x "$BNFT" ] && [ -x "$BNFTD" ] || { echo "build first: make"; exit 1; }

if [ $QUICK = 1 ]; then
	SIZES="10 100 1000 10000"; REP=10000; ROUNDS=15
else
	SIZES="1 10 100 1000 10000 100000"; REP=10000; ROUNDS=31
fi
FAMILIES="hosts prefixes ports mixed set"
# median; of an even count the mean of the two middle values
med() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# (max - min) / median, percent
spr() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; if (m > 0) printf "%.0f", (a[NR]-a[1])*100/m; else print "n/a"}'; }

probes() { # family n -> --pkt args: first, middle, last rule, no match
	local p
	for p in $(python3 bench/gen_ruleset.py "$1" "$2" --hook input --probes); do
		printf -- '--pkt %s ' "$p"
	done
}

{
	echo "# bnft benchmarks"
	echo
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPUs, kernel $(uname -r), nft $(nft --version | cut -d' ' -f2), everything pinned to CPU $CPU, one run of \`make bench\`$([ $QUICK = 1 ] && echo ' --quick'). Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "Noise: the host is shared (2 vCPUs, other jobs); absolute figures move by tens of percent between runs, so every figure is a median of paired, back-to-back repeats and its spread ((max - min) / median over the repeats) is given."
	echo
} >"$OUT"

# ---------------------------------------------------------------- (a)
python3 bench/gen_ruleset.py hosts 0 --hook input >"$TMP/base.nft"
{
	echo "## (a) Per-packet cost of the generated programs (BPF_PROG_TEST_RUN)"
	echo
	echo "Added ns/packet: the rules' program against a baseline program (the same hook, an empty chain), $ROUNDS interleaved rounds of $REP packets each; a busy host only adds time, so per probe the estimate is min(ruleset rounds) - min(baseline rounds); then the median over the probes (first, middle, last rule, no match). In parentheses: the program's total ns/packet (min); in brackets: instructions the verifier processed; ±: noise, the largest (median - min) of a probe's rounds, ns."
	echo
	printf '| rules |'
	for f in $FAMILIES; do printf ' %s |' "$f"; done
	printf '\n|---|'
	for f in $FAMILIES; do printf -- '---|'; done
	echo
} >>"$OUT"
: >"$TMP/cost.dat"
declare -A ADDED
for n in $SIZES; do
	printf '| %s |' "$n" >>"$OUT"
	row="$n"
	for f in $FAMILIES; do
		python3 bench/gen_ruleset.py "$f" "$n" --hook input >"$TMP/r.nft"
		# shellcheck disable=SC2046
		res=$(timeout 600 taskset -c "$CPU" "$BENCH" "$TMP/r.nft" --repeat "$REP" \
			--rounds "$ROUNDS" --base "$TMP/base.nft" $(probes "$f" "$n") 2>&1)
		if ! grep -q added_ns <<<"$res"; then
			printf ' fails: %s |' "$(tail -1 <<<"$res" | cut -c1-60)" >>"$OUT"
			row="$row NaN"
			continue
		fi
		add=$(grep -oE 'added_ns -?[0-9.]+' <<<"$res" | awk '{print $2}' | med)
		tot=$(grep -oE 'ns_per_packet [0-9.]+' <<<"$res" | awk '{print $2}' | med)
		sp=$(grep -oE 'spread [0-9.]+' <<<"$res" | awk '{print $2}' | sort -n | tail -1)
		ver=$(grep -oE '^verified_insns [0-9]+' <<<"$res" | awk '{print $2}')
		printf ' %s (%s) [%s] ±%s |' "$add" "$tot" "$ver" "$sp" >>"$OUT"
		ADDED[$f:$n]=$add
		row="$row $add"
		echo "cost $f $n: added $add ns, total $tot ns/packet, spread $sp, $ver verified insns" >&2
	done
	echo >>"$OUT"
	echo "$row" >>"$TMP/cost.dat"
done
{
	echo
	echo "Flatness (goal: added cost at the largest size at most 2 times the cost at 10 rules). Raw ratio, and the ratio with both costs floored at 5 ns (differences of a few ns are at the resolution of this method):"
	echo
	last=${SIZES##* }
	for f in $FAMILIES; do
		a=${ADDED[$f:10]:-NaN} b=${ADDED[$f:$last]:-NaN}
		echo "- $f: $a ns at 10 rules, $b ns at $last: ratio $(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "NaN" || b == "NaN" || a <= 0) print "n/a"; else printf "%.2f", b / a }'), floored $(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "NaN" || b == "NaN") print "n/a"; else { if (a < 5) a = 5; if (b < 5) b = 5; printf "%.2f", b / a } }')"
	done
	echo
} >>"$OUT"

if command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set terminal png size 900,560 noenhanced
set output "$(dirname "$OUT")/cost.png"
set title "Added ns per packet against rule count: bnft (BPF_PROG_TEST_RUN, against an empty chain) and nft's linear cost"
set logscale xy
set xlabel "rules"
set ylabel "added ns/packet (log; values under 0.5 ns drawn at 0.5)"
set key right center
set grid
plot for [i=2:$(($(wc -w <<<"$FAMILIES") + 1))] "$TMP/cost.dat" using 1:(column(i) > 0.5 ? column(i) : 0.5) with linespoints title "bnft ".word("$FAMILIES", i-1), \\
     [10:100000] (10 * x) with lines dashtype 2 lw 2 title "nft linear chain: about 10 ns per rule (BENCH.md)"
EOF
	echo "![added cost against rule count](cost.png)" >>"$OUT"
	echo >>"$OUT"
fi
echo "(a) done at +$(($(date +%s) - T_START)) s" >&2

# ---------------------------------------------------------------- (b)
{
	echo "## (b) Packets per second through a veth pair (CPU $CPU)"
	echo
	echo "Receiver-side count of the packets that passed the hooks: TCP SYNs (to port 22, from an address no rule names, so every rule's address and port tests run and a set is looked up in full) sent to a non-local address with forwarding off, so the IPv4 input route lookup drops them right after TC ingress / netdev ingress (\`Ip: InAddrErrors\`) and the figure is mostly the filter's cost; rows marked \"UDP socket sink\" send UDP datagrams to a closed local port instead (\`Udp: NoPorts\`, the socket layer's cost included; a UDP probe stops at the rules' protocol test). Medians of paired runs back to back (no ruleset, then nft and bnft, alternating which goes first; 0.3 s after each flush); 7 pairs a row, 11 for the rows against nft at its best (10 rules, a set). The ruleset is a netdev ingress chain on the receiving veth for nft and the same file loaded by bnft (TC ingress); no rule matches the traffic, so every rule is evaluated. live: XDP live frames injected into the receiving veth (linear skbs, processed synchronously on the pinned CPU: delivered / wall time of the test runs; each run is 5 slices of ~0.2 s of frames, sized from two probes since one test run has a fixed ~20 ms whatever its count, which stays in every slice and pulls ratios toward 1; the best slice counts); trafgen: AF_PACKET on the peer (non-linear skbs). Spread: (max - min) / median of the repeats."
	echo
	echo "bnft / nft: the median of the pairs' own ratios (each pair: nft and bnft back to back), the pairs' ratios in brackets; the pps columns are medians over the repeats."
	echo
	echo "| ruleset | packets | no ruleset | nft | bnft | bnft / nft | spread nft / bnft |"
	echo "|---|---|---|---|---|---|---|"
} >>"$OUT"
if [ $QUICK = 1 ]; then
	PPS="hosts:10 hosts:10000 hosts:10000:set"; PREP=2; PDUR=1
else
	PPS="hosts:10 hosts:1000 hosts:10000 set:10000 hosts:10000:set"; PREP=7; PDUR=1
fi
for gen in live trafgen live:noports; do
	sink=${gen#*:}
	[ "$sink" = "$gen" ] && sink=addrerr
	gen=${gen%%:*}
	for spec in $PPS; do
		IFS=: read -r k n nk <<<"$spec"
		# the socket-layer sink: a cross-check of the 10k rows only
		[ "$sink" = noports ] && [ "$n" != 10000 ] && continue
		# the rows that compare bnft with nft at its best (10 rules,
		# the rules as a set) differ by a few percent of a packet's
		# cost: more pairs
		rep=$PREP
		if [ $QUICK = 0 ] && { [ "$n" = 10 ] || [ -n "$nk" ] || [ "$k" = set ]; }; then rep=11; fi
		res=$(timeout 900 bench/pps.sh "$k" "$n" "$rep" "$PDUR" "$gen" "${nk:-$k}" "$sink" tcp 2>&1 | tail -1)
		echo "$res" >&2
		# shellcheck disable=SC2086
		set -- $res
		if [ "${1:-}" = pps ]; then
			echo "| $2 $3$([ "${15}" != "$2" ] && echo " (nft: the same rules as one set)") | $4$([ "${17}" = noports ] && echo ", UDP socket sink") | $6 | $8 | ${10} | ${19} (${21}) | ${12}% / ${13}% |" >>"$OUT"
		else
			echo "| $spec | $gen | failed: $res | | | | |" >>"$OUT"
		fi
	done
done
echo >>"$OUT"
echo "(b) done at +$(($(date +%s) - T_START)) s" >&2

# ---------------------------------------------------------------- (c)
mkdir -p "$PINFS" && mount -t bpf bpf "$PINFS"
ip netns add "$NS_A"
ip netns add "$NS_B"
ip -n "$NS_A" link set lo up
ip -n "$NS_B" link set lo up
# a fresh bnftd per ruleset: its RSS and peak are that ruleset's
# bnftd's deferred work (the state text of commits recorded by their
# requests, written after 100 ms idle; the entry object loaded ahead; the
# expressions for the next commit) runs
# on the measured CPU: let it finish before nft is measured
INTENT=/run/bnft-state/$(echo "$PINFS/b" | tr / _).intent
dcpu() { awk '{print $14 + $15}' /proc/"$DPID"/stat 2>/dev/null; }
bn_settle() {
	local k a b
	sleep 0.3
	for k in $(seq 100); do
		[ -e "$INTENT" ] || break
		sleep 0.1
	done
	# then until bnftd uses no CPU for 0.2 s: its other idle work (the
	# expressions it makes for the next commit) must not share the CPU
	# with nft's measurement either
	b=$(dcpu)
	for k in $(seq 50); do
		sleep 0.2
		a=$b
		b=$(dcpu)
		[ "$a" = "$b" ] && break
	done
}
start_daemon() {
	# on the measured CPU like nft: bnftd's threads (state file, set
	# fill, the entry object loaded ahead) share it
	ip netns exec "$NS_B" taskset -c "$CPU" "$BNFTD" --pin-root "$PINFS/b" --idle-exit 0 >/dev/null 2>&1 &
	DPID=$!
	# its socket first: a client finding none starts a daemon of its own
	# (--auto, idle exit after 30 s), which this one then defers to
	for _ in $(seq 200); do
		ip netns exec "$NS_B" ss -xl 2>/dev/null | grep -q "@bnftd:$PINFS/b " && break
		sleep 0.05
	done
	for _ in $(seq 100); do
		ip netns exec "$NS_B" "$BNFT" --pin-root "$PINFS/b" list ruleset >/dev/null 2>&1 && break
		sleep 0.1
	done
	kill -0 "$DPID" 2>/dev/null || echo "bench: the measured bnftd is not running" >&2
	sleep 2 # the entry object it loads ahead at start
}
stop_daemon() {
	ip netns exec "$NS_B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}
timeit() { # command... -> seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$TMP/err" || { echo fail; return; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
bn() { ip netns exec "$NS_B" taskset -c "$CPU" "$BNFT" --pin-root "$PINFS/b" "$@"; }
nf() { ip netns exec "$NS_A" taskset -c "$CPU" nft "$@"; }
rss() { awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%.0f / %.0f", r/1024, h/1024}' /proc/"$DPID"/status; }
{
	echo "## (c) Load and list times (wall clock, medians of 5 repeats)"
	echo
	echo "nft, bnft and bnftd all pinned to CPU $CPU (bnftd's threads share it). cold: \`flush ruleset\`, then \`-f FILE\` at once (bnft: bnftd keeps the fixed entry programs across the flush, parked); each bnft load starts from an idle bnftd (its idle work done: the state text, the expressions it makes ahead for the next commit), as commands come in practice; nft has no idle work; fresh bnftd: the first load of a bnftd just started (once per size, not in the medians: fresh memory to fault in, no expressions made ahead; a fresh bnftd loads the fixed entry programs in a thread at start, done before); warm: a file starting with \`flush ruleset\` loaded over the same ruleset (the daemon's usual case: replace the ruleset). bnft goes through bnftd (started once; a commit is parse, evaluate, lower, compile, state save, verifier, map fill, atomic flip). Stage times of the last warm bnft load from bnftd (BNFT_CLIENT_STATS): eval (parse + evaluate) / lower / compile / load (verifier, maps, flip) / save (the state text; 0 when the commit went to the intent log, whose text is folded in when bnftd is idle), seconds. bnftd is started afresh per ruleset: RSS / peak (MB) after that ruleset's loads."
	echo
	echo "| ruleset | nft -f cold | bnft -f cold | bnft/nft cold | bnft -f fresh bnftd | nft -f warm | bnft -f warm | bnft/nft warm | nft list | bnft list | bnft/nft list | bnft stages (warm) | bnftd RSS / peak (MB) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >>"$OUT"
if [ $QUICK = 1 ]; then LOADS="hosts:10000 elems:100000"; else LOADS="hosts:10000 hosts:100000 elems:100000 elems:1000000"; fi
for spec in $LOADS; do
	kind=${spec%%:*}
	n=${spec#*:}
	python3 bench/gen_ruleset.py "$kind" "$n" --hook input >"$TMP/l.nft"
	sed -i 's/hook ingress device "veth-b"/hook input/; s/table netdev/table inet/' "$TMP/l.nft"
	{ echo "flush ruleset"; cat "$TMP/l.nft"; } >"$TMP/w.nft"
	start_daemon
	# the first load of a freshly started bnftd (fresh memory, no
	# expressions made ahead) on its own: a daemon does it once per boot
	fresh=$(timeit bn -f "$TMP/l.nft")
	bn_settle
	# then five of each (the host is shared: medians of five); every
	# repeat is printed on stderr
	reps=5
	nc=() bc=() nw=() bw=() nls=() bls=()
	for r in $(seq $reps); do
		nf flush ruleset
		nc+=("$(timeit nf -f "$TMP/l.nft")")
		nw+=("$(timeit nf -f "$TMP/w.nft")")
		# nft's listing of 1M elements takes tens of seconds: once
		if [ "$r" = 1 ] || [ "$n" -lt 1000000 ]; then
			nls+=("$(timeit nf list ruleset)")
		fi
		bn flush ruleset >/dev/null 2>&1
		bc+=("$(timeit bn -f "$TMP/l.nft")")
		[ "${bc[-1]}" = fail ] && echo "bnft -f $kind $n: $(head -c 300 "$TMP/err")" >&2
		# each load from an idle bnftd, as commands come in practice
		# (its idle work, the expressions made ahead, done: bn_settle)
		bn_settle
		t0=$(date +%s.%N)
		BNFT_CLIENT_STATS=1 bn -f "$TMP/w.nft" >/dev/null 2>"$TMP/stats" || echo "bnft -f warm failed: $(head -c 300 "$TMP/stats")" >&2
		t1=$(date +%s.%N)
		bw+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }')")
		bls+=("$(timeit bn list ruleset)")
		bn_settle
	done
	nf flush ruleset
	stages=$(grep -oE '(eval|lower|compile|save|load)_ns=[0-9]+' "$TMP/stats" | tr '=' ' ' |
		awk '{printf "%s%.2f", (NR > 1 ? " / " : ""), $2 / 1e9}')
	mem=$(rss)
	stop_daemon
	a=$(printf '%s\n' "${nc[@]}" | med) b=$(printf '%s\n' "${bc[@]}" | med)
	c=$(printf '%s\n' "${nw[@]}" | med) d=$(printf '%s\n' "${bw[@]}" | med)
	e=$(printf '%s\n' "${nls[@]}" | med) f=$(printf '%s\n' "${bls[@]}" | med)
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", b / a; else print "n/a" }'; }
	echo "| $kind $n | $a (±$(printf '%s\n' "${nc[@]}" | spr)%) | $b (±$(printf '%s\n' "${bc[@]}" | spr)%) | $(ratio "$a" "$b") | $fresh | $c | $d (±$(printf '%s\n' "${bw[@]}" | spr)%) | $(ratio "$c" "$d") | $e | $f | $(ratio "$e" "$f") | $stages | $mem |" >>"$OUT"
	echo "load $kind $n: nft cold $a warm $c, bnft cold $b warm $d fresh $fresh; list nft $e bnft $f; stages $stages; rss $mem; all: nft cold ${nc[*]} warm ${nw[*]} bnft cold ${bc[*]} warm ${bw[*]}" >&2
done
echo >>"$OUT"
echo "(c) done at +$(($(date +%s) - T_START)) s" >&2

# ---------------------------------------------------------------- (d)
{
	echo "## (d) Swap time and daemon memory"
	echo
	echo "A one-rule commit (\`add rule\`) to a live ruleset: wall time of the command (process start to exit; bnftd answers after the atomic flip), median of 5 and spread, nft for comparison; and bnftd's own time from the request to the flip done (median). bnft recompiles the whole ruleset on every commit. bnftd (started for this ruleset) RSS / peak after the commits, MB."
	echo
	echo "| live ruleset | nft add rule (s) | bnft add rule (s) | in bnftd: request to flip done (s) | bnft commit stages eval / lower / compile / load / save | bnftd RSS / peak (MB) |"
	echo "|---|---|---|---|---|---|"
} >>"$OUT"
for n in 10 10000; do
	python3 bench/gen_ruleset.py hosts "$n" --hook input >"$TMP/s.nft"
	nf -f "$TMP/s.nft"
	start_daemon
	bn -f "$TMP/s.nft" >/dev/null 2>&1
	bn_settle
	ns=() bs=() bd=()
	for i in 1 2 3 4 5; do
		ns+=("$(timeit nf add rule inet bench c ip saddr 192.0.2.$i drop)")
		t0=$(date +%s.%N)
		BNFT_CLIENT_STATS=1 bn add rule inet bench c ip saddr 192.0.2.$i drop >/dev/null 2>"$TMP/stats"
		t1=$(date +%s.%N)
		bs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }')")
		bd+=("$(grep -oE 'total_ns=[0-9]+' "$TMP/stats" | awk -F= '{printf "%.4f\n", $2 / 1e9}')")
		bn_settle
	done
	stages=$(grep -oE '(eval|lower|compile|save|load)_ns=[0-9]+' "$TMP/stats" | tr '=' ' ' |
		awk '{printf "%s%.3f", (NR > 1 ? " / " : ""), $2 / 1e9}')
	echo "| hosts $n | $(printf '%s\n' "${ns[@]}" | med) (±$(printf '%s\n' "${ns[@]}" | spr)%) | $(printf '%s\n' "${bs[@]}" | med) (±$(printf '%s\n' "${bs[@]}" | spr)%) | $(printf '%s\n' "${bd[@]}" | med) | $stages | $(rss) |" >>"$OUT"
	echo "swap hosts $n: nft $(printf '%s\n' "${ns[@]}" | med) bnft $(printf '%s\n' "${bs[@]}" | med) stages $stages" >&2
	nf flush ruleset
	stop_daemon
done
echo >>"$OUT"
echo "Whole run: $(($(date +%s) - T_START)) s." >>"$OUT"
echo >>"$OUT"

cat "$OUT"
