#!/usr/bin/env bash
# The CPU side-by-side of ../shared/bench/cpu-side-by-side, interleaved: llama.cpp, the project and
# PyTorch take turns (A B C A B C ...) instead of running one after another, so a machine whose speed
# drifts (shared cores) slows all three alike within a round. Run run.sh once first: it builds the
# venv, the checkpoint, the GGUF and the project's q4 folder this reuses. From the project root after
# `npm run build`:  bash scripts/bench/interleaved-side-by-side.sh
# Env: WORK (run.sh's cache), ROUNDS (default 3), RAW (output, default $WORK/raw-interleaved).
# Writes run.sh's raw layout, one "process" per round, then prints summarize.py's table and draws
# docs/performance-cpu.png when matplotlib is in the venv.
set -euo pipefail
SHARED=$(cd "$(dirname "$0")/../../../shared/bench/cpu-side-by-side" && pwd)
WORK=${WORK:-$HOME/.cache/visual-coder-bench}
RAW=${RAW:-$WORK/raw-interleaved}
ROUNDS=${ROUNDS:-3}
PY=$WORK/venv/bin/python
for need in "$PY" "$WORK/ds13-hf/config.json" "$WORK/ds13-q4_0.gguf" "$WORK/project-q4/config.json" "$WORK/llcpp/llcpp_bench.mjs"; do
  [ -e "$need" ] || { echo "missing $need: run bash ../shared/bench/cpu-side-by-side/run.sh once first" >&2; exit 1; }
done
mkdir -p "$RAW"
for i in $(seq "$ROUNDS"); do
  echo "=== round $i/$ROUNDS: llama.cpp Q4_0" >&2
  (cd "$WORK/llcpp" && node llcpp_bench.mjs "$WORK/ds13-q4_0.gguf" 3) >"$RAW/llcpp_q4_0_p$i.json" 2>"$RAW/llcpp_q4_0_p$i.err"
  echo "=== round $i/$ROUNDS: project q4" >&2
  node dist/model-host.js bench --model "$WORK/project-q4" --device cpu --runs 3 --max-new-tokens 32 --json >"$RAW/bench_q4_p$i.json" 2>"$RAW/bench_q4_p$i.err"
  echo "=== round $i/$ROUNDS: PyTorch bf16" >&2
  "$PY" "$SHARED/hf_bench.py" bf16 3 "$WORK/ds13-hf" >"$RAW/hf_bf16_p$i.json" 2>"$RAW/hf_bf16_p$i.err"
done
python3 "$SHARED/summarize.py" "$RAW"
if "$PY" -c "import matplotlib" 2>/dev/null; then "$PY" scripts/bench/side-by-side-chart.py "$RAW" docs/performance-cpu.png; fi
