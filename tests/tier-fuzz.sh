#!/bin/bash
# Fuzz regression tier: builds the libFuzzer targets (tests/fuzz, clang with
# ASan+UBSan+LeakSanitizer) into build-fuzz-tier/, replays every minimised
# reproducer in tests/fuzz/regress/ through fuzz_parser (parse, evaluate,
# print) and fuzz_lower (parse, evaluate, lowering), then fuzzes
# fuzz_parser for FUZZ_SMOKE seconds (default 60, less when a slow build
# would push the tier past 3 minutes) from the corpora seeds.
# Any crash, leak or sanitizer report fails. Skips when clang or its fuzzer
# runtime is absent. FUZZ_SEED picks the smoke run's seed (default 1).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/build-fuzz-tier
smoke=${FUZZ_SMOKE:-60}
seed=${FUZZ_SEED:-1}
pass=0
fail=0
skip=0
start=$SECONDS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

result() { # name, rc, log
	if [ "$2" -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS $1"
	else
		fail=$((fail + 1))
		echo "FAIL $1"
		grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9] ' "$3" | head -20
	fi
}

if ! command -v clang >/dev/null ||
	! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
		clang -fsanitize=fuzzer,address,undefined -x c - -o "$tmp/probe" 2>/dev/null; then
	echo "SKIP clang with the libFuzzer runtime not available"
	echo "fuzz: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

if ! make -s -C tests/fuzz -j2 O="$out" all >"$tmp/build.log" 2>&1; then
	tail -30 "$tmp/build.log"
	echo "FAIL build"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
echo "built in $((SECONDS - start)) s"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
for f in tests/fuzz/regress/*; do
	[ -f "$f" ] || continue
	for t in fuzz_parser fuzz_lower; do
		timeout 60 "$out/$t" -runs=2 "$f" >"$tmp/run.log" 2>&1
		result "$t $(basename "$f")" $? "$tmp/run.log"
	done
done

# Smoke: seeds from the corpora (or the reproducers alone without them).
seeds=$tmp/seeds
if ! tests/fuzz/make-seeds.sh "$seeds" >/dev/null 2>&1 || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
	mkdir -p "$seeds"
	cp tests/fuzz/regress/* "$seeds"/ 2>/dev/null
fi
mkdir -p "$tmp/corpus" "$tmp/art"
# Keep the tier under 3 minutes on a loaded machine: a slow build shortens
# the smoke run (never below 20 s); FUZZ_SMOKE set explicitly is kept.
if [ -z "${FUZZ_SMOKE:-}" ] && [ $((SECONDS - start + smoke)) -gt 160 ]; then
	smoke=$((160 - (SECONDS - start)))
	[ "$smoke" -lt 20 ] && smoke=20
fi
timeout $((smoke + 60)) "$out/fuzz_parser" -seed="$seed" -max_total_time="$smoke" -max_len=4096 -dict=tests/fuzz/nft.dict \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$tmp/art/" \
	"$tmp/corpus" "$seeds" >"$tmp/smoke.log" 2>&1
rc=$?
grep -E '^stat::(number_of_executed_units|new_units_added)' "$tmp/smoke.log" | tr '\n' ' '
echo
if [ "$rc" -ne 0 ]; then
	for a in "$tmp"/art/*; do
		[ -f "$a" ] && cp "$a" "$out/" && echo "artifact kept: $out/$(basename "$a")"
	done
fi
result "fuzz_parser smoke ${smoke}s seed $seed" $rc "$tmp/smoke.log"

echo "tier time $((SECONDS - start)) s"
echo "fuzz: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
