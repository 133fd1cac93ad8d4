#!/bin/bash
# Seed corpus for the parser fuzzer from the upstream vectors: every shell
# dump as is, and every tests/py rule line wrapped in a table/chain.
set -eu
out=$1
corp=${BNFT_CORPORA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpora}
mkdir -p "$out"
[ -d "$corp" ] || { echo "no corpora at $corp: empty seed set"; exit 0; }
n=0
for f in "$corp"/nftables/tests/shell/testcases/*/dumps/*.nft; do
	cp "$f" "$out/dump-$n.nft"; n=$((n + 1))
done
for t in "$corp"/nftables/tests/py/*/*.t; do
	fam=$(grep -m1 '^\*' "$t" | cut -c2- | cut -d';' -f1)
	grep -vE '^[#:*!?%]|^- |^$' "$t" | cut -d';' -f1 | while IFS= read -r rule; do
		printf 'table %s t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t\t%s\n\t}\n}\n' \
			"${fam:-ip}" "$rule" >"$out/rule-$RANDOM$RANDOM.nft"
	done
done
echo "seeds: $(ls "$out" | wc -l) files in $out"
