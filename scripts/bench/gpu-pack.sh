#!/bin/bash
# Packs .gpubench/ (git-ignored) for scripts/bench/gpu-device-run.sh on a GPU
# machine that has Python/PyTorch but no Node: the GPU benchmark bundled into
# one file (scripts/bench/gpu-bench.ts), the `webgpu` package's Dawn for
# linux-x64, this machine's node binary, the Vulkan loader as a Debian package,
# and the two corpus models with their inputs and torch's outputs.
set -euo pipefail
cd "$(dirname "$0")/../.."
D=.gpubench
M=../shared/corpus/torch-2.11/models
rm -rf "$D"
mkdir -p "$D/models" "$D/node_modules/webgpu/dist/linux-x64" "$D/deb"
npx esbuild scripts/bench/gpu-bench.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$D/gpu-bench.mjs" --external:webgpu --external:pyodide --external:onnxruntime-node \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$D/node_modules/webgpu/"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$D/dawn.node.xz"
xz -T0 -6 -c "$(command -v node)" > "$D/node.xz"
for m in gpt2_tiny mobilenet_v3_small; do cp "$M/$m.pt2" "$M/$m".in0.*.bin "$M/$m.out.float32.bin" "$D/models/"; done
(cd "$D/deb" && apt-get download -q libvulkan1 >/dev/null)
du -sh "$D"
