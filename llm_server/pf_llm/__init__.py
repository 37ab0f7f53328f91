"""Power Forge embedded LLM server (runs in its own environment, never imported by the app)."""
