#!/bin/bash
# make bench: bnft against the kernel's nftables, side by side in one run,
# as ../shared/BENCH.md describes. Writes bench/results.md and bench/cost.png.
#
#   bench/run.sh [--quick]        (--quick: sizes up to 10k, fewer repeats)
#
# (a) per-packet cost of the generated programs (BPF_PROG_TEST_RUN, ns/packet
#     = wall time / repeat) and verified instructions against rule count,
#     probes hitting the first, middle and last rule and none;
# (b) packets per second through a veth pair: kernel nftables netdev ingress
#     chain against bnft on TC ingress, same ruleset, same packets
#     (trafgen: non-linear skbs), pinned to one CPU;
# (c) load time: `nft -f` against `bnft -f` (rules and large sets), and
#     `list ruleset` for both.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BNFT=$ROOT/build/bnft
BENCH=$ROOT/build/tests/bnft-bench
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
CPU=${BENCH_CPU:-1}
OUT=$ROOT/bench/results.md
TMP=$(mktemp -d /tmp/bnft-bench.XXXXXX)
NS_A=bnft-bench-a-$$
NS_B=bnft-bench-b-$$
PINFS=/run/bnft-bench-$$
cleanup() {
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	umount "$PINFS" 2>/dev/null
	rmdir "$PINFS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

command -v gnuplot >/dev/null || { apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 || true; }
command -v trafgen >/dev/null || { apt-get install -y -qq netsniff-ng >/dev/null 2>&1 || true; }
[ -x "$BENCH" ] && [ -x "$BNFT" ] || { echo "build first: make"; exit 1; }

if [ $QUICK = 1 ]; then SIZES="10 100 1000 10000"; REP=20000; else SIZES="10 100 1000 10000 100000"; REP=100000; fi
FAMILIES="hosts prefixes ports mixed set"

probes() { # family n -> --pkt args: first, middle, last rule, no match
	local p
	for p in $(python3 bench/gen_ruleset.py "$1" "$2" --hook input --probes); do
		printf -- '--pkt %s ' "$p"
	done
}

echo "# bnft benchmarks" >"$OUT"
echo >>"$OUT"
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPUs, kernel $(uname -r), nft $(nft --version | cut -d' ' -f2), CPU $CPU pinned." >>"$OUT"
echo >>"$OUT"

# ---------------------------------------------------------------- (a)
echo "## (a) Per-packet cost of the generated programs (BPF_PROG_TEST_RUN)" >>"$OUT"
echo >>"$OUT"
echo "ns/packet, median over the probes (first, middle, last rule, no match); verified instructions in brackets." >>"$OUT"
echo >>"$OUT"
printf '| rules |' >>"$OUT"
for f in $FAMILIES; do printf ' %s |' "$f" >>"$OUT"; done
printf '\n|---|' >>"$OUT"
for f in $FAMILIES; do printf -- '---|' >>"$OUT"; done
echo >>"$OUT"
: >"$TMP/cost.dat"
for n in $SIZES; do
	printf '| %s |' "$n" >>"$OUT"
	row="$n"
	for f in $FAMILIES; do
		python3 bench/gen_ruleset.py "$f" "$n" --hook input >"$TMP/r.nft"
		# shellcheck disable=SC2046
		res=$(timeout 600 taskset -c "$CPU" "$BENCH" "$TMP/r.nft" --repeat "$REP" $(probes "$f" "$n") 2>&1)
		if ! grep -q ns_per_packet <<<"$res"; then
			printf ' fails: %s |' "$(tail -1 <<<"$res" | cut -c1-60)" >>"$OUT"
			row="$row NaN"
			continue
		fi
		med=$(grep -oE 'ns_per_packet [0-9.]+' <<<"$res" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		ver=$(grep -oE '^verified_insns [0-9]+' <<<"$res" | awk '{print $2}')
		printf ' %s [%s] |' "$med" "$ver" >>"$OUT"
		row="$row $med"
		echo "cost $f $n: $med ns/packet, $ver verified insns" >&2
	done
	echo >>"$OUT"
	echo "$row" >>"$TMP/cost.dat"
done
echo >>"$OUT"

if command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set terminal png size 900,560
set output "$ROOT/bench/cost.png"
set title "bnft: ns per packet (BPF_PROG_TEST_RUN) against rule count"
set logscale xy
set xlabel "rules"
set ylabel "ns/packet"
set key left top
plot for [i=2:$(($(wc -w <<<"$FAMILIES") + 1))] "$TMP/cost.dat" using 1:i with linespoints title word("$FAMILIES", i-1)
EOF
	echo "![cost against rule count](cost.png)" >>"$OUT"
	echo >>"$OUT"
fi

# ---------------------------------------------------------------- (b)
echo "## (b) Packets per second through a veth pair (trafgen, non-linear skbs, CPU $CPU)" >>"$OUT"
echo >>"$OUT"
echo "Receiver-side count of UDP datagrams that reached the stack, medians of paired runs (no ruleset, nft, bnft back to back). The ruleset is a netdev ingress chain on the receiving veth for nft and the same file loaded by bnft (TC ingress); no rule matches the traffic, so every rule is evaluated." >>"$OUT"
echo >>"$OUT"
echo "| ruleset | no ruleset | nft | bnft | bnft / nft |" >>"$OUT"
echo "|---|---|---|---|---|" >>"$OUT"
if [ $QUICK = 1 ]; then PPS="hosts:10 hosts:1000 set:1000"; else PPS="hosts:10 hosts:1000 hosts:10000 set:10000"; fi
for spec in $PPS; do
	res=$(timeout 900 bench/pps.sh "${spec%%:*}" "${spec#*:}" $([ $QUICK = 1 ] && echo "1 2" || echo "5 3") 2>&1 | tail -1)
	echo "$res" >&2
	set -- $res
	if [ "${1:-}" = pps ]; then
		echo "| $2 $3 | $5 | $7 | $9 | $(awk -v a="$7" -v b="$9" 'BEGIN { if (a > 0) printf "%.1f", b / a; else print "n/a" }') |" >>"$OUT"
	else
		echo "| ${spec/:/ } | failed: $res | | | |" >>"$OUT"
	fi
done
echo >>"$OUT"

# ---------------------------------------------------------------- (c)
echo "## (c) Load and list times (wall clock, median of 3)" >>"$OUT"
echo >>"$OUT"
mkdir -p "$PINFS" && mount -t bpf bpf "$PINFS"
ip netns add "$NS_A"
ip netns add "$NS_B"
ip -n "$NS_A" link set lo up
ip -n "$NS_B" link set lo up
med3() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # command... -> seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$TMP/err" || { echo fail; return; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l | awk '{printf "%.3f\n", $1}'
}
echo "| ruleset | nft -f (s) | bnft -f (s) | ratio | nft list (s) | bnft list (s) |" >>"$OUT"
echo "|---|---|---|---|---|---|" >>"$OUT"
if [ $QUICK = 1 ]; then LOADS="hosts:10000 elems:100000"; else LOADS="hosts:10000 hosts:100000 elems:100000 elems:1000000"; fi
for spec in $LOADS; do
	kind=${spec%%:*}
	n=${spec#*:}
	python3 bench/gen_ruleset.py "$kind" "$n" --hook input >"$TMP/l.nft"
	sed -i 's/hook ingress device "veth-b"/hook input/; s/table netdev/table inet/' "$TMP/l.nft"
	nl=() bl=() nls=() bls=()
	for r in 1 2 3; do
		ip netns exec "$NS_A" nft flush ruleset
		nl+=("$(timeit ip netns exec "$NS_A" nft -f "$TMP/l.nft")")
		nls+=("$(timeit ip netns exec "$NS_A" nft list ruleset)")
		ip netns exec "$NS_B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1
		bl+=("$(timeit ip netns exec "$NS_B" "$BNFT" --pin-root "$PINFS/b" -f "$TMP/l.nft")")
		[ "${bl[-1]}" = fail ] && echo "bnft -f $kind $n: $(head -c 300 "$TMP/err")" >&2
		bls+=("$(timeit ip netns exec "$NS_B" "$BNFT" --pin-root "$PINFS/b" list ruleset)")
	done
	a=$(printf '%s\n' "${nl[@]}" | med3)
	b=$(printf '%s\n' "${bl[@]}" | med3)
	c=$(printf '%s\n' "${nls[@]}" | med3)
	d=$(printf '%s\n' "${bls[@]}" | med3)
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", b / a; else print "n/a" }')
	echo "| $kind $n | $a | $b | $ratio | $c | $d |" >>"$OUT"
	echo "load $kind $n: nft $a s, bnft $b s; list nft $c s, bnft $d s" >&2
done
echo >>"$OUT"
echo "ratio = bnft time / nft time (lower is better). bnft -f includes parse, evaluate, lower, compile, verifier and the atomic swap; the first load in a namespace also loads the fixed entry programs (about 0.7 s)." >>"$OUT"
echo >>"$OUT"
ip netns exec "$NS_B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1

cat "$OUT"
