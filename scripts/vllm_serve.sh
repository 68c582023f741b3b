#!/usr/bin/env bash
# scripts/vllm_serve.sh — TRL's vLLM server mode: rollouts on their own GPUs (`trl vllm-serve`).
#
# The alternative to `vllm_mode: colocate` (rollouts share the training GPUs, the shipped default):
# here vLLM serves the policy on GPUS and the trainer, launched on the other GPUs, sends prompts to it
# and pushes its weights after every update (NCCL on vllm_group_port). Needs `pip install -e .[vllm]`
# on this node. Then train with, e.g. on GPUs 2-7 (6 processes; keep 128 prompts x 8 per update):
#   CUDA_VISIBLE_DEVICES=2,3,4,5,6,7 accelerate launch --config_file configs/accelerate/zero3_8gpu.yaml \
#     --num_processes 6 --module perception_r1.cli.main train --config configs/qwen2_5_vl_7b_geo3k.yaml \
#     --vllm_mode server --vllm_server_base_url http://ROLLOUT_HOST:$PORT \
#     --expected_num_processes 6 --per_device_train_batch_size 8 --gradient_accumulation_steps ...
# (the accumulation must make 8 x 6 x accumulation a multiple of 1024 / 8 groups; --dry-run checks it).
# Environment: MODEL (the policy, default Qwen/Qwen2.5-VL-7B-Instruct), GPUS (default 0,1), TP (1),
# DP (number of GPUS / TP), PORT (8001; the judge server uses 8000), MAX_LEN (10240, as the config's
# vllm_max_model_length). Check it: curl http://localhost:$PORT/health/
set -euo pipefail

MODEL=${MODEL:-Qwen/Qwen2.5-VL-7B-Instruct}
export CUDA_VISIBLE_DEVICES=${GPUS:-0,1}
N_GPUS=$(awk -F, '{print NF}' <<<"$CUDA_VISIBLE_DEVICES")
TP=${TP:-1}
DP=${DP:-$((N_GPUS / TP))}
PORT=${PORT:-8001}

exec trl vllm-serve \
  --model "$MODEL" \
  --tensor_parallel_size "$TP" \
  --data_parallel_size "$DP" \
  --port "$PORT" \
  --max_model_len "${MAX_LEN:-10240}" \
  --gpu_memory_utilization 0.9 \
  --enable_prefix_caching true
