#!/usr/bin/env bash
# JUDGE_URL=http://JUDGE_HOST:8000/v1 scripts/train_7b_geo3k.sh [--resume] [--key value ...]
#
# The paper-scale Perception-R1-7B run (configs/qwen2_5_vl_7b_geo3k.yaml), 16 GPUs in two groups:
#   1. judge:    8 GPUs run scripts/serve_judge.sh (Qwen2.5-32B-Instruct-AWQ, vLLM, OpenAI protocol);
#   2. training: 8 GPUs run this script: accelerate + DeepSpeed ZeRO-3, TRL GRPO with vLLM rollouts
#                colocated on the training GPUs.
# On one 16-GPU node: GPUS=8,9,10,11,12,13,14,15 scripts/serve_judge.sh &  then
#                     CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 scripts/train_7b_geo3k.sh
# After a preemption, rerun with --resume: it continues from the newest checkpoint in output_dir.
# Other configs (the ablations): CONFIG=configs/qwen2_5_vl_7b_geo3k_no_rv.yaml scripts/train_7b_geo3k.sh
set -euo pipefail

CONFIG=${CONFIG:-configs/qwen2_5_vl_7b_geo3k.yaml}
ACCEL=${ACCEL:-configs/accelerate/zero3_8gpu.yaml}
JUDGE_URL=${JUDGE_URL:-http://localhost:8000/v1}

# The judge must answer before the first rollout: every step sends 1,024 responses to it.
if grep -q '^use_perception: false' "$CONFIG"; then
  echo "config has no perception reward: not waiting for a judge"
else
  until curl -sf "${JUDGE_URL%/}/models" > /dev/null; do
    echo "waiting for the judge at $JUDGE_URL ..."; sleep 15
  done
fi

# Fail in seconds, not after loading 7B weights on 8 GPUs: config, data, judge, rewards, batch geometry.
perception-r1 train --config "$CONFIG" --judge_url "$JUDGE_URL" --dry-run

exec accelerate launch --config_file "$ACCEL" --module perception_r1.cli.main \
  train --config "$CONFIG" --judge_url "$JUDGE_URL" "$@"
