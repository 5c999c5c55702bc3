#!/usr/bin/env bash
# `sbscan bench` baselines: every baseline is printed with MB/s and a ratio (text and --json);
# ripgrep / YARA are timed when on PATH and reported as skipped (never an error) when not;
# --no-external and --no-baselines leave them out.
# Usage: bench_test.sh SBSCAN SBSCAN_GEN
set -euo pipefail
sbscan=$1
gen=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$gen" --seed 5 --blocks 300 --hosts 2 > "$tmp/corpus.jsonl"

out=$("$sbscan" bench "$tmp/corpus.jsonl" --repeat 1)
echo "$out"
for label in "read only" "parse only" "parse + scan" "scan only"; do
  grep -Eq "^  $(printf '%s' "$label" | sed 's/+/\\+/') +: +[0-9.]+ MB/s  ratio +[0-9.]+  \(" <<<"$out" ||
    fail "no '$label' baseline line"
done
for tool in rg yara; do
  name=$([ $tool = rg ] && echo ripgrep || echo yara)
  if command -v $tool >/dev/null && { [ $tool = rg ] || command -v yarac >/dev/null; }; then
    grep -Eq "^  $name +: +[0-9.]+ MB/s  ratio +[0-9.]+  \(.*[0-9]+ of [0-9]+ patterns" <<<"$out" ||
      fail "no timed $name baseline"
  else
    grep -q "^  $name *: skipped: $tool not found" <<<"$out" || fail "$name not reported as skipped"
  fi
done

# Without the tools on PATH: skipped, exit 0.
out=$(PATH=/nonexistent "$sbscan" bench "$tmp/corpus.jsonl" --repeat 1) || fail "bench failed without rg"
grep -q "^  ripgrep *: skipped: rg not found$" <<<"$out" || fail "rg not reported as not found"
grep -q "^  yara *: skipped: yara not found$" <<<"$out" || fail "yara not reported as not found"

out=$("$sbscan" bench "$tmp/corpus.jsonl" --repeat 1 --no-external)
grep -q "scan only" <<<"$out" || fail "--no-external dropped the internal baselines"
! grep -Eq "ripgrep|yara" <<<"$out" || fail "--no-external still ran rg / yara"

out=$("$sbscan" bench "$tmp/corpus.jsonl" --repeat 1 --no-baselines)
! grep -q "baselines" <<<"$out" || fail "--no-baselines still printed baselines"

# --json: one object; the baselines in order, each measured (mb_per_s, ratio) or skipped; the
# external ones with their pattern counts and left-out reasons.
"$sbscan" bench "$tmp/corpus.jsonl" --repeat 1 --json --baseline-dir "$tmp/patterns" > "$tmp/b.json"
python3 - "$tmp/b.json" <<'PY'
import json, shutil, sys
b = json.load(open(sys.argv[1]))
names = [x["name"] for x in b["baselines"]]
assert names == ["read", "parse", "parse_scan", "scan", "ripgrep", "yara"], names
for x in b["baselines"]:
    if "skipped" in x:
        assert x["name"] in ("ripgrep", "yara"), x
        continue
    assert x["mb_per_s"] > 0 and x["ratio"] > 0 and x["seconds"] > 0, x
    if x["name"] in ("ripgrep", "yara"):
        assert x["patterns"] + x["left_out"] == x["patterns_total"] > 0, x
        assert sum(x["left_out_reasons"].values()) == x["left_out"], x
        assert x["command"] and x["version"], x
tools = {"ripgrep": shutil.which("rg"), "yara": shutil.which("yara") and shutil.which("yarac")}
for x in b["baselines"][4:]:
    assert ("skipped" in x) == (not tools[x["name"]]), x
assert b["ratio_reference_threads"] == 1
PY
if command -v rg >/dev/null; then
  [ -s "$tmp/patterns/patterns.rg" ] || fail "--baseline-dir: no patterns.rg kept"
fi
echo "bench_test: OK"
