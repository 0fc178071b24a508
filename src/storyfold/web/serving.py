"""Running the app in-process: uvicorn on a free loopback port in a background
thread (for tests, screenshots and benchmarks), and Debian's chromium driven
by Playwright (``playwright install`` is not needed: the system browser is used).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storyfold.errors import MissingDependency, StoryfoldError

CHROMIUM = "/usr/bin/chromium"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def background_server(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yields its base URL, stops it after."""
    import uvicorn

    port = free_port(host)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="storyfold-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise StoryfoldError(f"the web server did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serve_process(
    db: str | Path, *args: str, token: str | None = None, timeout: float = 120.0
) -> Iterator[str]:
    """``storyfold serve --db DB ARGS`` in a child process on a free loopback
    port (the token, if any, through ``STORYFOLD_TOKEN``); yields its base URL
    once it answers, and stops it after."""
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "STORYFOLD_TOKEN"}
    if token is not None:
        env["STORYFOLD_TOKEN"] = token
    command = [sys.executable, "-m", "storyfold", "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen([*command, *args], env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(base + "/api/stories", timeout=timeout).raise_for_status()
                break
            except httpx.TransportError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    error = server.stderr.read() if server.stderr else ""
                    raise StoryfoldError(f"storyfold serve did not start: {error}") from exc
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


@contextmanager
def launch_chromium(executable: str = CHROMIUM) -> Iterator[Any]:
    """A headless chromium under Playwright's control."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise MissingDependency("driving a browser", "pip install playwright") from exc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()
