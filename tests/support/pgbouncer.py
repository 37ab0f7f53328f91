"""Start Debian's PgBouncer in transaction mode in front of a test PostgreSQL (what managed poolers do)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from support.postgres import PostgresServer, free_port

PGBOUNCER = "/usr/sbin/pgbouncer"


@dataclass
class PgBouncer:
    proc: subprocess.Popen
    port: int
    log: Path

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_pgbouncer(pg: PostgresServer, server_sessions: int = 1) -> PgBouncer | str:
    """A running pooler (transaction mode, `server_sessions` server connections per database), or why not.

    One server session makes the pooler hand every client's transactions to the same session, so state a
    client leaves on it (a prepared statement) meets the next client at once, as it does on a busy pooler.
    """
    binary = shutil.which("pgbouncer") or PGBOUNCER
    if not Path(binary).exists():
        return "PgBouncer is not installed (apt-get install pgbouncer)"
    base = Path(tempfile.mkdtemp(prefix="pf-pgb-"))
    base.chmod(0o755)
    port = free_port()
    (base / "users.txt").write_text('"postgres" ""\n')
    (base / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={pg.port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {base / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {server_sessions}\nmax_client_conn = 200\n"
        f"logfile = {base / 'pgbouncer.log'}\npidfile = {base / 'pgbouncer.pid'}\n"
    )
    if pg.run_as:  # PgBouncer refuses to run as root, like PostgreSQL
        for f in base.iterdir():
            shutil.chown(f, user=pg.run_as)
        shutil.chown(base, user=pg.run_as)
    cmd = (["runuser", "-u", pg.run_as, "--"] if pg.run_as else []) + [binary, str(base / "pgbouncer.ini")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"PgBouncer exited: {proc.stderr.read().decode(errors='replace')[-300:] if proc.stderr else ''}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return PgBouncer(proc, port, base / "pgbouncer.log")
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return "PgBouncer did not listen within 15 s"
