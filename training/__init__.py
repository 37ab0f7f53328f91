"""Training domain: programs, templates, loads, plate maths, set logging maths, progression, imports.

Pure Python (no chat, no SQL): every number a lifter reads is computed here and tested. The agent's
tools (`agent/tools/training/`) and the CLI (`training/cli.py`) are thin adapters over it.
"""
