#!/usr/bin/env bash
# The synthetic benchmark on the GPU machine (no Node.js, no network): unpacks the payload made by
# prepare.sh, installs the Vulkan loader, and runs `model-host bench --synthetic` for each model and
# dtype on WebGPU, sampling GPU memory with nvidia-smi. Writes, under $OUT:
#   devices.json, bench-<model>-<dtype>.json (the bench's JSON report), gpu-mem-<model>-<dtype>.txt
#   (peak MiB), summary.md (one table), log.txt.
# Env (defaults for the H100/H200): DEVICE=webgpu, MODELS="deepseek-vl-1.3b deepseek-vl-7b",
# DTYPES="q4f16 q4", NEW_TOKENS=128, RUNS=2, LAYERS= (all), STEP_TIMEOUT=420 (seconds per step).
# Proven on a CPU-only machine with DEVICE=cpu LAYERS=2 NEW_TOKENS=8 (docs/performance.md).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PAY=${PAYLOAD:-$ROOT/.cache/gpu-payload}
OUT=${OUT:-/tmp/vc-gpu-out}
W=${WORK:-/tmp/vc-gpu}
DEVICE=${DEVICE:-webgpu}
MODELS=${MODELS:-"deepseek-vl-1.3b deepseek-vl-7b"}
DTYPES=${DTYPES:-"q4f16 q4"}
NEW_TOKENS=${NEW_TOKENS:-128}
RUNS=${RUNS:-2}
STEP_TIMEOUT=${STEP_TIMEOUT:-420}
mkdir -p "$OUT" "$W"
exec > >(tee -a "$OUT/log.txt") 2>&1
say() { echo "=== $(date +%T) $*"; }

say "unpacking $(du -h "$PAY/payload.tar.xz" | cut -f1) into $W"
xz -dc "$PAY/payload.tar.xz" | tar -C "$W" -xf - || { echo "cannot unpack the payload" >&2; exit 1; }
NODE="$W/node"
HOST=("$NODE" "$W/app/dist/model-host.js")
if [ "$DEVICE" = webgpu ]; then
  if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
    say "installing the Vulkan loader"
    dpkg -x "$PAY"/libvulkan1_*.deb / && ldconfig
  fi
  export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
"$NODE" --version
timeout 120 "${HOST[@]}" devices --json > "$OUT/devices.json"
cat "$OUT/devices.json"

gpu_sampler() { # peak GPU memory (MiB) while $1 runs
  local file=$1 peak=0 v
  while kill -0 "$2" 2>/dev/null; do
    v=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | head -1 | tr -dc 0-9)
    [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.5
  done
  echo "$peak" > "$file"
}

for model in $MODELS; do
  for dtype in $DTYPES; do
    say "bench $model $dtype on $DEVICE"
    args=(bench --synthetic "$model" --dtype "$dtype" --device "$DEVICE" --max-new-tokens "$NEW_TOKENS" --runs "$RUNS" --work "$W/work" --no-compare --json)
    [ -n "${LAYERS:-}" ] && args+=(--layers "$LAYERS")
    timeout "$STEP_TIMEOUT" "${HOST[@]}" "${args[@]}" > "$OUT/bench-$model-$dtype.json" &
    pid=$!
    sampler=
    if command -v nvidia-smi >/dev/null; then
      gpu_sampler "$OUT/gpu-mem-$model-$dtype.txt" "$pid" &
      sampler=$!
    fi
    wait "$pid" || say "bench $model $dtype failed or timed out (exit $?)"
    # Not a bare `wait`: since bash 5.1 that also waits for the tee of `exec > >(tee ...)`, forever.
    [ -n "$sampler" ] && wait "$sampler"
    rm -rf "$W/work/$model"*/"$dtype" # converted folders are large; the checkpoint is kept for the next dtype
  done
  rm -rf "$W/work/$model"*
done

say "summary"
"$NODE" "$HERE/summarize.mjs" "$OUT" > "$OUT/summary.md" && cat "$OUT/summary.md"
