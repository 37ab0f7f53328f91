"""Start a throwaway PostgreSQL cluster from Debian's binaries (initdb + pg_ctl) on a free port."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresServer:
    bin_dir: Path
    data_dir: Path
    port: int
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """Create an empty database and return its URL (one per test keeps tests independent)."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "stop"),
                       capture_output=True, check=False)  # fmt: skip


def start_postgres(base: Path) -> PostgresServer | str:
    """A running server, or a string saying why none could start (the caller skips with it)."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        return "PostgreSQL server binaries not installed (apt-get install postgresql)"
    run_as = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
            run_as = "postgres"
        except KeyError:
            return "running as root and no 'postgres' user to run the server as"
        # pytest's temp dirs are private to root; the server user needs a directory it can reach.
        base = Path(tempfile.mkdtemp(prefix="pf-pg-"))
        base.chmod(0o755)
        shutil.chown(base, user="postgres")
    data = base / "data"
    port = free_port()
    srv = PostgresServer(bin_dir, data, port, run_as)
    init = subprocess.run(
        srv._cmd(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if init.returncode != 0:
        return f"initdb failed: {init.stderr.strip()[-300:]}"
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    start = subprocess.run(
        srv._cmd(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if start.returncode != 0:
        return f"PostgreSQL did not start: {start.stderr.strip()[-300:]}"
    return srv
