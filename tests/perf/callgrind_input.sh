# Sourced by tests/perf/callgrind_guard.sh and tools/scripts/update_callgrind_baseline.sh: the
# one definition of what the callgrind guard measures, so that the baseline and the check can
# never drift apart.

# Fixed seed, 100 blocks (~1.5 MB of Winlogbeat JSON lines, a few multi-fragment and malicious
# blocks); the generator's output is byte-identical for the same options.
CALLGRIND_INPUT_DESCRIPTION="sbscan-gen --seed 1 --blocks 100"
callgrind_generate_input() {  # GEN OUT
  "$1" --seed 1 --blocks 100 > "$2"
}

# Instrumentation is off until the driver's CALLGRIND_START_INSTRUMENTATION (after rule
# compilation) and off again after the hot path: only ReadFile + Finish are counted, and the
# compilation runs at valgrind's uninstrumented speed. No cache simulation: Ir only. The input is
# passed by its bare name from its own folder: alerts carry the file name, so its length would
# change the count with the temporary folder's name.
callgrind_run() {  # DRIVER INPUT OUT_FILE
  local driver input out
  driver=$(realpath "$1")
  input=$(realpath "$2")
  out=$(realpath "$3")
  (cd "$(dirname "$input")" &&
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "$driver" \
      "$(basename "$input")")
}

# The total Ir of a callgrind output file.
callgrind_total_ir() {  # FILE
  sed -n 's/^totals: \([0-9]*\).*/\1/p' "$1" | head -1
}
