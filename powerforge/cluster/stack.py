"""`powerforge serve --cluster` (`make run-cluster`): the cluster shape on one machine, from Debian packages.

Starts, in order: PostgreSQL (data under DATA_DIR/cluster/pg, unless DATABASE_URL names a server),
Redis, the schema migration, the embedded LLM server once (unless LLM_BASE_URL points elsewhere),
two check-in scheduler processes (leader + standby), N Celery workers on the `video` queue, two
Chainlit app processes, and nginx in front of them (websocket upgrade headers, ip_hash sticky
sessions). Every process is started by this one and stopped by PID, in reverse order, on Ctrl-C or
SIGTERM. Uploads live in DATA_DIR/files, which every process shares (docs/deploy.md: object storage).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powerforge.config import Settings, override_settings

ROOT = Path(__file__).resolve().parents[2]


class ClusterError(RuntimeError):
    """A piece could not start; the message says which and what to install or change."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            raise ClusterError(f"{what} exited with status {proc.returncode}")
        time.sleep(0.2)
    raise ClusterError(f"{what} did not come up within {timeout:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Stack:
    """The processes of one cluster, stopped together (a restarted piece replaces its entry)."""

    base: Path
    procs: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    stops: list[Callable[[], None]] = field(default_factory=list)
    specs: dict[str, tuple[list[str], dict[str, str] | None]] = field(default_factory=dict)

    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.base / "logs" / f"{name}.log").open("ab")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs = [(n, p) for n, p in self.procs if n != name] + [(name, proc)]
        self.specs[name] = (cmd, env)
        self._write_pids()
        return proc

    def kill_group(self, name: str) -> None:
        """SIGKILL what is left of a piece's process group (a worker's pool process outlives its parent)."""
        with contextlib.suppress(ProcessLookupError, KeyError):
            os.killpg(dict(self.procs)[name].pid, signal.SIGKILL)

    def respawn(self, name: str) -> subprocess.Popen:
        """Start a piece again with the command it was started with (its log continues)."""
        self.kill_group(name)
        cmd, env = self.specs[name]
        return self.spawn(name, cmd, env)

    def _write_pids(self) -> None:
        pids = {name: p.pid for name, p in self.procs}
        (self.base / "pids.json").write_text(json.dumps(pids, indent=1))

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM every process (newest first), SIGKILL what is left after `timeout`."""
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, proc in reversed(self.procs):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name} (pid {proc.pid}) did not stop; killing it", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            with contextlib.suppress(ProcessLookupError):  # children left in the group (a worker's pool)
                os.killpg(proc.pid, signal.SIGKILL)
        for stop in reversed(self.stops):
            with contextlib.suppress(Exception):
                stop()
        self.procs.clear()
        self._write_pids()


# ------------------------------------------------------------------ PostgreSQL and Redis
def _pg_bin() -> Path:
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise ClusterError("PostgreSQL is not installed: apt-get install postgresql (or set DATABASE_URL)")
    return Path(found[-1]).parent


def start_postgres(stack: Stack) -> str:
    """A PostgreSQL server on its own data dir (kept between runs); returns the app's database URL."""
    bin_dir = _pg_bin()
    data = stack.base / "pg"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse root: run them as the `postgres` user
        try:
            pwd.getpwnam("postgres")
        except KeyError as e:
            raise ClusterError("running as root and there is no 'postgres' user to run the server") from e
        run_as = ["runuser", "-u", "postgres", "--"]
    sock_dir = stack.base / "pg-socket"
    for d in (data, sock_dir):
        d.mkdir(parents=True, exist_ok=True)
        if run_as:
            shutil.chown(d, user="postgres")
    data.chmod(0o700)
    if run_as and subprocess.run([*run_as, "test", "-w", str(data)], check=False).returncode != 0:
        raise ClusterError(f"the 'postgres' user cannot reach {data}: make DATA_DIR's parents world-searchable "
                           "(chmod o+x) or set DATABASE_URL to a running server")  # fmt: skip
    if not (data / "PG_VERSION").exists():
        init = subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                               "-E", "UTF8"], capture_output=True, text=True, check=False)  # fmt: skip
        if init.returncode != 0:
            raise ClusterError(f"initdb failed: {init.stderr.strip()[-300:]}")
    port = free_port()
    proc = stack.spawn("postgres", [*run_as, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                                    "-k", str(sock_dir), "-c", "listen_addresses=127.0.0.1"])  # fmt: skip
    wait_until(lambda: port_open(port), 60, "PostgreSQL", proc)
    import psycopg

    def ready() -> bool:
        try:
            with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    wait_until(ready, 60, "PostgreSQL", proc)
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = 'powerforge'").fetchone() is None:
            c.execute('CREATE DATABASE "powerforge"')
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/powerforge"


def start_redis(stack: Stack) -> str:
    exe = shutil.which("redis-server")
    if exe is None:
        raise ClusterError("redis-server is not installed: apt-get install redis-server (or set REDIS_URL)")
    data = stack.base / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = stack.spawn("redis", [exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                                 "--appendonly", "yes", "--save", ""])  # fmt: skip
    wait_until(lambda: port_open(port), 30, "Redis", proc)
    return f"redis://127.0.0.1:{port}/0"


def start_chroma(stack: Stack) -> str:
    """One Chroma server for the coach's memory, shared by every app process (a folder store per process
    would not see the others' notes); its data lives under the cluster's folder."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        raise ClusterError(f"the Chroma server ({exe}) is missing: run `uv sync` (chromadb is a dependency)")
    data = stack.base / "memory"
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = stack.spawn("memory", [str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)])
    wait_until(lambda: port_open(port), 60, "the memory server (Chroma)", proc)
    return f"http://127.0.0.1:{port}"


# ------------------------------------------------------------------ nginx
NGINX_CONF = """\
# Generated by `powerforge serve --cluster`; rewritten at every start.
{user}worker_processes 1;
daemon off;
pid {base}/nginx.pid;
error_log {base}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    # which app process served each request ($upstream_addr): how the clients spread over the processes
    log_format pf '$remote_addr [$time_local] "$request" $status $body_bytes_sent upstream=$upstream_addr';
    access_log {base}/logs/nginx-access.log pf;
    client_body_temp_path {base}/nginx/body;
    proxy_temp_path {base}/nginx/proxy;
    fastcgi_temp_path {base}/nginx/fastcgi;
    uwsgi_temp_path {base}/nginx/uwsgi;
    scgi_temp_path {base}/nginx/scgi;
    client_max_body_size {max_mb}m;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream powerforge_app {{
        ip_hash;  # sticky: a browser keeps its app process (Socket.IO's polling fallback needs it)
{servers}
    }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://powerforge_app;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
            proxy_buffering off;
            proxy_request_buffering off;
        }}
    }}
}}
"""


def nginx_conf(base: Path, host: str, port: int, app_ports: list[int], max_mb: int) -> Path:
    for sub in ("nginx", "logs"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in app_ports)
    user = "user root;\n" if os.geteuid() == 0 else ""  # else workers run as nobody and cannot write base/
    path = base / "nginx" / "nginx.conf"
    path.write_text(NGINX_CONF.format(user=user, base=base, servers=servers, host=host, port=port, max_mb=max_mb))
    return path


def start_nginx(stack: Stack, host: str, port: int, app_ports: list[int], max_mb: int) -> None:
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if exe is None:
        raise ClusterError("nginx is not installed: apt-get install nginx")
    conf = nginx_conf(stack.base, host, port, app_ports, max_mb)
    test = subprocess.run([exe, "-t", "-c", str(conf), "-e", str(stack.base / "logs/nginx-error.log")],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if test.returncode != 0:
        raise ClusterError(f"nginx refused its configuration: {test.stderr.strip()[-400:]}")
    proc = stack.spawn("nginx", [exe, "-c", str(conf), "-e", str(stack.base / "logs/nginx-error.log")])
    wait_until(lambda: port_open(port), 30, "nginx", proc)


# ------------------------------------------------------------------ the whole stack
def run(settings: Settings, *, host: str, port: int, workers: int = 2, apps: int = 2, with_llm: bool = True,
        on_ready: Callable[[str], None] = print) -> int:  # fmt: skip
    """Start every piece, wait for Ctrl-C / SIGTERM or a piece dying, stop everything; returns an exit code."""
    from storage.migrate import upgrade

    base = (settings.data_dir / "cluster").resolve()
    (base / "logs").mkdir(parents=True, exist_ok=True)
    stack = Stack(base)
    stopping: list[int] = []
    up = False

    def _signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        if not up:  # still starting: leave the start-up waits now; `finally` stops what already runs
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _signal)
    signal.signal(signal.SIGINT, _signal)
    try:
        if settings.database_url and not settings.db_url.startswith("postgresql"):
            raise ClusterError(
                "cluster mode needs PostgreSQL (advisory locks, several writers): set DATABASE_URL "
                "to a postgresql:// URL, or leave it empty to start one under DATA_DIR/cluster"
            )
        db_url = settings.database_url or start_postgres(stack)
        redis_url = settings.redis_url if settings.redis_url and _redis_up(settings.redis_url) else start_redis(stack)
        data_dir = settings.data_dir.resolve()
        s = settings.model_copy(update={"database_url": db_url, "redis_url": redis_url, "jobs_backend": "celery",
                                        "data_dir": data_dir})  # fmt: skip
        override_settings(s)  # this process's own database work (the admin account) goes to the cluster's
        upgrade(s.db_url)
        from powerforge.commands import ensure_admin

        created = ensure_admin(s)
        env = {**os.environ, "DATABASE_URL": s.db_url, "REDIS_URL": redis_url, "JOBS_BACKEND": "celery",
               "DATA_DIR": str(data_dir), "CHAINLIT_AUTH_SECRET": s.resolved_auth_secret(), "PYTHONUNBUFFERED": "1",
               "LLM_EMBEDDED": "false", "MEMORY_URL": settings.memory_url or start_chroma(stack)}  # fmt: skip
        if with_llm and settings.llm_embedded:
            env["LLM_BASE_URL"] = _start_llm(stack, s)
            # The app processes see LLM_EMBEDDED=false (they start no server), which would let each send 8
            # requests at once; the embedded server has one slot, so each queues its own, one at a time.
            env.setdefault("LLM_PARALLEL", "1")
        py = sys.executable
        for i in (1, 2):
            stack.spawn(f"scheduler-{i}", [py, "-m", "powerforge.cluster.scheduler"], env)
            if i == 1:  # the first one leads: the app processes' own schedulers then only deliver
                wait_until(lambda: "started as" in _log(base, "scheduler-1"), 120, "the check-in scheduler")
        for i in range(1, workers + 1):
            stack.spawn(f"worker-{i}", [py, "-m", "celery", "-A", "powerforge.cluster.worker", "worker", "-Q", "video",
                                        "-c", "1", "-n", f"w{i}@%h", "-l", "INFO"], env)  # fmt: skip
        app_ports = [free_port() for _ in range(apps)]
        app_procs = []
        for i, p in enumerate(app_ports, start=1):
            cmd = [py, "-m", "chainlit", "run", str(ROOT / "app.py"), "--headless", "--host", "127.0.0.1"]
            cmd += ["--port", str(p)]
            app_procs.append(stack.spawn(f"app-{i}", cmd, env))
        for p, proc in zip(app_ports, app_procs, strict=True):
            wait_until(lambda p=p: port_open(p) or bool(stopping), 300, f"the app process on port {p}", proc)
        start_nginx(stack, host, port, app_ports, settings.upload_max_mb + 10)
        on_ready(f"Power Forge cluster is up on http://{host}:{port} ({apps} app processes, {workers} workers; "
                 f"logs in {base / 'logs'}). Ctrl-C stops everything.")  # fmt: skip
        up = True
        if created:
            on_ready(f"First run: sign in as '{created[0]}' with password '{created[1]}'")
        return _supervise(stack, s, stopping, on_ready)
    except ClusterError as e:
        print(f"The cluster could not start: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        stack.stop()


RESTARTED = ("worker-", "app-", "scheduler-")  # the rest (database, Redis, memory, nginx) are fatal when they exit
MAX_RESTARTS = 5  # per piece within RESTART_WINDOW_S, then the cluster stops: something is broken, not unlucky
RESTART_WINDOW_S = 120.0


def _supervise(stack: Stack, s: Settings, stopping: list[int], say: Callable[[str], None]) -> int:
    """Restart a worker, app process or scheduler that exits (a killed worker's jobs go to the others at
    once); stop everything when the database, Redis or nginx exits or a piece keeps dying."""
    from powerforge.cluster.recover import requeue_orphans
    from storage.engine import engine_for

    restarts: dict[str, list[float]] = {}
    while not stopping:
        for name, proc in list(stack.procs):
            if proc.poll() is None:
                continue
            logs = stack.base / "logs"
            if not name.startswith(RESTARTED):
                say(f"{name} (pid {proc.pid}) exited with status {proc.returncode}; stopping (see {logs}/{name}.log)")
                return 1
            now = time.monotonic()
            recent = [t for t in restarts.get(name, []) if now - t < RESTART_WINDOW_S] + [now]
            restarts[name] = recent
            if len(recent) > MAX_RESTARTS:
                say(f"{name} exited {len(recent)} times in {RESTART_WINDOW_S:.0f} s; stopping (see {logs}/{name}.log)")
                return 1
            say(f"{name} (pid {proc.pid}) exited with status {proc.returncode}; starting it again")
            if name.startswith("worker-"):
                stack.kill_group(name)  # an orphaned pool process would still hold its job's lock
                time.sleep(0.5)  # and Postgres ends that session (releasing the lock) as the socket closes
                try:
                    requeue_orphans(s, engine_for(s.db_url))
                except Exception as e:  # the visibility timeout still brings the jobs back, later
                    say(f"could not requeue the jobs of {name} now ({e}); Redis will after the visibility timeout")
            new = stack.respawn(name)
            say(f"{name} restarted (pid {new.pid})")
        time.sleep(0.5)
    return 0


def _log(base: Path, name: str) -> str:
    path = base / "logs" / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _start_llm(stack: Stack, s: Settings) -> str:
    """The embedded llama.cpp server, once for all app processes (vLLM replicas: set LLM_BASE_URL instead),
    under the same supervisor as `powerforge serve`: restarted with backoff when it dies, and its state file
    (per host and port) tells every app process to wait for it ("the model is restarting") instead of
    saying it is down. Unsupervised, a killed server stayed dead for the whole cluster."""
    from models.llm_server import Supervisor
    from powerforge.commands import _start_embedded_llm

    llm = _start_embedded_llm(s)
    if llm is None:
        return s.llm_base_url
    stack.stops.append(Supervisor(llm).start().stop)
    return s.llm_base_url
