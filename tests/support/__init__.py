"""Helpers for tests: real servers (PostgreSQL, llama.cpp, Chainlit) started and stopped by tests."""
