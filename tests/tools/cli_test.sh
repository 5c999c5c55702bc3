#!/usr/bin/env bash
# End-to-end tests of the sbscan command line: exit codes, error reporting, output options.
# Usage: cli_test.sh SBSCAN SBSCAN_GEN SHARED_DIR SOURCE_DIR
set -u
SBSCAN=$1 GEN=$2 SHARED=$3 SOURCE=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name" >&2; fi
}
rc() { "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

# Bundled rules: every embedded example holds.
check "rules check exits 0" test "$(rc "$SBSCAN" rules check)" = 0
check "rules check reports one database" grep -q "compiled into one database" "$tmp/out"
check "rules check reports the deferred patterns" \
  grep -qE "patterns, [1-9][0-9]* of them deferred behind the guards of [1-9][0-9]* rules" "$tmp/out"
check "rules list lists rules" test "$(rc "$SBSCAN" rules list)" = 0
check "rules list has mimikatz" grep -q "^sbscan.cred.mimikatz" "$tmp/out"

# The corpus: alerts for the attack samples, exit 0.
check "corpus scan exits 0" test "$(rc "$SBSCAN" scan --stats "$SHARED/corpus/jsonl")" = 0
for rule in sbscan.cred.mimikatz sbscan.download.webclient sbscan.evasion.defender_disable \
            sbscan.pssuspicious.logged_warning; do
  check "corpus raises $rule" grep -q "\"id\":\"$rule\"" "$tmp/out"
done
check "--stats prints counters" grep -q "^sbscan: records" "$tmp/err"
check "every alert is one line with event.kind alert" \
  test "$(grep -c '"event":{"kind":"alert"' "$tmp/out")" = "$(wc -l < "$tmp/out")"

# No alerts: exit 1. Errors: exit 2 with a message.
printf '{"EventID":4104,"Computer":"H","ScriptBlockId":"a","MessageNumber":1,"MessageTotal":1,"ScriptBlockText":"Get-Date"}\n' > "$tmp/benign.jsonl"
check "benign input exits 1" test "$(rc "$SBSCAN" scan "$tmp/benign.jsonl")" = 1
check "benign input prints nothing" test ! -s "$tmp/out"
check "empty stdin exits 1" test "$(rc "$SBSCAN" scan - < /dev/null)" = 1
check "missing file exits 2" test "$(rc "$SBSCAN" scan "$tmp/nope.jsonl")" = 2
check "missing file is named" grep -q "nope.jsonl" "$tmp/err"
check "bad option exits 2" test "$(rc "$SBSCAN" scan --window 0 "$tmp/benign.jsonl")" = 2
check "bad threshold exits 2" test "$(rc "$SBSCAN" scan --obfuscation-threshold 2 "$tmp/benign.jsonl")" = 2
check "bad size exits 2" test "$(rc "$SBSCAN" scan --max-open-bytes lots "$tmp/benign.jsonl")" = 2

# Malformed lines: reported with file:line and reason, the first --max-errors only, scan goes on.
{ for i in $(seq 1 30); do echo "garbage $i"; done
  printf '{"EventID":4104,"Computer":"H","ScriptBlockId":"b","MessageNumber":1,"MessageTotal":1,"ScriptBlockText":"Invoke-Mimikatz -DumpCreds"}\n'
} > "$tmp/mixed.jsonl"
check "mixed input still alerts" test "$(rc "$SBSCAN" scan --stats --max-errors 5 "$tmp/mixed.jsonl")" = 0
check "malformed line located" grep -q "mixed.jsonl:3: skipped:" "$tmp/err"
check "only the first 5 reported" test "$(grep -c ': skipped:' "$tmp/err")" = 5
check "malformed counted" grep -q "malformed: 30" "$tmp/err"

# -o writes alerts to a file; stdin gives the same alerts as the file.
check "-o exits 0" test "$(rc "$SBSCAN" scan -o "$tmp/alerts.jsonl" "$tmp/mixed.jsonl")" = 0
check "-o leaves stdout empty" test ! -s "$tmp/out"
check "-o file has the alert" grep -q sbscan.cred.mimikatz "$tmp/alerts.jsonl"
"$SBSCAN" scan - < "$tmp/mixed.jsonl" 2>/dev/null | sed 's/"file":"[^"]*"//' | sort > "$tmp/a1"
"$SBSCAN" scan "$tmp/mixed.jsonl" 2>/dev/null | sed 's/"file":"[^"]*"//' | sort > "$tmp/a2"
check "stdin equals file" cmp -s "$tmp/a1" "$tmp/a2"

# Rule errors name file, line and rule id.
cat > "$tmp/broken.yml" <<'YML'
id: t.broken
title: Broken
level: severe
patterns:
  a: x
YML
check "broken rule exits 2" test "$(rc "$SBSCAN" rules check "$tmp/broken.yml")" = 2
check "broken rule located" grep -q "broken.yml:.*t.broken" "$tmp/err"
cat > "$tmp/failing.yml" <<'YML'
id: t.failing
title: Failing example
level: low
patterns:
  a: Invoke-Thing
examples:
  match: ["Invoke-Other"]
  no_match: ["Get-Date"]
YML
check "failing example exits 1" test "$(rc "$SBSCAN" rules check "$tmp/failing.yml")" = 1
check "failing example located" grep -q "failing.yml:[0-9]*: error: rule 't.failing': should match" "$tmp/err"

# The generated sample (what the README runs) raises alerts.
"$GEN" --seed 1 --blocks 200 --hosts 4 -o "$tmp/sample.jsonl"
check "sample scan exits 0" test "$(rc "$SBSCAN" scan "$tmp/sample.jsonl")" = 0
check "sample has technique alerts" grep -q '"id":"sbscan\.\(cred\|download\|evasion\)' "$tmp/out"
# Decoding can be turned off: the encoded-command alert then has no decode path.
check "--no-decode runs" test "$(rc "$SBSCAN" scan --no-decode "$tmp/sample.jsonl")" = 0
check "--no-decode decodes nothing" test "$(grep -c '"decode_path":\[{' "$tmp/out")" = 0

# Every input format gives the same alerts: EVTX (native reader) vs its JSON-lines oracle,
# gzip vs plain, Windows Event XML.
strip() { sed 's/"file":"[^"]*"//; s/"line":[0-9]*,//; s/"offset":[0-9]*,"record_ids"/"record_ids"/' | sort; }
"$SBSCAN" scan "$SHARED/corpus/evtx" 2>/dev/null | strip > "$tmp/evtx.alerts"
"$SBSCAN" scan "$SHARED/corpus/jsonl" 2>/dev/null | strip > "$tmp/jsonl.alerts"
check "evtx alerts equal jsonl alerts" cmp -s "$tmp/evtx.alerts" "$tmp/jsonl.alerts"
check "evtx alerts exist" test "$(wc -l < "$tmp/evtx.alerts")" -gt 100
check "evtx raises 4103 alerts" grep -q '"code":"4103"' "$tmp/evtx.alerts"
gzip -c "$tmp/sample.jsonl" > "$tmp/sample.jsonl.gz"
"$SBSCAN" scan "$tmp/sample.jsonl.gz" 2>/dev/null | strip > "$tmp/gz.alerts"
"$SBSCAN" scan "$tmp/sample.jsonl" 2>/dev/null | strip > "$tmp/plain.alerts"
check "gzip input gives the same alerts" cmp -s "$tmp/gz.alerts" "$tmp/plain.alerts"
cp "$SHARED/formats/event.xml" "$tmp/events.log"  # no telling extension: detected by content
check "xml input exits 0" test "$(rc "$SBSCAN" scan --stats "$tmp/events.log")" = 0
check "xml block reassembled" grep -q '"fragments":{"seen":2,"total":2' "$tmp/out"
check "xml counted as 4104" grep -q "4104: 2," "$tmp/err"
head -c 30000 "$SHARED/corpus/evtx/DeepBlueCLI/evtx/Powershell-Invoke-Obfuscation-many.evtx" > "$tmp/cut.evtx"
check "truncated evtx does not fail the run" test "$(rc "$SBSCAN" scan --stats "$tmp/cut.evtx")" -le 1
check "truncated evtx damage reported with offset" grep -q "cut.evtx@[0-9]*: skipped:" "$tmp/err"

# The obfuscation score: Invoke-Obfuscation output raises the built-in alert, with features;
# --no-obfuscation-score turns it off.
ob="$SHARED/corpus/jsonl/DeepBlueCLI/evtx/Powershell-Invoke-Obfuscation-encoding-menu.jsonl"
check "obfuscation alert on Invoke-Obfuscation" test "$(rc "$SBSCAN" scan "$ob")" = 0
check "obfuscation alert has its features" grep -q '"sbscan.obfuscation.score".*"obfuscation":{"score":' "$tmp/out"
"$SBSCAN" scan --no-obfuscation-score "$ob" > "$tmp/noob" 2>/dev/null
check "--no-obfuscation-score" test "$(grep -c obfuscation.score "$tmp/noob")" = 0

# Sigma rules load next to the bundled ones, in one database; --min-level filters.
check "sigma rules check" test "$(rc "$SBSCAN" rules check --rules "$SHARED/corpus/sigma")" = 0
check "sigma and bundled in one database" grep -q "^286 rules compiled into one database" "$tmp/out"
check "sigma alerts on the corpus" test "$(rc "$SBSCAN" scan --rules "$SHARED/corpus/sigma" "$SHARED/corpus/jsonl")" = 0
check "sigma alert carries its uuid" grep -q '"ruleset":"sigma"' "$tmp/out"
check "--min-level high drops low rules" test "$(rc "$SBSCAN" scan --min-level high "$SHARED/corpus/jsonl")" = 0
check "--min-level high has no low alerts" test "$(grep -c '"level":"low"' "$tmp/out")" = 0
check "--min-level rejects junk" test "$(rc "$SBSCAN" scan --min-level severe "$tmp/benign.jsonl")" = 2

# --field maps an unknown JSON shape.
printf '{"kind":"ps","data":{"id":4104,"host":"X1","sb":{"id":"abc","n":1,"of":1,"text":"Invoke-Mimikatz -DumpCreds"}}}\n' > "$tmp/custom.jsonl"
check "--field maps an unknown shape" test "$(rc "$SBSCAN" scan --field EventID=data.id --field Computer=data.host --field ScriptBlockId=data.sb.id --field MessageNumber=data.sb.n --field MessageTotal=/data/sb/of --field ScriptBlockText=data.sb.text "$tmp/custom.jsonl")" = 0
check "--field alert names the host" grep -q '"host":{"name":"X1"}' "$tmp/out"
check "without --field it is not a 4104" test "$(rc "$SBSCAN" scan "$tmp/custom.jsonl")" = 1
check "--field rejects unknown names" test "$(rc "$SBSCAN" scan --field Bogus=x "$tmp/custom.jsonl")" = 2

# Threads: the same alert set from 1 and 3 workers (order between blocks may differ).
"$SBSCAN" scan -j 1 "$tmp/sample.jsonl" | sort > "$tmp/j1"
"$SBSCAN" scan -j 3 "$tmp/sample.jsonl" | sort > "$tmp/j3"
check "-j 3 gives the alerts of -j 1" cmp -s "$tmp/j1" "$tmp/j3"
check "-j 1 gives alerts" test -s "$tmp/j1"

# --follow: a writer appends, rotates and truncates; alerts come as blocks complete; an idle
# partial block is flushed after --window; SIGTERM ends with the final stats.
ev() {  # ev ID N TOTAL TEXT
  printf '{"EventID":4104,"Computer":"F","ScriptBlockId":"%s","MessageNumber":%s,"MessageTotal":%s,"ScriptBlockText":"%s"}\n' "$1" "$2" "$3" "$4"
}
f="$tmp/follow.jsonl"
ev a 1 1 "Invoke-Mimikatz one" > "$f"
"$SBSCAN" scan --follow --stats --window 1 "$f" > "$tmp/follow.out" 2> "$tmp/follow.err" &
pid=$!
# Polls, so a working build returns at once; the deadline is generous because under ASan
# (tools/scripts/sanitize.sh) compiling the bundled rules at start-up alone takes over 10 s.
WAIT_S=${SBSCAN_TEST_WAIT_S:-120}
wait_in() {  # wait_in FILE PATTERN: up to WAIT_S seconds for PATTERN to appear in FILE
  local deadline=$((SECONDS + WAIT_S))
  while [ "$SECONDS" -lt "$deadline" ]; do grep -q "$2" "$1" && return 0; sleep 0.1; done
  return 1
}
wait_for() { wait_in "$tmp/follow.out" "$1"; }  # wait_for PATTERN: in the alerts
check "follow: existing content" wait_for '"script_block_id":"a"'
printf '%s' "$(ev b 1 1 'Invoke-Mimikatz two')" >> "$f"; sleep 0.5; printf '\n' >> "$f"
check "follow: appended line" wait_for '"script_block_id":"b"'
mv "$f" "$f.1"; ev c 1 1 "Invoke-Mimikatz three" > "$f"
check "follow: after rotation" wait_for '"script_block_id":"c"'
: > "$f"; ev d 1 1 "Invoke-Mimikatz four" >> "$f"
check "follow: after truncation" wait_for '"script_block_id":"d"'
ev e 1 2 "Invoke-Mimikatz five" >> "$f"
check "follow: idle partial block flushed" wait_for '"script_block_id":"e".*"partial_cause":"evicted-window"'
kill -TERM "$pid"; wait "$pid"; code=$?
check "follow: SIGTERM exits 0 (alerts)" test "$code" = 0
check "follow: final stats" grep -q "^sbscan: records 5" "$tmp/follow.err"
check "follow: one alert per block" test "$(grep -c . "$tmp/follow.out")" = 5

# Detection engineer workflow (issue 6): lint, strict, JSON list, explain, include/exclude,
# summary, SIGHUP reload.
cat > "$tmp/lint.yml" <<'YML'
id: t.short
title: Short literal
level: low
patterns:
  a: 'iex'
  b: {regex: '\w+=\d+'}
examples:
  match: ["iex x"]
YML
check "lint: warnings alone exit 0" test "$(rc "$SBSCAN" rules check "$tmp/lint.yml")" = 0
check "lint: short literal located" grep -q "lint.yml:5: warning: rule 't.short': pattern 'a': literal of 3 bytes" "$tmp/err"
check "lint: regex without prefilter located" grep -q "lint.yml:6: warning: rule 't.short': pattern 'b': regex without a literal" "$tmp/err"
check "lint: --strict makes warnings fail" test "$(rc "$SBSCAN" rules check --strict "$tmp/lint.yml")" = 1
check "lint: bundled rules have no example failures" test "$(rc "$SBSCAN" rules check)" = 0
check "lint: --corpus measures noisy rules" test "$(rc "$SBSCAN" rules check --corpus "$SOURCE/tests/golden/encoded_command.jsonl" --noisy-percent 1 "$tmp/lint.yml")" = 0
check "lint: --corpus reports the corpus" grep -q "^corpus: " "$tmp/out"
cp "$SHARED/corpus/sigma/rules/windows/powershell/powershell_script/posh_ps_susp_new_psdrive.yml" "$tmp/sigma_dup1.yml"
cp "$tmp/sigma_dup1.yml" "$tmp/sigma_dup2.yml"
check "lint: duplicate Sigma id is an error" test "$(rc "$SBSCAN" rules check "$tmp/sigma_dup1.yml" "$tmp/sigma_dup2.yml")" = 2
check "lint: duplicate Sigma id located" grep -q "sigma_dup2.yml:[0-9]*: .*duplicate" "$tmp/err"

check "rules list --json" test "$(rc "$SBSCAN" rules list --json)" = 0
check "rules list --json: one valid object per rule" python3 -c '
import json, sys
rules = [json.loads(l) for l in open(sys.argv[1])]
assert len(rules) > 100 and all(r["id"] and r["patterns"] and r["file"] and r["line"] > 0 for r in rules)
' "$tmp/out"

check "explain exits 0 on an alert" test "$(rc "$SBSCAN" explain --rules "$SOURCE/tests/golden/rules.yml" "$SOURCE/tests/golden/encoded_command.jsonl")" = 0
check "explain: rule, condition, match and decode path" grep -q "FIRED golden.mimikatz (high)" "$tmp/out"
check "explain: match with layer and offset" grep -q "invoke: text layer 2 offset 0 length 15 fragment 1" "$tmp/out"
check "explain: decode path" grep -q "layer 2 = base64 (utf8) of layer 1 bytes \[129, 165)" "$tmp/out"
check "explain: near miss shown" grep -q "^  no    .*condition did not hold" "$tmp/out"
check "explain --json: near misses flagged" test "$(rc "$SBSCAN" explain --json "$SOURCE/tests/golden/encoded_command.jsonl")" = 0
check "explain --json: condition_held false present" grep -q '"condition_held":false' "$tmp/out"

sig="$SHARED/corpus/sigma"
check "include: only Sigma T1059" test "$(rc "$SBSCAN" rules list --rules "$sig" --include 'attack.t1059*' --include 'sbscan.cred.*')" = 0
check "include: every listed rule matches" python3 -c '
import sys
lines = [l.split("\t") for l in open(sys.argv[1])]
assert lines and any(l[0].startswith("sigma.") for l in lines), lines[:3]
assert all(l[0].startswith("sbscan.cred.") or "T1059" in l[4] for l in lines), lines
' "$tmp/out"
n_all=$("$SBSCAN" rules list | wc -l)
n_excl=$("$SBSCAN" rules list --exclude 'sbscan.cred.*' | wc -l)
check "exclude drops rules" test "$n_excl" -lt "$n_all"

check "summary exits like scan" test "$(rc "$SBSCAN" scan --summary "$SOURCE/tests/golden/encoded_command.jsonl")" = 0
check "summary: header with blocks and rules" grep -q "^sbscan: summary: [0-9]* blocks scanned, [0-9]* rules: [0-9]* fired" "$tmp/err"
check "summary: per-rule count" grep -Eq "^ +1  high +sbscan.cred.mimikatz" "$tmp/err"
check "summary: rules that never fired listed" grep -Eq "^ +0  " "$tmp/err"

# SIGHUP in --follow: a good new rule set is swapped in, a broken one rejected.
rdir="$tmp/reload"; mkdir -p "$rdir"
cat > "$rdir/r.yml" <<'YML'
id: t.first
title: First
level: high
patterns: {a: AlphaMarker}
YML
f2="$tmp/follow2.jsonl"
ev r1 1 1 "AlphaMarker BetaMarker" > "$f2"
"$SBSCAN" scan --follow --no-bundled --no-obfuscation-score --rules "$rdir" "$f2" > "$tmp/follow.out" 2> "$tmp/reload.err" &
pid=$!
check "reload: first rules fire" wait_for '"id":"t.first"'
sed -i 's/t.first/t.second/; s/AlphaMarker/BetaMarker/' "$rdir/r.yml"
kill -HUP $pid
wait_in "$tmp/reload.err" "rules reloaded"
check "reload: reported" grep -q "SIGHUP: rules reloaded: 1 rules" "$tmp/reload.err"
ev r2 1 1 "AlphaMarker BetaMarker" >> "$f2"
check "reload: new rules fire" wait_for '"script_block_id":"r2".*"id":"t.second"\|"id":"t.second".*"script_block_id":"r2"'
echo "this: [is: not a rule" > "$rdir/r.yml"
kill -HUP $pid
wait_in "$tmp/reload.err" "rejected"
check "reload: broken set rejected" grep -q "SIGHUP: new rules rejected; still running the previous 1 rules" "$tmp/reload.err"
ev r3 1 1 "BetaMarker again" >> "$f2"
check "reload: old rules kept" wait_for '"script_block_id":"r3"'
kill -TERM $pid; wait $pid

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
