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
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
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


# --- chats through nginx (issue 18: 0 errors at 20 concurrent chats) ------------------------------
# Lines written for this bench (never from shared/eval): mostly placed by code, one placed by the model.
CHAT_LINES = [
    ("squat 100 kg for 5", "code"),
    ("how much is 200 lb in kg?", "code"),
    ("weighed 81.2 kg this morning", "code"),
    ("deadlift 140x3", "code"),
]
MODEL_LINE = ("any tips to keep my upper back tight when I squat?", "model")
DOWN = "can't reach the language model"
FAILED = ("Something went wrong on my side", "failed")  # the app's turn failure / a failed tool's sentence


class ChatClient:
    """One person in a browser, spoken as Chainlit's frontend speaks: POST /login for the session cookie, then
    Socket.IO over a websocket (`/ws/socket.io`) — `connection_successful`, then `client_message` per line; a
    turn is over at the server's `task_end`. `source` is the client's own loopback address: nginx's ip_hash
    keys on the first three octets of the client address, so 127.0.N.1 per person spreads them as distinct
    hosts would be spread (all from 127.0.0.1 they would all land on one app process)."""

    def __init__(self, url: str, user: str, password: str, source: str) -> None:
        self.url, self.user, self.password, self.source = url, user, password, source
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.thread_id = ""

    async def __aenter__(self) -> ChatClient:
        import aiohttp
        import socketio

        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(self.source, 0)))
        async with self.http.post(self.url + "/login", data={"username": self.user, "password": self.password}) as r:
            if r.status != 200:
                raise RuntimeError(f"login failed for {self.user}: HTTP {r.status}")
            cookie = "; ".join(f"{k}={m.value}" for k, m in r.cookies.items())
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http)
        for name in ("new_message", "update_message", "task_end", "stream_start"):
            self.sio.on(name, lambda data=None, name=name: self.events.put_nowait((name, data)))
        session_id = str(uuid.uuid4())
        auth = {"clientType": "webapp", "sessionId": session_id, "threadId": None, "userEnv": "{}", "chatProfile": None}
        await self.sio.connect(self.url, headers={"Cookie": cookie}, auth=auth, transports=["websocket"],
                               socketio_path="/ws/socket.io", wait_timeout=60)  # fmt: skip
        await self.sio.emit("connection_successful")
        welcome = await self._until_message(120)
        self.thread_id = welcome.get("threadId") or ""
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        await self.http.close()

    async def _until_message(self, timeout: float) -> dict[str, Any]:
        while True:
            name, data = await asyncio.wait_for(self.events.get(), timeout)
            if name == "new_message" and isinstance(data, dict) and data.get("type") == "assistant_message":
                return data

    async def say(self, text: str, timeout: float = 1800) -> list[str]:
        """Send one line; the assistant messages of the turn (status lines excluded) once the turn ends."""
        while not self.events.empty():
            self.events.get_nowait()
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        step = {"id": str(uuid.uuid4()), "threadId": self.thread_id, "name": self.user, "type": "user_message",
                "output": text, "createdAt": now}  # fmt: skip
        await self.sio.emit("client_message", {"message": step, "fileReferences": None})
        replies: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        while True:
            name, data = await asyncio.wait_for(self.events.get(), max(1.0, deadline - time.monotonic()))
            if name == "task_end" and replies:
                return list(replies.values())
            shown = name in ("new_message", "update_message") and isinstance(data, dict)
            if shown and data.get("type") == "assistant_message" and data.get("name") != "status":
                replies[data["id"]] = str(data.get("output") or "")


async def _one_person(url: str, user: str, source: str, lines: list[tuple[str, str]], rows: list[dict[str, Any]],
                      tag: str) -> None:  # fmt: skip
    try:
        client = await ChatClient(url, user, CHAT_PASSWORD, source).__aenter__()
    except Exception as exc:  # counted, never hidden
        rows.extend({"apps": tag, "line": t, "kind": k, "ok": False, "down": False, "s": float("nan"),
                     "error": f"connect: {type(exc).__name__}: {exc}"} for t, k in lines)  # fmt: skip
        return
    try:
        for text, kind in lines:
            t0 = time.perf_counter()
            row: dict[str, Any] = {"apps": tag, "line": text, "kind": kind}
            try:
                replies = await client.say(text)
                said = "\n".join(replies)
                bad = any(f in said for f in FAILED)
                row.update(ok=bool(said.strip()) and not bad and DOWN not in said, down=DOWN in said, reply=said[:200])
            except Exception as exc:
                row.update(ok=False, down=False, error=f"{type(exc).__name__}: {exc}")
            row["s"] = time.perf_counter() - t0
            rows.append(row)
    finally:
        await client.__aexit__(None, None, None)


CHAT_PASSWORD = "load-pass-123"


def _serve_cluster(base: Path, apps: int, db_url: str, redis_url: str, args: argparse.Namespace,
                   tag: str) -> tuple[Any, int, str]:  # fmt: skip
    """`powerforge serve --cluster --apps N --workers 1` on a free port, against this run's database and Redis,
    starting its own embedded model exactly as a person's `make run-cluster` does (one server for all app
    processes, supervised); `--no-llm` with a closed LLM port when no line needs the model. Returns (the
    process, its port, the model's URL) once the cluster says it is up."""
    from support.llm import models_settings

    from powerforge.cluster.stack import free_port, wait_until

    port, llm_url = free_port(), f"http://127.0.0.1:{free_port()}/v1"
    data = base / f"var-{tag}"
    data.mkdir(mode=0o755)
    (data / "models").symlink_to(models_settings().models_dir.resolve())  # the installed models, not a copy
    env = {**os.environ, "DATA_DIR": str(data), "DATABASE_URL": db_url, "REDIS_URL": redis_url,
           "LLM_BASE_URL": llm_url, "LLM_EMBEDDED": "true", "LLM_EMBEDDED_MODEL": args.model,
           "LLM_MODEL": args.model, "PYTHONUNBUFFERED": "1"}  # fmt: skip
    if args.threads:
        env["LLM_EMBEDDED_THREADS"] = str(args.threads)
    log = (base / "logs" / f"serve-{tag}.log").open("ab")
    cmd = [sys.executable, "-m", "powerforge.cli", "serve", "--cluster", "--apps", str(apps), "--workers", "1",
           "--port", str(port)] + ([] if args.model_every else ["--no-llm"])  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    wait_until(lambda: "cluster is up" in _text(base / "logs" / f"serve-{tag}.log"), 600,
               f"the cluster with {apps} app process(es)", proc)  # fmt: skip
    return proc, port, llm_url


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _model_up(llm_url: str) -> bool:
    import httpx

    try:
        return httpx.get(llm_url.removesuffix("/v1") + "/health", timeout=10).status_code == 200
    except httpx.HTTPError:
        return False


def _spread(base: Path, tag: str) -> str:
    """How many chat sockets each app process held (nginx's access log names the upstream of each)."""
    log = base / f"var-{tag}" / "cluster" / "logs" / "nginx-access.log"
    found = re.findall(r'"GET /ws/socket\.io/\S*transport=websocket\S* [^"]*" 101 \d+ upstream=(\S+)',
                       log.read_text(errors="replace") if log.exists() else "")  # fmt: skip
    counts = Counter(found)
    return " / ".join(str(counts[u]) for u in sorted(counts)) or "?"


def _app_errors(base: Path, tag: str) -> int:
    """Tracebacks the app processes logged during the run (an error the person may not have seen)."""
    logs = base / f"var-{tag}" / "cluster" / "logs"
    return sum(p.read_text(errors="replace").count("Traceback") for p in logs.glob("app-*.log"))


def run_chats(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from support.llm import env_missing_reason, model_installed

    from powerforge.cluster.stack import Stack, start_postgres, start_redis
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.migrate import upgrade

    reason = env_missing_reason()
    if args.model_every and (reason or not model_installed(args.model)):
        sys.exit(reason or f"model {args.model} is not installed (powerforge models pull {args.model})")
    base = Path(tempfile.mkdtemp(prefix="pf-bench-chats-"))
    base.chmod(0o755)  # the `postgres` user must reach the data dir when this runs as root
    (base / "logs").mkdir()
    stack = Stack(base)
    rows: list[dict[str, Any]] = []
    loads: dict[int, float] = {}
    try:
        db_url, redis_url = start_postgres(stack), start_redis(stack)
        upgrade(db_url)
        engine = make_engine(db_url)
        for apps in args.apps:
            tag = f"{apps}app"
            users = [f"chat{apps}-{i}" for i in range(args.chats)]
            for u in users:
                create_account(u, CHAT_PASSWORD, engine=engine)
            proc, port, llm_url = _serve_cluster(base, apps, db_url, redis_url, args, tag)
            try:
                url = f"http://127.0.0.1:{port}"
                every = args.model_every
                plans = [CHAT_LINES + ([MODEL_LINE] if every and i % every == 0 else []) for i in range(args.chats)]
                t0 = time.perf_counter()
                part: list[dict[str, Any]] = []
                killed: list[int] = []
                asyncio.run(_all(url, users, plans, part, tag, args.kill_model_after, llm_url, killed))
                wall = time.perf_counter() - t0
                loads[apps] = os.getloadavg()[1]
                for r in part:
                    r["wall"] = wall
                rows += part
                serve_log = _text(base / "logs" / f"serve-{tag}.log")
                rows.append({"apps": tag, "kind": "_meta", "tracebacks": _app_errors(base, tag), "wall": wall,
                             "spread": _spread(base, tag), "model_up": not every or _model_up(llm_url),
                             "model_restarts": serve_log.count("restarting it"), "killed": killed})  # fmt: skip
            finally:
                os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the supervisor stops its pieces by PID
                try:
                    proc.wait(120)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        engine.dispose()
    finally:
        stack.stop()
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        (out / "cluster_chats.json").write_text(json.dumps(rows, indent=1, default=str))
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    _print_chats(rows, args, loads)


async def _all(url: str, users: list[str], plans: list[list[tuple[str, str]]], rows: list[dict[str, Any]],
               tag: str, kill_after: float, llm_url: str, killed: list[int]) -> None:  # fmt: skip
    chats = asyncio.gather(*(_one_person(url, u, f"127.0.{i + 1}.1", plan, rows, tag)
                             for i, (u, plan) in enumerate(zip(users, plans, strict=True))))  # fmt: skip
    if kill_after > 0:
        await asyncio.sleep(kill_after)
        pid = _model_pid(llm_url)
        if pid is not None:  # SIGKILL mid-run: the cluster's supervisor must bring it back, the turns must wait
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    await chats


def _model_pid(llm_url: str) -> int | None:
    """The embedded server this run's cluster started: the pf_llm.serve process on the model URL's port."""
    port = llm_url.rsplit(":", 1)[1].split("/")[0]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"pf_llm.serve" in args and b"--port" in args and args[args.index(b"--port") + 1] == port.encode():
            return int(proc.name)
    return None


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(v for v in values if v == v)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _print_chats(rows: list[dict[str, Any]], args: argparse.Namespace, loads: dict[int, float]) -> None:
    print(f"\n{args.chats} concurrent chats through nginx ({os.cpu_count()} CPU cores; model {args.model}, "
          f"one embedded server; 1 vs 2 app processes, same run)\n")  # fmt: skip
    print("| app processes | chats per process | kind | turns | answered | errors | false 'down' | app tracebacks "
          "| p50 s | p95 s | p95 vs 1 app | wall s | load avg (5 min) |")  # fmt: skip
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base95: dict[str, float] = {}
    for apps in args.apps:
        tag = f"{apps}app"
        meta = next((r for r in rows if r["apps"] == tag and r["kind"] == "_meta"), None)
        if meta is None:
            continue
        for kind in ("code", "model"):
            rs = [r for r in rows if r["apps"] == tag and r["kind"] == kind]
            times = [r["s"] for r in rs if r.get("ok")]
            errors = sum(1 for r in rs if not r.get("ok") and not r.get("down"))
            p95 = _pct(times, 0.95)
            base95.setdefault(kind, p95)
            answered, downs = sum(bool(r.get("ok")) for r in rs), sum(bool(r.get("down")) for r in rs)
            p50, ratio, wall, tb = _pct(times, 0.5), p95 / base95[kind], meta["wall"], meta["tracebacks"]
            print(f"| {apps} | {meta['spread']} | {kind} | {len(rs)} | {answered} | {errors} | {downs} | {tb} "
                  f"| {p50:.2f} | {p95:.2f} | {ratio:.2f}x | {wall:.0f} | {loads[apps]:.1f} |")  # fmt: skip
    bad = [r for r in rows if r["kind"] != "_meta" and not r.get("ok")]
    for r in bad[:6]:
        print("  ", json.dumps(r, default=str)[:300])
    metas = [r for r in rows if r["kind"] == "_meta"]
    up, restarts = all(r.get("model_up") for r in metas), sum(r.get("model_restarts", 0) for r in metas)
    kills = sum(len(r.get("killed") or []) for r in metas)
    print(f"\nModel server killed (SIGKILL) during the runs: {kills} time(s); answering at the end of each run: {up}; "
          f"restarts by its supervisor: {restarts}. Goal (issue 18): 0 errors at 20 concurrent chats.")  # fmt: skip


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
    ap.add_argument("--chats", type=int, default=0, help="N concurrent chats through nginx instead of video jobs")
    ap.add_argument("--model-every", type=int, default=5, help="with --chats: every Nth person also sends a line "
                    "the model places (default 5: 4 of 20)")  # fmt: skip
    ap.add_argument("--model", default="qwen2.5-1.5b-instruct", help="with --chats: the embedded model")
    ap.add_argument("--threads", type=int, default=None, help="with --chats: llama.cpp threads")
    ap.add_argument("--apps", type=int, nargs="+", default=[1, 2], help="with --chats: app process counts to run")
    ap.add_argument("--kill-model-after", type=float, default=0.0,
                    help="with --chats: SIGKILL the embedded model server this many seconds into each run")  # fmt: skip
    ap.add_argument("--keep", action="store_true", help="with --chats: keep the run's logs (printed path)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.chats:
        run_chats(args)
        return
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
