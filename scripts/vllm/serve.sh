#!/usr/bin/env bash
# Serve a tool-calling model with vLLM for Power Forge (OpenAI-compatible API, native tool calls).
#
#   scripts/vllm/serve.sh            # Qwen2.5-7B-Instruct, bf16  (~16 GB weights: a 24 GB GPU or larger)
#   scripts/vllm/serve.sh small      # Qwen2.5-3B-Instruct, bf16  (~6.5 GB weights: a 12-16 GB GPU)
#   scripts/vllm/serve.sh awq        # Qwen2.5-7B-Instruct-AWQ    (~5.5 GB weights: a 12-16 GB GPU)
#   VLLM_MODEL=Qwen/Qwen2.5-14B-Instruct-AWQ VLLM_SERVED_NAME=qwen2.5-14b-instruct scripts/vllm/serve.sh
#
# Then point the app at it in .env (no code change):
#   LLM_EMBEDDED=false
#   LLM_BASE_URL=http://127.0.0.1:8001/v1
#   LLM_MODEL=qwen2.5-7b-instruct          (the --served-model-name below)
#   LLM_API_KEY=<VLLM_API_KEY if you set one, else any string>
#
# The weights come from Hugging Face on the first start (cached in $HF_HOME, default ~/.cache/huggingface).
# Starting this script is the explicit install step; on a machine without internet, copy the cache over
# and set HF_HUB_OFFLINE=1. Extra arguments are passed to `vllm serve`.
set -euo pipefail

VLLM_ENV="${VLLM_ENV:-$HOME/.local/share/powerforge/vllm-env}"
case "${1:-}" in
  small) shift; DEFAULT_MODEL="Qwen/Qwen2.5-3B-Instruct"; DEFAULT_NAME="qwen2.5-3b-instruct" ;;
  awq)   shift; DEFAULT_MODEL="Qwen/Qwen2.5-7B-Instruct-AWQ"; DEFAULT_NAME="qwen2.5-7b-instruct" ;;
  *)     DEFAULT_MODEL="Qwen/Qwen2.5-7B-Instruct"; DEFAULT_NAME="qwen2.5-7b-instruct" ;;
esac
MODEL="${VLLM_MODEL:-$DEFAULT_MODEL}"
SERVED_NAME="${VLLM_SERVED_NAME:-$DEFAULT_NAME}"
HOST="${VLLM_HOST:-127.0.0.1}"
PORT="${VLLM_PORT:-8001}"
MAX_MODEL_LEN="${VLLM_MAX_MODEL_LEN:-16384}"
GPU_MEMORY_UTILIZATION="${VLLM_GPU_MEMORY_UTILIZATION:-0.90}"

if [ ! -x "$VLLM_ENV/bin/vllm" ]; then
  echo "vLLM is not installed in $VLLM_ENV; run scripts/vllm/setup.sh first." >&2
  exit 1
fi

args=(
  serve "$MODEL"
  --served-model-name "$SERVED_NAME"
  --host "$HOST" --port "$PORT"
  --max-model-len "$MAX_MODEL_LEN"
  --gpu-memory-utilization "$GPU_MEMORY_UTILIZATION"
  # Qwen2.5 writes <tool_call>{...}</tool_call>: the hermes parser turns it into OpenAI tool_calls,
  # and auto tool choice lets the model decide (named tool_choice works with or without it).
  --enable-auto-tool-choice --tool-call-parser hermes
  # The app keeps its system prompt stable so replicas reuse the KV cache of that prefix.
  --enable-prefix-caching
)
if [ -n "${VLLM_API_KEY:-}" ]; then
  args+=(--api-key "$VLLM_API_KEY")
fi

echo "Serving $MODEL as '$SERVED_NAME' on http://$HOST:$PORT/v1"
exec "$VLLM_ENV/bin/vllm" "${args[@]}" "$@"
