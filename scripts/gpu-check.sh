#!/usr/bin/env bash
# GPU check of the webgpu route (and the doctor) on a machine with NVIDIA GPUs.
#
# UNVERIFIED ON A GPU: prepared on a machine without one. Run from the repository root after npm install:
#   bash scripts/gpu-check.sh            # output also saved under ${OUT:-/tmp/clipwb-gpu-check}/
# It answers: does Dawn find the NVIDIA GPU (through Vulkan)? matMul GFLOP/s on it; one ViT-B/16 training
# step at batch 32 (seconds, memory); what `clipwb doctor` says; with two GPUs, one process per GPU at once.
# Every step has a time limit and the script goes on after a failure, so one run reports everything.
set -u
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/clipwb-gpu-check}"
mkdir -p "$out"
log="$out/gpu-check.log"
: > "$log"
step() { echo; echo "== $*" | tee -a "$log"; }
run() { local limit=$1; shift; timeout "$limit" "$@" 2>&1 | tee -a "$log"; echo "(exit ${PIPESTATUS[0]})" | tee -a "$log"; }

step "GPUs (nvidia-smi)"
run 30 nvidia-smi --query-gpu=index,name,memory.total,driver_version,pci.bus_id --format=csv

step "Vulkan: loader and driver manifests (Dawn needs libvulkan.so.1 and nvidia_icd.json)"
run 10 bash -c 'ldconfig -p | grep -i libvulkan || echo "no libvulkan in ldconfig"; ls -l /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1; echo "NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES:-unset}"'
if command -v vulkaninfo >/dev/null; then run 60 vulkaninfo --summary; fi

step "clipwb doctor"
run 120 node bin/clipwb.mjs doctor

step "Dawn adapter, matMul GFLOP/s, one ViT-B/16 step at batch 32 (webgpu backend)"
run 900 node bin/run-ts.mjs bench/gpu-check.ts --matmul 4096 --vit-batch 32
run 30 nvidia-smi --query-gpu=index,memory.used --format=csv

gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
if [ "${gpus:-0}" -ge 2 ]; then
  step "Two GPUs at once: one process each (Dawn picks adapters itself; CLIPWB_DAWN_FLAGS=adapter=<name> narrows by name)"
  for i in 0 1; do
    ( CUDA_VISIBLE_DEVICES=$i timeout 600 node bin/run-ts.mjs bench/gpu-check.ts --matmul 4096 --skip-vit > "$out/gpu$i.log" 2>&1; echo "(gpu $i exit $?)" >> "$out/gpu$i.log" ) &
  done
  sleep 20; run 10 nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv
  wait
  cat "$out/gpu0.log" "$out/gpu1.log" | tee -a "$log"
  echo "Note: Vulkan ignores CUDA_VISIBLE_DEVICES; see the utilization above for whether both GPUs were used." | tee -a "$log"
fi
echo; echo "log: $log"
