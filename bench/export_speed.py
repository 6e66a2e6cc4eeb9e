"""Export speed and memory: ours beside datasette's streamed CSV of the same table, in one run.

A generated SQLite store (``bench/review_world.py``: 1,000,000 entries with a sighting each by
default) is exported by ``watchlist export`` as CSV and as NDJSON (every status, in a
subprocess, its peak RSS read from the kernel), and served by ``datasette`` whose
``/DB/entries.csv?_stream=on&_size=max`` streams the whole table (a peer that reads one table
with no join; ours joins each entry's best evidence). The same export of a store ten times
smaller shows whether memory grows with the row count. Ours runs with one reading thread and
with two (``WATCHLIST_READERS``). Prints rows/s, the ratio, CPU time per row (datasette's
server process; our export process, all its threads: a figure a busy machine moves less than
wall time) and peak RSS. Fails when datasette streams fewer rows than the table holds (its SQL
time limit can end a stream early without an error).

Usage: ``.venv/bin/python bench/export_speed.py [--entries N]``. Target (issue 11): ours ≥ 2×
datasette's rows/s, and peak RSS independent of the row count.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_world import generate

from watchlist.store import open_store

BIN = Path(sys.executable).parent
PEER = [str(BIN / "datasette"), "serve"]
# max_csv_mb 0: its default stops a stream at 100 MB; a page of its stream that takes longer
# than sql_time_limit_ms (1 s by default: a busy machine) ends the stream early, silently
PEER_SETTINGS = ["--setting", "max_csv_mb", "0", "--setting", "sql_time_limit_ms", "60000"]


def build(path: Path, entries: int) -> str:
    """A store at ``path`` with ``entries`` entries (and as many sightings)."""
    url = f"sqlite:///{path}"
    if not path.exists():
        store = open_store(url, create=True)
        started = time.perf_counter()
        generate(store, entries=entries, sightings=entries)
        store.engine.dispose()
        print(f"generated {entries:,} entries in {time.perf_counter() - started:.1f} s")
    return url


# The export's own peak RSS: VmHWM at its exit (the kernel's ru_maxrss would keep the size of
# this process, which generated the store, from the fork).
_REPORT_PEAK = """
import atexit, os, runpy, sys
report = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        times = os.times()
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        out.write(f"{kb} {times.user + times.system}")
atexit.register(peak)
sys.argv[0] = "watchlist"
runpy.run_module("watchlist", run_name="__main__")
"""


def ours(url: str, fmt: str, out: Path, readers: int = 2) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) and CPU seconds of ``watchlist export`` of every entry, read by
    ``readers`` threads (``WATCHLIST_READERS``)."""
    report = out.with_suffix(".peak")
    command = [sys.executable, "-c", _REPORT_PEAK, str(report), "export", "--format", fmt]
    command += ["--status", "all", "--db", url, "-o", str(out)]
    env = {**os.environ, "WATCHLIST_READERS": str(readers)}
    started = time.perf_counter()
    done = subprocess.run(command, stderr=subprocess.PIPE, check=False, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"watchlist export failed: {done.stderr.decode()}")
    kb, cpu = report.read_text().split()
    return elapsed, int(kb) / 1024, float(cpu)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def lines(path: Path) -> int:
    """Rows in a CSV/NDJSON file (lines that start a record: quoted CSV keeps newlines)."""
    with path.open("rb") as f:
        return sum(1 for line in f if line.startswith((b'"', b"{")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def datasette(path: Path) -> tuple[float, int, float]:
    """Seconds, rows and server CPU seconds of datasette streaming the ``entries`` table as
    CSV."""
    port = free_port()
    server = subprocess.Popen(
        [*PEER, "--immutable", str(path), "--port", str(port), *PEER_SETTINGS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # a busy machine: datasette takes a while to start
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("datasette did not start") from None
                time.sleep(0.1)
        started, cpu_before = time.perf_counter(), cpu_seconds(server.pid)
        rows = 0
        with urllib.request.urlopen(
            f"{base}/{path.stem}/entries.csv?_stream=on&_size=max", timeout=600
        ) as response:
            tail = b""
            while chunk := response.read(1 << 20):
                rows += chunk.count(b"\n")
                tail = chunk[-1:]
        rows += 0 if tail == b"\n" else 1
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(server.pid) - cpu_before
        return elapsed, rows - 1, cpu  # rows: the header is not one
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the generated stores in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        big = folder / f"export{args.entries}.db"
        small = folder / f"export{args.entries // 10}.db"
        big_url, small_url = build(big, args.entries), build(small, args.entries // 10)
        print(f"machine: {os.cpu_count()} cores; {args.entries:,} entries")
        peer_s, peer_rows, peer_cpu = datasette(big)
        if peer_rows != args.entries:  # its time limit can end a stream early, silently
            raise SystemExit(f"datasette streamed {peer_rows:,} of {args.entries:,} rows")
        peer_rate = peer_rows / peer_s
        print(
            f"datasette CSV stream    : {peer_rows:>9,} rows in {peer_s:6.1f} s"
            f" = {peer_rate:>9,.0f}/s  CPU {peer_cpu / peer_rows * 1e6:4.1f} µs/row"
        )
        for fmt in ("csv", "ndjson"):
            for readers in (1, 2):
                out = folder / f"out.{fmt}"
                seconds, rss, cpu = ours(big_url, fmt, out, readers)
                rows = lines(out) - (fmt == "csv")
                _, small_rss, _ = ours(small_url, fmt, folder / f"small.{fmt}", readers)
                rate = rows / seconds
                print(
                    f"ours {fmt:<6} {readers} thread{'s' if readers > 1 else ' '}: {rows:>9,} rows"
                    f" in {seconds:6.1f} s = {rate:>9,.0f}/s  CPU {cpu / rows * 1e6:4.1f} µs/row"
                    f"  ratio {rate / peer_rate:4.2f}  peak RSS {rss:.0f} MB"
                    f" ({small_rss:.0f} MB at {args.entries // 10:,})"
                )


if __name__ == "__main__":
    main()
