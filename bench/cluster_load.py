"""Cluster job throughput: video jobs through Celery + Redis with 1 vs 2 workers, in the same run.

    uv run python bench/cluster_load.py [--jobs 6] [--clip PATH] [--sleep-s 2]

Starts a throwaway PostgreSQL and Redis (powerforge.cluster.stack, from Debian's packages), then for
each job kind and each worker count: starts that many real `celery worker` processes (one job at a
time each, prefetch 1), submits `--jobs` jobs through the app's CeleryJobRunner and times the batch
from the first submit to the last recorded outcome. Baseline: the same batch on 1 worker.

Job kinds:
- lift analysis: the whole bar-tracking analysis (decode, plates, kinematics; no pose model) of the
  shared 1080x1920 squat clip (or --clip): CPU-bound, so 2 workers can only gain what free cores allow;
- stand-in: sleeps `--sleep-s` with progress (I/O-bound): what the queue itself scales to.

Goal (issue 18): >= 1.7x with 2 workers on video jobs. Errors are jobs not `done`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_CLIP = (
    Path(os.environ.get("POWERFORGE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "media/lifts/small-squat.mp4"
)


# --- job functions the workers import (`cluster_load:...`, with bench/ on their path) -----------
def lift_job(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    from vision.analyse import LiftOptions, analyse_video

    cpu = time.process_time()
    a = analyse_video(Path(params["path"]), LiftOptions(pose=None), progress)
    return {"frames": a.frames, "cpu_s": time.process_time() - cpu}


def sleep_job(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    cpu = time.process_time()
    steps = 10
    for i in range(steps):
        progress((i + 1) / steps, f"step {i + 1}/{steps}", force=True)
        time.sleep(float(params["sleep_s"]) / steps)
    return {"slept": params["sleep_s"], "cpu_s": time.process_time() - cpu}


# --- the run ----------------------------------------------------------------------------------
def _workers(stack: Any, n: int, env: dict[str, str], tag: str) -> list[Any]:
    from powerforge.cluster.stack import wait_until

    procs = []
    for i in range(n):
        cmd = [sys.executable, "-m", "celery", "-A", "powerforge.cluster.worker", "worker", "-Q", "video", "-c", "1"]
        cmd += ["-n", f"{tag}{i}@%h", "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        procs.append((f"worker-{tag}{i}", stack.spawn(f"worker-{tag}{i}", cmd, env)))
    for name, proc in procs:
        log = stack.base / "logs" / f"{name}.log"
        wait_until(lambda log=log: log.exists() and "ready." in log.read_text(errors="replace"), 120, name, proc)
    return [p for _, p in procs]


def _stop(stack: Any, procs: list[Any]) -> None:
    import signal

    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(30)
    stack.procs[:] = [(n, p) for n, p in stack.procs if p not in procs]


def _batch(runner: Any, account_id: int, kind: str, params: dict[str, Any], jobs: int) -> tuple[float, int, float]:
    """(wall seconds, errors, CPU seconds the jobs used in their worker processes)."""
    start = time.perf_counter()
    futures = [runner.submit(kind, account_id, params)[1] for _ in range(jobs)]
    errors, cpu = 0, 0.0
    for f in futures:
        try:
            cpu += float(f.result(timeout=1800).get("cpu_s", 0.0))
        except Exception:
            errors += 1
    return time.perf_counter() - start, errors, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=6, help="jobs per batch (default 6)")
    ap.add_argument("--clip", type=Path, default=SHARED_CLIP)
    ap.add_argument("--sleep-s", type=float, default=2.0)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from powerforge.cluster.runner import CeleryJobRunner
    from powerforge.cluster.stack import Stack, start_postgres, start_redis
    from powerforge.config import Settings, override_settings
    from powerforge.jobs import register_job
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.migrate import upgrade

    base = Path(tempfile.mkdtemp(prefix="pf-bench-cluster-"))
    base.chmod(0o755)  # the `postgres` user must reach the data dir when this runs as root
    (base / "logs").mkdir()
    stack = Stack(base)
    rows: list[tuple[str, int, int, int, float, float]] = []
    try:
        db_url, redis_url = start_postgres(stack), start_redis(stack)
        s = Settings(_env_file=None, data_dir=base / "var", database_url=db_url, redis_url=redis_url,
                     jobs_backend="celery", llm_embedded=False)  # fmt: skip
        override_settings(s)
        upgrade(s.db_url)
        engine = make_engine(s.db_url)
        account = create_account("bench", "correct-horse-1", engine=engine)
        register_job("bench_lift", "cluster_load:lift_job")
        register_job("bench_sleep", "cluster_load:sleep_job")
        env = {**os.environ, "DATABASE_URL": s.db_url, "REDIS_URL": redis_url, "DATA_DIR": str(s.data_dir),
               "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}  # fmt: skip
        runner = CeleryJobRunner(s, engine=engine)
        kinds = [("stand-in (sleep)", "bench_sleep", {"sleep_s": args.sleep_s})]
        if args.clip.exists():
            kinds.insert(0, ("lift analysis", "bench_lift", {"path": str(args.clip.resolve())}))
        else:
            print(f"(no clip at {args.clip}: the lift-analysis rows are not measured)")
        for label, kind, params in kinds:
            for n in (1, 2):
                procs = _workers(stack, n, env, f"{kind[6:]}{n}-")
                try:
                    runner.submit(kind, account.id, params)[1].result(timeout=600)  # warm imports, not timed
                    seconds, errors, cpu = _batch(runner, account.id, kind, params, args.jobs)
                finally:
                    _stop(stack, procs)
                rows.append((label, n, args.jobs, errors, seconds, args.jobs / seconds * 60, cpu))
        runner.shutdown()
        engine.dispose()
    finally:
        stack.stop()
        shutil.rmtree(base, ignore_errors=True)
    load = os.getloadavg()[1]  # the last 5 minutes: other processes compete for the same cores
    print(f"\nCluster job throughput ({os.cpu_count()} CPU cores on this machine, load average {load:.1f}; same run)\n")
    print("| job kind | workers | jobs | errors | seconds | jobs/min | vs 1 worker | CPU s/job | cores busy |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    base_rate: dict[str, float] = {}
    for label, n, jobs, errors, seconds, rate, cpu in rows:
        base_rate.setdefault(label, rate)
        done = max(1, jobs - errors)
        print(f"| {label} | {n} | {jobs} | {errors} | {seconds:.1f} | {rate:.1f} | {rate / base_rate[label]:.2f}x "
              f"| {cpu / done:.1f} | {cpu / seconds:.2f} |")  # fmt: skip
    print("\nGoal: >= 1.7x with 2 workers on video jobs. 'cores busy' = the jobs' CPU seconds / wall seconds: a")
    print("CPU-bound analysis gains only what idle cores allow (other processes on the machine count too).")


if __name__ == "__main__":
    main()
