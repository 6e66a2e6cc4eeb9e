"""Reading a SQLite store with several threads that see one snapshot, results kept in order.

SQLite runs a statement without Python's GIL, so two connections reading two id ranges use
two cores. They must see the same data: while a third connection holds the write lock
(``BEGIN IMMEDIATE``: no writer can commit), each reader starts its read transaction, and
from then on every reader sees the state of that moment, however long the read takes.

Work is cut into id blocks handed out in turn; the caller gets each block's result in id
order, with at most a few blocks waiting per thread (memory stays flat).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TypeVar

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from watchlist.store.engine import Store
from watchlist.store.tables import Entry

T = TypeVar("T")
READERS = 2  # threads (a read of a large store uses this many cores)
BLOCK = 4000  # ids per block
_AHEAD = 2  # blocks a thread may finish before the caller takes them
ENTRIES = SQLModel.metadata.tables[Entry.__tablename__]


@contextmanager
def shared_snapshot(store: Store, readers: int) -> Iterator[list[Session]]:
    """``readers`` read sessions of a SQLite store that all see the same snapshot."""
    with ExitStack() as stack:
        with store.engine.connect() as lock:
            lock.begin()  # BEGIN IMMEDIATE: nobody commits while the readers start
            sessions = []
            for _ in range(readers):
                session = stack.enter_context(store.read())
                session.execute(sa_select(ENTRIES.c.id).limit(1)).all()  # the snapshot starts
                sessions.append(session)
            lock.rollback()
        yield sessions


def id_blocks(session: Session, block: int = BLOCK) -> list[tuple[int, int]]:
    """The entries' ids cut into ``(after, up_to]`` ranges of ``block`` ids."""
    low, high = session.execute(sa_select(func.min(ENTRIES.c.id), func.max(ENTRIES.c.id))).one()
    if low is None:
        return []
    return [(start, min(start + block, high)) for start in range(low - 1, high, block)]


def in_blocks(
    store: Store,
    read: Callable[[Session, int | None, int | None], T],
    *,
    readers: int = READERS,
    block: int = BLOCK,
) -> Iterator[T]:
    """``read(session, after, up_to)`` of every id block, by ``readers`` threads sharing one
    snapshot, yielded in id order. An error in a thread is raised here; stopping early stops
    the threads."""
    with shared_snapshot(store, readers) as sessions:
        blocks = id_blocks(sessions[0], block)
        if readers == 1 or len(blocks) < 2:
            for after, up_to in blocks:
                yield read(sessions[0], after, up_to)
            return
        stop = threading.Event()
        done: list[queue.Queue[tuple[bool, object]]] = [
            queue.Queue(maxsize=_AHEAD) for _ in sessions
        ]

        def work(k: int) -> None:
            try:
                for after, up_to in blocks[k :: len(sessions)]:
                    result: tuple[bool, object] = (True, read(sessions[k], after, up_to))
                    while not stop.is_set():
                        try:
                            done[k].put(result, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
            except BaseException as error:  # handed to the caller, raised there
                done[k].put((False, error))

        threads = [
            threading.Thread(target=work, args=(k,), daemon=True, name=f"watchlist-read-{k}")
            for k in range(len(sessions))
        ]
        for thread in threads:
            thread.start()
        try:
            for n in range(len(blocks)):
                ok, value = done[n % len(sessions)].get()
                if not ok:
                    raise value  # type: ignore[misc]
                yield value  # type: ignore[misc]
        finally:
            stop.set()
            for k, thread in enumerate(threads):
                while thread.is_alive():
                    try:  # a thread blocked on a full queue: make room
                        done[k].get_nowait()
                    except queue.Empty:
                        thread.join(0.05)
