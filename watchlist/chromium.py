"""Find a Chromium for the sites that need a browser (``render: browser``).

The search order: an explicit path (``CHROMIUM_PATH``, read by :mod:`watchlist.settings` and
passed in here), then the system browsers (Debian's ``/usr/bin/chromium``,
``/usr/bin/chromium-browser``, ``/usr/bin/google-chrome``, the snap), then the builds that
``playwright install`` leaves in ``~/.cache/ms-playwright``. An explicit path is honoured as
given: when it does not point at an executable file the lookup fails with that reason instead
of quietly using another browser. :func:`install_chromium` runs ``playwright install chromium``
— the last resort, called only when a user asks for it, never by a crawl or a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SYSTEM_CHROMIUMS: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/snap/bin/chromium",
)
# Where `playwright install chromium` puts its builds, by Playwright version.
_PLAYWRIGHT_BUILDS = ("chromium-*/chrome-linux/chrome", "chromium-*/chrome-linux64/chrome")
INSTALL_HINT = (
    "set CHROMIUM_PATH, install Debian's chromium (apt-get install chromium), "
    "or run `python -m playwright install chromium`"
)


@dataclass(frozen=True, slots=True)
class ChromiumLookup:
    """The browser found (``path``), or None and the one-line ``reason`` why not."""

    path: str | None
    reason: str

    @property
    def found(self) -> bool:
        """Whether a browser was found."""
        return self.path is not None


def playwright_cache() -> Path:
    """The folder where ``playwright install`` keeps its browser builds."""
    return Path.home() / ".cache" / "ms-playwright"


def find_chromium(
    explicit: str | None = None,
    candidates: Sequence[str] = SYSTEM_CHROMIUMS,
    cache: Path | None = None,
) -> ChromiumLookup:
    """The Chromium to launch: ``explicit`` if given, else the first system or Playwright build.

    ``candidates`` and ``cache`` default to the system paths and Playwright's cache folder.
    """
    if explicit:
        problem = _unusable(Path(explicit))
        if problem:
            return ChromiumLookup(None, f"CHROMIUM_PATH={explicit}: {problem}")
        return ChromiumLookup(explicit, f"CHROMIUM_PATH={explicit}")
    for candidate in candidates:
        if not _unusable(Path(candidate)):
            return ChromiumLookup(candidate, f"system browser {candidate}")
    folder = cache if cache is not None else playwright_cache()
    builds = sorted(
        (path for pattern in _PLAYWRIGHT_BUILDS for path in folder.glob(pattern)),
        key=lambda path: _build_number(path),
        reverse=True,
    )
    for build in builds:
        if not _unusable(build):
            return ChromiumLookup(str(build), f"Playwright's build {build}")
    looked = ", ".join([*candidates, str(folder / "chromium-*")])
    return ChromiumLookup(None, f"no Chromium found (looked in {looked}): {INSTALL_HINT}")


def install_chromium(timeout: float = 600.0) -> ChromiumLookup:
    """Run ``playwright install chromium`` (needs the internet), then look again.

    The last resort when :func:`find_chromium` finds nothing: it downloads a browser build of
    Playwright's own, which fails on machines that reach only package registries.
    """
    command = [sys.executable, "-m", "playwright", "install", "chromium"]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ChromiumLookup(None, f"`playwright install chromium` failed: {exc}")
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return ChromiumLookup(
            None, f"`playwright install chromium` failed (exit {proc.returncode}): {last[0]}"
        )
    return find_chromium(candidates=())


def _unusable(path: Path) -> str | None:
    """Why ``path`` cannot be launched, or None when it is an executable file."""
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "not a file"
    if not os.access(path, os.X_OK):
        return "not executable"
    return None


def _build_number(path: Path) -> int:
    """The build number in ``…/chromium-1234/…`` (newest build first), 0 when unreadable."""
    for part in path.parts:
        if part.startswith("chromium-") and part[9:].isdigit():
            return int(part[9:])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m watchlist.chromium [--install]``: say which Chromium a crawl would use.

    With ``--install`` and none found, try ``playwright install chromium`` (the last resort; it
    needs the internet). Exit 0 when a browser is found, 1 otherwise — ``make demo`` goes on
    either way, and the demo skips its browser site with the reason.
    """
    from watchlist.settings import load

    args = list(sys.argv[1:] if argv is None else argv)
    found = find_chromium(load().chromium_path)
    if not found.found and "--install" in args:
        print(f"no Chromium found ({found.reason}); trying `playwright install chromium` …")
        found = install_chromium()
    print(
        f"browser: {found.path} ({found.reason})"
        if found.found
        else f"browser: none: {found.reason}"
    )
    return 0 if found.found else 1


if __name__ == "__main__":
    sys.exit(main())
