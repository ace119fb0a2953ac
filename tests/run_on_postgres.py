"""Run the test suite again on a throwaway PostgreSQL cluster, then remove the cluster.

Used by `make test`. It creates a cluster in a temporary folder, starts it on a loopback port,
creates the `blog_test` database and runs pytest with FLASK_SQLALCHEMY_DATABASE_URI pointing at
it. When PostgreSQL is missing it installs Debian's package (as root). When that is impossible it
says why and skips, except under CI (CI=true), where a skip is a failure.

Usage: python tests/run_on_postgres.py [pytest arguments...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from live_server import free_port  # this script runs from tests/, beside live_server.py

ROOT = Path(__file__).resolve().parent.parent
PREFERRED_PORT = 15432  # below the ephemeral range, so no TIME-WAIT socket holds it


def find_postgres_bin() -> Path | None:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def install_postgres() -> str | None:
    """Install Debian's postgresql package; returns why it could not, or None."""
    if os.geteuid() != 0:
        return "PostgreSQL is not installed and installing it needs root"
    if shutil.which("apt-get") is None:
        return "PostgreSQL is not installed and there is no apt-get to install it"
    print("Installing PostgreSQL (apt-get install postgresql)...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "postgresql"],
    ):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            return f"'{' '.join(command)}' failed"
    return None


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def skip(reason: str) -> int:
    print(f"\nPostgreSQL tests SKIPPED: {reason}.", flush=True)
    if os.environ.get("CI", "").lower() == "true":
        print("Under CI (CI=true) a skipped PostgreSQL run is a failure.", flush=True)
        return 1
    return 0


def main(pytest_args: list[str]) -> int:
    pg_bin = find_postgres_bin()
    if pg_bin is None:
        reason = install_postgres()
        if reason:
            return skip(reason)
        pg_bin = find_postgres_bin()
        if pg_bin is None:
            return skip("the postgresql package installed no server binaries")

    folder = Path(tempfile.mkdtemp(prefix="blog-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port(PREFERRED_PORT)

    def run(command: list[str]) -> None:
        subprocess.run(as_postgres(command), check=True, stdout=subprocess.DEVNULL)

    try:
        run(
            [
                str(pg_bin / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        run([
            str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
            "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off",
            "start",
        ])  # fmt: skip
        run(
            [
                str(pg_bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "blog_test",
            ]
        )
        uri = f"postgresql+psycopg://postgres@127.0.0.1:{port}/blog_test"
        print(f"\nRunning the tests on PostgreSQL ({pg_bin.parent.name}) at {uri}", flush=True)
        env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": uri}
        return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        print(log.read_text() if log.exists() else "", file=sys.stderr)
        return skip(f"the throwaway cluster did not start ({error})")
    finally:
        subprocess.run(
            as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
