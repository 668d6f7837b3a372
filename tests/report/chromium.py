"""Headless Chromium (Debian's `chromium` package) for the report tests: the DOM after scripts, and screenshots."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
          "--virtual-time-budget=3000"]


def chromium_or_skip() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (`make chromium`, or apt-get install chromium)")
    return CHROMIUM


def _run(*args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="covpipe-chromium-") as profile:
        done = subprocess.run([str(chromium_or_skip()), *_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def dump_dom(page: Path) -> str:
    """The page's DOM once loaded and its scripts have run, serialised."""
    return _run("--dump-dom", page.resolve().as_uri())


def screenshot(page: Path, png: Path, *, width: int = 1280, height: int = 4000) -> Path:
    """A PNG of the top `height` pixels of the page."""
    _run(f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri())
    return png
