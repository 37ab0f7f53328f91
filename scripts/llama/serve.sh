#!/usr/bin/env bash
# Run Power Forge's embedded LLM server on its own (what `powerforge serve` starts for you), e.g. on
# another machine of the LAN, or to debug it. Needs the llm_server environment and an installed model:
#
#   CMAKE_ARGS=-DGGML_NATIVE=OFF uv sync --project llm_server
#   uv run powerforge models pull qwen2.5-1.5b-instruct
#   scripts/llama/serve.sh [MODEL_NAME] [--host 0.0.0.0] [--port 8081] [--threads 4] [--api-key KEY]
#
# Then, on the app's machine: LLM_EMBEDDED=false, LLM_BASE_URL=http://<host>:8081/v1, LLM_MODEL=<name>.
set -euo pipefail
cd "$(dirname "$0")/../.."

NAME="${1:-qwen2.5-1.5b-instruct}"
[ $# -gt 0 ] && shift
MODEL_FILE="$(uv run python -c "from models.manifest import model_path; print(model_path('$NAME'))")"
exec llm_server/.venv/bin/python -m pf_llm.serve --model "$MODEL_FILE" --alias "$NAME" \
  --host 127.0.0.1 --port 8081 --threads "$(nproc)" --ctx 4096 "$@"
