#!/usr/bin/env bash
# Create vLLM's own environment. vLLM pins CUDA builds of torch (~3.7 GB of wheels) and mcp>=2, which
# chainlit forbids, so it can never share the app's environment: the app only talks to it over HTTP.
#
#   scripts/vllm/setup.sh                       # vllm 0.32.0 into ~/.local/share/powerforge/vllm-env
#   VLLM_VERSION=0.33.0 VLLM_ENV=/opt/vllm scripts/vllm/setup.sh
#
# Needs: Linux x86_64, an NVIDIA GPU with a recent driver (CUDA 12.x), Python 3.10-3.12, ~12 GB disk.
set -euo pipefail

VLLM_ENV="${VLLM_ENV:-$HOME/.local/share/powerforge/vllm-env}"
VLLM_VERSION="${VLLM_VERSION:-0.32.0}"
PYTHON_VERSION="${PYTHON_VERSION:-3.12}"

if command -v uv >/dev/null 2>&1; then
  uv venv --python "$PYTHON_VERSION" "$VLLM_ENV"
  uv pip install --python "$VLLM_ENV/bin/python" "vllm==$VLLM_VERSION"
else
  "python$PYTHON_VERSION" -m venv "$VLLM_ENV"
  "$VLLM_ENV/bin/python" -m pip install --upgrade pip
  "$VLLM_ENV/bin/python" -m pip install "vllm==$VLLM_VERSION"
fi

"$VLLM_ENV/bin/python" -c "import vllm, torch; print('vllm', vllm.__version__, '| torch', torch.__version__, '| CUDA available:', torch.cuda.is_available())"
echo "vLLM is installed in $VLLM_ENV. Start it with: scripts/vllm/serve.sh"
