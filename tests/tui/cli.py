"""The installed `summitwatch` command, run as a user runs it, in an isolated home: its config
and data folders under a temporary one, never the real home's.

One helper per way the tests run it: to its end (`summitwatch`), running on (`start`), and
the demo dashboard served on a free port of 127.0.0.1 (`serving_demo`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def isolated_env(home: Path) -> dict[str, str]:
    """This process's environment with the config and data folders under `home`."""
    env = dict(os.environ)
    env["SUMMITWATCH_CONFIG"] = str(home / "config.toml")
    env["SUMMITWATCH_DATA_DIR"] = str(home / "data")
    return env


def summitwatch(
    *args: str, env_dir: Path, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `summitwatch ARGS` in the home `env_dir` to its end; its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=isolated_env(env_dir),
        timeout=timeout,
        check=False,
    )


def start(*args: str, env_dir: Path, **popen: Any) -> subprocess.Popen[Any]:
    """Start `summitwatch ARGS` in the home `env_dir` (the caller ends it); `popen` as for
    `subprocess.Popen` (its pipes, text)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli", *args], env=isolated_env(env_dir), **popen
    )


def free_port() -> int:
    """A TCP port of 127.0.0.1 free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving_demo(home: Path, *, seconds: float = 20) -> Iterator[str]:
    """`summitwatch --demo serve` on a free port, in the home `home`; yields its address once
    it answers, and stops it after."""
    port = free_port()
    server = start(
        "--demo",
        "serve",
        "--port",
        str(port),
        env_dir=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"serve did not answer in {seconds:g} s"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
