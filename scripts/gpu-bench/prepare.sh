#!/usr/bin/env bash
# Builds what the GPU benchmark machine needs, which has no Node.js and no network:
#   .cache/gpu-payload/payload.tar.xz  a stripped node, dist/, and the runtime node_modules for linux-x64
#                                     (onnxruntime-node's linux/x64 binaries, onnxruntime-common, sharp)
#   .cache/gpu-payload/libvulkan1_*.deb  the Vulkan loader Dawn needs (unpacked there with dpkg -x)
# Run from the project root after `npm run build`; then hand `.cache/gpu-payload` and `dist` to the
# device (`run` with carry) and run scripts/gpu-bench/run-on-device.sh there. The payload stays under
# the device's 64 MiB limit together with the working tree (printed at the end).
set -euo pipefail
ROOT=$(pwd)
PAY=$ROOT/.cache/gpu-payload
[ -f dist/model-host.js ] || { echo "run npm run build first" >&2; exit 1; }
mkdir -p "$PAY"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
strip -o "$STAGE/node" "$(command -v node)"
mkdir -p "$STAGE/app/node_modules/@img"
cp -r dist "$STAGE/app/dist"
rm -f "$STAGE"/app/dist/*.map
cp package.json "$STAGE/app/"
copy() { mkdir -p "$STAGE/app/node_modules/$(dirname "$1")"; cp -r "node_modules/$1" "$STAGE/app/node_modules/$1"; }
copy onnxruntime-common
copy sharp
copy @img/colour
copy @img/sharp-linux-x64
copy @img/sharp-libvips-linux-x64
# onnxruntime-node with the linux/x64 binaries only (the others are for platforms the device is not).
mkdir -p "$STAGE/app/node_modules/onnxruntime-node/bin/napi-v6/linux"
(cd node_modules/onnxruntime-node && cp -r package.json dist lib "$STAGE/app/node_modules/onnxruntime-node/" 2>/dev/null || true)
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$STAGE/app/node_modules/onnxruntime-node/bin/napi-v6/linux/"
for dep in $(node -e "console.log(Object.keys(require('./node_modules/sharp/package.json').dependencies||{}).join(' '))"); do
  [ -d "node_modules/$dep" ] && [ ! -d "$STAGE/app/node_modules/$dep" ] && copy "$dep"
done
tar -C "$STAGE" -cf - node app | xz -T2 -6 > "$PAY/payload.tar.xz"
ls "$PAY"/libvulkan1_*.deb >/dev/null 2>&1 || (cd "$PAY" && apt-get download libvulkan1)
du -ch "$PAY"/* | tail -1 | sed 's/total/payload/'
git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | awk '{printf "working tree: %.1f MB\n", $1 / 1e6}'
