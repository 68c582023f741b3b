#!/usr/bin/env bash
# scripts/serve_judge.sh [text|mllm]
#
# Start the Perception-R1 judge on an OpenAI-compatible vLLM server (needs `pip install -e .[vllm]`).
#   text (default): Qwen/Qwen2.5-32B-Instruct-AWQ, the paper's judge; ~19 GB of weights, so one copy per
#                   GPU: 8 data-parallel replicas on 8 GPUs (the paper's judge budget).
#   mllm:           Qwen/Qwen2.5-VL-32B-Instruct for the MLLM-as-reward-model ablation; bf16 needs 2 GPUs
#                   per replica: tensor-parallel 2 x data-parallel 4.
# Environment: PORT (8000), GPUS (CUDA_VISIBLE_DEVICES, default 0-7), TP / DP to override the layout.
# Check it: curl http://localhost:$PORT/v1/models
set -euo pipefail

KIND=${1:-text}
PORT=${PORT:-8000}
export CUDA_VISIBLE_DEVICES=${GPUS:-0,1,2,3,4,5,6,7}
case "$KIND" in
  text) MODEL=Qwen/Qwen2.5-32B-Instruct-AWQ; TP=${TP:-1}; DP=${DP:-8} ;;
  mllm) MODEL=Qwen/Qwen2.5-VL-32B-Instruct;  TP=${TP:-2}; DP=${DP:-4} ;;
  *) echo "usage: $0 [text|mllm]" >&2; exit 2 ;;
esac

# Judgments are short (one tag per annotation) and run at temperature 0; prefix caching shares the
# judge instructions across requests.
exec vllm serve "$MODEL" \
  --port "$PORT" \
  --tensor-parallel-size "$TP" \
  --data-parallel-size "$DP" \
  --max-model-len 16384 \
  --gpu-memory-utilization 0.90 \
  --enable-prefix-caching
