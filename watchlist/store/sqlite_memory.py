"""Turning off SQLite's memory statistics, so threads reading a store do not queue on one lock.

SQLite keeps a count of the bytes it has allocated (``SQLITE_CONFIG_MEMSTATUS``, on unless the
library was built without it) and takes one process-wide mutex around every allocation to
keep it. Two threads exporting a store (:mod:`watchlist.store.parallel_read`) allocate for
every row they build (``printf``, ``json_object``) and spend their time waiting on that mutex:
measured on a 1,000,000-entry store, the CSV export took 17.6 s with the statistics on and
10.2 s without, the NDJSON export 20.3 s and 14.9 s (docs/benchmarks.md). Nothing of ours
reads the statistics.

The setting can change only while SQLite holds nothing: :func:`stop_memory_statistics` runs
at the CLI's start, and changes it only when it can prove that — Python's ``sqlite3`` uses the
library it found (a probe connection shows up in its count), nothing else is open (the count
is back to zero once the probe is closed) and no other thread runs. Otherwise it leaves SQLite
as it is, which is only slower.
"""

from __future__ import annotations

import ctypes
import sqlite3
import threading
from functools import cache

_SQLITE_OK = 0
_SQLITE_CONFIG_MEMSTATUS = 9
_done = False


def stop_memory_statistics() -> bool:
    """Turn SQLite's memory statistics off for this process if that is provably safe now;
    whether they are off (by this call or an earlier one)."""
    global _done
    if _done:
        return True
    if threading.active_count() != 1:
        return False
    library = _library()
    if library is None:
        return False
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELECT 1").fetchall()
        counted = library.sqlite3_memory_used() > 0  # our library, and it counts
    finally:
        probe.close()
    if not counted or library.sqlite3_memory_used() != 0:  # not ours, or something is open
        return False
    if library.sqlite3_shutdown() != _SQLITE_OK:
        return False
    configured = bool(
        library.sqlite3_config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == _SQLITE_OK
    )
    if library.sqlite3_initialize() != _SQLITE_OK:  # sqlite3.connect would initialize it too
        return False
    _done = configured
    return configured


def memory_used() -> int | None:
    """The bytes SQLite counts as allocated now (0 while its statistics are off); None when
    its library cannot be loaded."""
    library = _library()
    return None if library is None else int(library.sqlite3_memory_used())


@cache  # (sqlite3 is imported above: what it maps does not change)
def _library() -> ctypes.CDLL | None:
    """The SQLite library Python's ``sqlite3`` links: the file the process has mapped (a
    second ``dlopen`` of a loaded library returns it), else the system's by name."""
    name = _mapped_library()
    if name is None:
        from ctypes.util import find_library  # (not at import: it costs the start-up 13 ms)

        name = find_library("sqlite3")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
        library.sqlite3_memory_used.restype = ctypes.c_int64
        library.sqlite3_memory_used.argtypes = []
        library.sqlite3_libversion.restype = ctypes.c_char_p
    except (OSError, AttributeError):
        return None
    if library.sqlite3_libversion().decode() != sqlite3.sqlite_version:
        return None  # another copy than the one Python uses
    return library


def _mapped_library() -> str | None:
    """The path of the SQLite library this process has loaded (Linux), if any."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").split(maxsplit=5)[-1]
                if "/libsqlite3" in path:
                    return path
    except OSError:
        return None
    return None
