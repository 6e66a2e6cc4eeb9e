"""SQLite's memory statistics go off at the CLI's start, only when that is provably safe.

Each case runs in a fresh interpreter: the setting is process-wide and can change only while
SQLite holds nothing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from watchlist.store.sqlite_memory import _library


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


pytestmark = pytest.mark.skipif(
    _library() is None, reason="Python's sqlite3 links no SQLite library ctypes can load"
)


def test_statistics_go_off_in_a_fresh_process_and_sqlite_still_works() -> None:
    out = _run(
        """
        import sqlite3
        from watchlist.store.sqlite_memory import memory_used, stop_memory_statistics
        print(stop_memory_statistics())
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
        print(db.execute("SELECT sum(x) FROM t").fetchone()[0], memory_used())
        """
    )
    assert out.splitlines() == ["True", "499500 0"]  # nothing counted while a database is open


def test_statistics_stay_on_while_a_connection_is_open() -> None:
    out = _run(
        """
        import sqlite3
        from watchlist.store.sqlite_memory import memory_used, stop_memory_statistics
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (x)")
        print(stop_memory_statistics(), memory_used() > 0)
        print(db.execute("SELECT count(*) FROM t").fetchone()[0])
        """
    )
    assert out.splitlines() == ["False True", "0"]


def test_statistics_stay_on_while_another_thread_runs() -> None:
    out = _run(
        """
        import threading
        from watchlist.store.sqlite_memory import stop_memory_statistics
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        print(stop_memory_statistics())
        stop.set()
        thread.join()
        print(stop_memory_statistics())
        """
    )
    assert out.splitlines() == ["False", "True"]


def test_the_cli_turns_them_off_before_its_command_runs() -> None:
    out = _run(
        """
        import sys
        from watchlist.store import sqlite_memory
        from watchlist.cli import main
        sys.argv = ["watchlist", "--help"]
        try:
            main()
        except SystemExit:
            pass
        print("off" if sqlite_memory._done else "on")
        """
    )
    assert out.splitlines()[-1] == "off"
