"""Chainlit glue: everything that knows about the web UI (the domain and agent packages do not)."""
