"""gunicorn for the load bench: started with gunicorn.conf.py as `make serve` starts it, on a free
loopback port, and stopped again; plus the CPU seconds its processes and wrk used."""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
FLASK = Path(sys.executable).parent / "flask"
START_TIMEOUT = 600  # seconds: workers import the app (fonts, schemes); minutes on a loaded machine
STOP_TIMEOUT = 40  # gunicorn.conf.py's graceful_timeout (30 s) and a margin
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], log_dir: Path, ready_path: str) -> Iterator[Server]:
    """Serve `app` (e.g. "bench.load_apps:hello()") with gunicorn.conf.py and the environment
    `env` on top of this process's; yield once `ready_path` answers 200. Its access log (JSON
    lines on stdout) and error log go to files in `log_dir`, never to a pipe nobody reads."""
    port = free_port()
    name = app.split(":")[1].strip("()")
    environ = {**os.environ, **env, "BIND": f"127.0.0.1:{port}"}
    with (
        open(log_dir / f"{name}-access.log", "wb") as out,
        open(log_dir / f"{name}-error.log", "wb") as err,
    ):
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(GUNICORN), "--config", "gunicorn.conf.py", app],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=err,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(process, url + ready_path, log_dir / f"{name}-error.log")
            yield Server(url, process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def job_worker(env: dict[str, str], log_dir: Path) -> Iterator[int]:
    """`flask --app cpd_log worker` with the app's environment, as README "Background jobs"
    runs it beside gunicorn: the PDF/ZIP exports of the mixed workload are rendered there.
    Yields its pid (its CPU counts with the app's); stopped with SIGTERM afterwards."""
    with open(log_dir / "worker.log", "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own flask, fixed arguments
            [str(FLASK), "--app", "cpd_log", "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(process: subprocess.Popen, url: str, error_log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{error_log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or workers still booting
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer 200 within {START_TIMEOUT} s")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) so far of `pid` and its children (gunicorn's workers)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pids += [int(child) for child in children]
    for one in pids:
        try:
            # Fields after the command's closing parenthesis; utime and stime are 14 and 15.
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker replaced meanwhile
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def children_cpu() -> float:
    """CPU seconds of the children this process has waited for (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
