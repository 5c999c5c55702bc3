#!/usr/bin/env bash
# End-to-end: a real rsyslogd (foreground, own config, pid file and work directory under a temp
# dir) receives Winlogbeat-shaped 4104 records from a tailed file (imfile) and over TCP on
# 127.0.0.1 (imtcp, random port), pipes them through omprog to `sbscan scan -` using
# tools/forwarder/rsyslog-sbscan.conf, and the alerts written by sbscan are checked.
# Usage: rsyslog_test.sh SBSCAN_BINARY SOURCE_DIR. Exits 77 (skipped) when rsyslogd is absent.
set -euo pipefail
sbscan=$(readlink -f "$1")
src=$(cd "$2" && pwd)
rsyslogd=$(command -v rsyslogd || true)
[ -n "$rsyslogd" ] || [ ! -x /usr/sbin/rsyslogd ] || rsyslogd=/usr/sbin/rsyslogd
if [ -z "$rsyslogd" ]; then
  echo "SKIP: rsyslogd not installed (apt-get install rsyslog; tools/scripts/setup.sh does)"
  exit 77
fi
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/work" "$tmp/in"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s|@SBSCAN@|$sbscan|" -e "s|@ALERTS@|$tmp/alerts.jsonl|" -e "s|@STDERR_LOG@|$tmp/sbscan.log|" \
    -e "s|@TCP_ADDRESS@|127.0.0.1|" -e "s|@TCP_PORT@|$port|" -e "s|@JSONL_GLOB@|$tmp/in/*.jsonl|" \
    "$src/tools/forwarder/rsyslog-sbscan.conf" > "$tmp/body.conf"
{
  echo "global(workDirectory=\"$tmp/work\")"
  cat "$tmp/body.conf"
} > "$tmp/rsyslog.conf"

rec() {  # host id n total text
  printf '{"@timestamp":"2024-03-05T14:22:07.452Z","event":{"code":"4104","provider":"Microsoft-Windows-PowerShell"},"host":{"name":"%s"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","computer_name":"%s","event_id":"4104","provider_name":"Microsoft-Windows-PowerShell","record_id":%s,"event_data":{"MessageNumber":"%s","MessageTotal":"%s","ScriptBlockId":"%s","ScriptBlockText":"%s"}}}\n' "$1" "$1" "$RANDOM" "$3" "$4" "$2" "$5"
}
pad=$(head -c 12000 /dev/zero | tr '\0' 'x')  # records larger than rsyslog's 8 KB default
# File input: a complete 1-of-1 block, a 3-fragment block with the signature cut across
# fragments 2/3 and fragments out of order, a benign block, and a block missing fragment 2.
{
  rec FILEHOST aaaaaaaa-0000-4000-8000-000000000001 1 1 "Invoke-Mimikatz -DumpCreds # $pad"
  rec FILEHOST aaaaaaaa-0000-4000-8000-000000000002 3 3 'mikatz -Command privilege::debug'
  rec FILEHOST aaaaaaaa-0000-4000-8000-000000000002 1 3 "# $pad"
  rec FILEHOST aaaaaaaa-0000-4000-8000-000000000003 1 1 'Get-ChildItem C:\\\\Temp | Sort-Object Length'
  rec FILEHOST aaaaaaaa-0000-4000-8000-000000000002 2 3 'Write-Host x; Invoke-Mi'
  rec FILEHOST aaaaaaaa-0000-4000-8000-000000000004 1 2 'Invoke-Mimikatz -DumpCreds'
} > "$tmp/in/winlogbeat.jsonl"

"$rsyslogd" -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslogd.pid" > "$tmp/rsyslogd.out" 2>&1 &
pid=$!

# TCP input, once the listener is up.
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done
{
  rec TCPHOST bbbbbbbb-0000-4000-8000-000000000001 2 2 "katz -DumpCreds # $pad"
  rec TCPHOST bbbbbbbb-0000-4000-8000-000000000001 1 2 'IEX x; Invoke-Mimi'
} > "$tmp/tcp.jsonl"
exec 3<>/dev/tcp/127.0.0.1/"$port"
cat "$tmp/tcp.jsonl" >&3
exec 3>&-

# Complete blocks alert while rsyslog runs (3 expected: two from the file, one over TCP).
for _ in $(seq 1200); do  # up to 120 s: polls; ASan builds start slowly
  [ -f "$tmp/alerts.jsonl" ] && [ "$(grep -c . "$tmp/alerts.jsonl")" -ge 3 ] && break
  sleep 0.1
done
live=$(grep -c . "$tmp/alerts.jsonl" 2>/dev/null || echo 0)
# Stop rsyslog: it closes sbscan's stdin, sbscan flushes the open (partial) block and exits.
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""

fail() { echo "FAIL: $*"; echo "--- alerts"; cat "$tmp/alerts.jsonl" 2>/dev/null; echo "--- sbscan stderr";
         cat "$tmp/sbscan.log" 2>/dev/null; echo "--- rsyslogd"; cat "$tmp/rsyslogd.out"; exit 1; }
[ "$live" -ge 3 ] || fail "only $live alert(s) while rsyslog was running, expected 3"
python3 - "$tmp/alerts.jsonl" <<'PY' || fail "alert content"
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
blocks = {}
for a in alerts:
    key = (a["host"]["name"], a["powershell"]["file"]["script_block_id"])
    blocks.setdefault(key, []).append(a)
def one(host, sid, complete):
    got = blocks.get((host, sid))
    assert got, f"no alert for {host} {sid}: {sorted(blocks)}"
    rules = [a["rule"]["id"] for a in got]
    assert len(rules) == len(set(rules)), f"duplicate alerts for {sid}: {rules}"
    assert any("mimikatz" in r.lower() or "mimikatz" in a["rule"]["name"].lower()
               for r, a in zip(rules, got)), f"{sid}: {rules}"
    assert all(a["sbscan"]["complete"] == complete for a in got), f"{sid} complete != {complete}"
one("FILEHOST", "aaaaaaaa-0000-4000-8000-000000000001", True)
one("FILEHOST", "aaaaaaaa-0000-4000-8000-000000000002", True)
one("TCPHOST", "bbbbbbbb-0000-4000-8000-000000000001", True)
one("FILEHOST", "aaaaaaaa-0000-4000-8000-000000000004", False)
assert ("FILEHOST", "aaaaaaaa-0000-4000-8000-000000000003") not in blocks, "benign block alerted"
partial = blocks[("FILEHOST", "aaaaaaaa-0000-4000-8000-000000000004")][0]
assert partial["sbscan"]["fragments"]["missing"] == [2], partial["sbscan"]["fragments"]
print(f"ok: {len(alerts)} alerts from {len(blocks)} blocks through rsyslog")
PY
