#!/bin/bash
# Seed corpus for the fuzzers from the upstream vectors: every shell dump as
# is, and every tests/py rule line wrapped in a table/chain of the file's
# first family (one awk per .t file: few processes, seconds even on a busy box).
set -eu
out=$1
corp=${BNFT_CORPORA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpora}
mkdir -p "$out"
[ -d "$corp" ] || { echo "no corpora at $corp: empty seed set"; exit 0; }
n=0
for f in "$corp"/nftables/tests/shell/testcases/*/dumps/*.nft; do
	[ -f "$f" ] || continue
	cp "$f" "$out/dump-$n.nft"
	n=$((n + 1))
done
for t in "$corp"/nftables/tests/py/*/*.t; do
	[ -f "$t" ] || continue
	base=$(basename "$(dirname "$t")")-$(basename "$t" .t)
	awk -v out="$out/rule-$base" '
		/^\*/ && fam == "" { fam = substr($0, 2); sub(/;.*/, "", fam) }
		/^[#:*!?%]/ || /^- / || /^$/ { next }
		{
			rule = $0; sub(/;.*/, "", rule)
			f = out "-" NR ".nft"
			printf "table %s t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\t%s\n\t}\n}\n", \
				(fam == "" ? "ip" : fam), rule > f
			close(f)
		}' "$t"
done
echo "seeds: $(ls "$out" | wc -l) files in $out"
