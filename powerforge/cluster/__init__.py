"""Cluster mode (issue 18): the same app on existing engines — Postgres, Redis, Celery workers, nginx.

Nothing here is imported in the default single-process shape; `JOBS_BACKEND=celery` selects it.
"""
