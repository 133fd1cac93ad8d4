#!/bin/bash
# Tier "payload": the lowering against upstream nftables tests/py payload
# files (*.t.payload*). tests/tools/payload-check builds every "rule;ok" of
# every *.t file through parse + evaluate + lower and compares the
# --debug=netlink print with the payload entry nft-test.py would use.
#
# Counting: the closing line counts these checks: payload-check ran through
# every file without crashing; >= 95% of all payload entries are identical
# (the team target); >= 95% of the tests/shell dumps the front end accepts
# lower without error; and, as root with iproute2, >= 95% of the lowered
# rule contexts and of the lowered dumps are accepted by the kernel's
# nf_tables when sent as one batch in a network namespace this script
# creates and removes (skipped otherwise; misses come mostly from kernel
# modules absent here and are logged). The exact entry counts, overall and per .t
# file (files below 95% marked), are printed above it. Mismatches and the
# errors behind them: build/payload.log.
set -u
cd "$(dirname "$0")/.."
CORP="${BNFT_CORPORA:-$(cd .. && pwd)/shared/corpora}"
PY="$CORP/nftables/tests/py"
BUILD="${BNFT_BUILD:-${BUILD:-build}}"
BIN="$BUILD/tests/payload-check"
THRESH="${BNFT_PAYLOAD_THRESHOLD:-95}"

if [ ! -d "$PY" ]; then
	echo "payload: corpora not found ($PY), skipping"
	echo "payload: 0 passed, 0 failed, 2 skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "payload: $BIN not built"
	echo "payload: 0 passed, 2 failed"
	exit 1
fi
mkdir -p "$BUILD"
LOG="$BUILD/payload.log"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 600 "$BIN" -l "$LOG" "$PY"/*/*.t >"$out" 2>&1
rc=$?
if ! grep -q '^total: ' "$out"; then
	cat "$out" | tail -5
	echo "payload-check did not finish (rc $rc)"
	echo "payload: 0 passed, 2 failed"
	exit 1
fi

below=0
while read -r name p f s; do
	n=$((p + f))
	[ "$n" -eq 0 ] && continue
	pct=$((100 * p / n))
	mark=ok
	if [ $((100 * p)) -lt $((THRESH * n)) ]; then
		mark=LOW; below=$((below + 1))
	fi
	printf '  %-4s %-40s %4d/%-4d entries (%d%%)\n' "$mark" "${name#$PY/}" "$p" "$n" "$pct"
done < <(grep -E '^/.*\.t: ' "$out" | sed -E 's/^(.*): ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3 \4/')

read -r tp tf ts < <(grep '^total: ' "$out" | sed -E 's/^total: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
tn=$((tp + tf))
cp=1; cf=0
if [ "$tn" -gt 0 ] && [ $((100 * tp)) -ge $((THRESH * tn)) ]; then
	cp=$((cp + 1))
else
	cf=$((cf + 1))
fi
if [ "$tn" -gt 0 ]; then
	echo "payload entries: $tp identical, $tf different, $ts without rule/entry pair; $((1000 * tp / tn / 10)).$((1000 * tp / tn % 10))% identical (target ${THRESH}%); $below files below ${THRESH}%"
fi

# The CLI: `bnft -c -d netlink` prints the rules' expression lists like the
# real nft (its rule lines; nft 1.0.6 adds "(null)" table/chain lines and
# prints set elements in its older format, so set lines are left out).
if [ "$(id -u)" = 0 ] && command -v nft >/dev/null && [ -x "$BUILD/bnft" ]; then
	dns=bnft-payload-dbg-$$
	ip netns add "$dns"
	dbad=""
	for f in tests/diff/rulesets/07-tcp-dport.nft tests/diff/rulesets/31-concat-anon.nft \
		tests/diff/rulesets/56-header-fields.nft tests/diff/rulesets/16-iifname.nft; do
		filt() { grep -E '^  \[|^(ip|ip6|inet|netdev|arp|bridge) [^ ]+ [^ ]+$' | grep -v '(null)'; }
		a=$("$BUILD/bnft" -c -d netlink -f "$f" 2>&1 | filt)
		b=$(ip netns exec "$dns" nft -c -d netlink -f "$f" 2>&1 | filt)
		if [ -z "$a" ] || [ "$a" != "$b" ]; then dbad="$dbad ${f##*/}"; fi
	done
	ip netns del "$dns"
	if [ -z "$dbad" ]; then
		echo "bnft -c -d netlink: rule expression lists equal nft's (4 rulesets; ranges are left out: nft 1.0.6 lowers them to two cmp)"
		cp=$((cp + 1))
	else
		echo "FAIL bnft -c -d netlink differs from nft on:$dbad"
		cf=$((cf + 1))
	fi
fi

# Whole rulesets: every tests/shell dump the front end accepts must lower.
DUMPS=$(ls "$CORP"/nftables/tests/shell/testcases/*/dumps/*.nft 2>/dev/null)
if [ -n "$DUMPS" ]; then
	dout=$("$BIN" -d -l "$BUILD/payload-dumps.log" $DUMPS | grep '^dumps: ')
	dl=$(sed -E 's/^dumps: ([0-9]+) lowered.*/\1/' <<<"$dout")
	de=$(sed -E 's/.* ([0-9]+) lowering errors.*/\1/' <<<"$dout")
	echo "shell dumps: $dl lowered, $de with constructs the lowering refuses ($BUILD/payload-dumps.log)"
	if [ -n "$dl" ] && [ -n "$de" ] && [ $((100 * dl)) -ge $((THRESH * (dl + de))) ]; then
		cp=$((cp + 1))
	else
		cf=$((cf + 1))
	fi
fi

# Kernel acceptance of the lowered IR, in a private netns.
cs=0
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1; then
	ns="bnft-payload-$$"
	klog="$BUILD/payload-kernel.log"
	if ip netns add "$ns" 2>/dev/null; then
		trap 'ip netns del "$ns" 2>/dev/null; rm -f "$out"' EXIT
		kout=$(BNFT_NETNS="$ns" timeout 600 ip netns exec "$ns" "$BIN" -k -l "$klog" "$PY"/*/*.t 2>/dev/null | grep '^kernel: ')
		[ -n "$DUMPS" ] && dkout=$(BNFT_NETNS="$ns" timeout 300 ip netns exec "$ns" "$BIN" -d -k \
			-l "$BUILD/payload-dumps-kernel.log" $DUMPS 2>/dev/null | grep '^dumps: ')
		ip netns del "$ns" 2>/dev/null
		if [ -n "${dkout:-}" ]; then
			dka=$(sed -E 's/.*kernel: ([0-9]+) accepted.*/\1/' <<<"$dkout")
			dkr=$(sed -E 's/.* ([0-9]+) rejected$/\1/' <<<"$dkout")
			echo "shell dumps in the kernel: $dka accepted, $dkr rejected"
			if [ $((100 * dka)) -ge $((THRESH * (dka + dkr))) ]; then
				cp=$((cp + 1))
			else
				cf=$((cf + 1))
			fi
		fi
		ka=$(sed -E 's/^kernel: ([0-9]+) accepted.*/\1/' <<<"$kout")
		kr=$(sed -E 's/.* ([0-9]+) rejected.*/\1/' <<<"$kout")
		krb=$(sed -E 's/.*read back: //' <<<"$kout")
		if [ -n "$ka" ] && [ -n "$kr" ] && [ $((ka + kr)) -gt 0 ]; then
			echo "kernel: $ka lowered contexts accepted, $kr rejected; rules read back from the kernel: $krb ($klog; differences are mostly the kernel's own defaults: nat addr_max/flags, log level)"
			if [ $((100 * ka)) -ge $((THRESH * (ka + kr))) ]; then
				cp=$((cp + 1))
			else
				cf=$((cf + 1))
			fi
		else
			echo "kernel check did not finish"
			cf=$((cf + 1))
		fi
	else
		cs=1
	fi
else
	cs=1
fi
echo "payload: $cp passed, $cf failed, $cs skipped"
[ "$cf" -eq 0 ]
