"""What the loopback benchmarks share: the feed server of `../shared/bench`, a config of its
feeds, and one fresh process timed by /usr/bin/time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.paths import SHARED

BENCH_DIR = Path(os.environ.get("BENCH_DIR", str(SHARED / "bench")))
# Child processes resolve `*.example` names offline (see its sitecustomize.py).
OFFLINE_RESOLVER = Path(__file__).parent / "offline_resolver"
SUMMITWATCH = Path(sys.executable).parent / "summitwatch"


def missing() -> str | None:
    """Why the loopback benchmarks cannot run here, or None."""
    if not (BENCH_DIR / "feedserver.py").exists():
        return f"{BENCH_DIR}/feedserver.py not found (set BENCH_DIR)"
    if not Path("/usr/bin/time").exists():
        return "/usr/bin/time missing (apt-get install time)"
    return None


@contextmanager
def feed_server(feeds: int, folder: Path) -> Iterator[str]:
    """The shared feed server with `feeds` feeds on 127.0.0.1; yields its base URL."""
    port_file = folder / "port"
    serve = [sys.executable, str(BENCH_DIR / "feedserver.py"), "--feeds", str(feeds)]
    server = subprocess.Popen(
        [*serve, "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "the feed server did not start"
            assert server.poll() is None, "the feed server exited"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port_file.read_text().strip()}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def feed_urls(server: str, count: int) -> list[str]:
    urls = httpx.get(f"{server}/__urls?n={count}").text.split()
    assert len(urls) == count
    return urls


def config_text(urls: Sequence[str], poll: str = "full_text = false\n") -> str:
    """A config polling `urls`, with `poll` as its [poll] table."""
    sources = (f'[[sources]]\nname = "{u}"\nurl = "{u}"\ncountry = "US"\n\n' for u in urls)
    return f"[poll]\n{poll}\n" + "".join(sources)


def poll_command(config: Path, db: Path) -> list[str]:
    return [str(SUMMITWATCH), "poll", "--all", "--config", str(config), "--db", str(db)]


def timed(
    command: list[str], output: list[str] | None = None, cpu: list[float] | None = None
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process, by /usr/bin/time: a child of
    this (large) process would count its copy of us, made before exec, in its peak. Its
    standard output goes to `output` when given, its CPU seconds (user and system: steadier
    than the wall clock on a shared machine) to `cpu`."""
    path = os.pathsep.join(filter(None, [str(OFFLINE_RESOLVER), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M %U %S", *command],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if output is not None:
        output.append(done.stdout)
    wall, peak_kb, user, system = done.stderr.split()[-4:]
    if cpu is not None:
        cpu.append(float(user) + float(system))
    return float(wall), int(peak_kb) / 1024
