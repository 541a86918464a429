#!/bin/bash
# Runs on the GPU machine from the repository root, with .gpubench/ carried
# (scripts/bench/gpu-pack.sh): PyTorch CUDA first, then our WebGPU backend with
# Dawn's default options and once more without its robustness checks (matmul
# only). Results go to $OUT: torch.json, ours.json, ours-unsafe.json and logs.
set -uo pipefail
OUT=${OUT:-/tmp/gpubench-out}
mkdir -p "$OUT"
D=.gpubench
for f in "$D"/deb/*.deb; do dpkg -x "$f" /; done
ldconfig
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
done
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-none}"
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then xz -dc "$D/node.xz" > /tmp/node && chmod +x /tmp/node && NODE=/tmp/node; fi
"$NODE" --version
xz -dc "$D/dawn.node.xz" > "$D/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -n "${SKIP_TORCH:-}" ] || PYTHONUNBUFFERED=1 timeout 180 python3 scripts/bench/torch_cuda_bench.py --models "$D/models" --examples assets/examples --out "$OUT/torch.json" 2>&1 | tee "$OUT/torch.log"
cd "$D"
# Unquantized time stamps for the per-program GPU profile (Note [GPU profile]).
PT2_DAWN_FLAGS="disable-dawn-features=timestamp_quantization" \
  timeout 180 "$NODE" gpu-bench.mjs --models models --out "$OUT/ours.json" 2>&1 | tee "$OUT/ours.log"
PT2_DAWN_FLAGS="enable-dawn-features=allow_unsafe_apis,disable_robustness,disable_workgroup_init disable-dawn-features=timestamp_quantization" \
  timeout 120 "$NODE" gpu-bench.mjs --models models --only matmul --out "$OUT/ours-unsafe.json" 2>&1 | tee "$OUT/ours-unsafe.log"
