"""SQLite's writers take turns in order of arrival, inside the process that holds the database.

SQLite lets one transaction write at a time. A writer that finds the lock taken waits in SQLite's
busy handler, which sleeps in growing steps (1, 2, 5, 10, 15, 20, 25 ms ... then 50 and 100 ms) and
looks again: the lock sits free while the writers due next are asleep, and a writer that has waited
long sleeps 100 ms at a time while writers that came after it, still on short steps, take the lock
before it. Under a burst of `/ambassador log` some requests waited past their budget and the member
was told to try again while the database was healthy.

The bot runs against SQLite in one process, so its writers queue here instead: each waits for the
one before it and is woken the moment that one has committed. SQLite's busy handler is left to what
only it can see, another process writing (a command run by hand), with what is left of the budget.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
import weakref
from collections import deque
from pathlib import Path


class WriteQueue:
    """A first-come, first-served lock: `release` hands the turn straight to the longest waiter, so
    a writer arriving meanwhile cannot take it first. Any thread may release (the turn belongs to a
    connection, which the pool may hand back from another thread)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._taken = False
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the turn; False if it did not come."""
        with self._guard:
            if not self._taken:
                self._taken = True
                return True
            baton = threading.Lock()
            baton.acquire()
            self._waiting.append(baton)
        try:
            if baton.acquire(timeout=max(timeout, 0)):
                return True
        except BaseException:
            # Interrupted while waiting (a signal: Ctrl-C, SIGTERM): out of the queue, and a turn
            # handed over meanwhile goes on to the next writer instead of being lost.
            if not self._leave(baton):
                self.release()
            raise
        # Handed over just as the wait ran out: the turn is this caller's after all.
        return not self._leave(baton)

    def _leave(self, baton: threading.Lock) -> bool:
        """Take a waiter out of the queue; False when it is not there (the turn was handed to it)."""
        with self._guard:
            try:
                self._waiting.remove(baton)
            except ValueError:
                return False
            return True

    @property
    def waiting(self) -> int:
        """How many writers are waiting for their turn."""
        with self._guard:
            return len(self._waiting)

    def release(self) -> None:
        with self._guard:
            if not self._taken:
                raise RuntimeError("release of a write turn nobody holds")
            if self._waiting:
                self._waiting.popleft().release()  # stays taken: it passes to that waiter
            else:
                self._taken = False


_queues: weakref.WeakValueDictionary[str, WriteQueue] = weakref.WeakValueDictionary()
_queues_guard = threading.Lock()


def queue_for(database: str) -> WriteQueue:
    """The process's one queue for the SQLite file `database`: the request path's engine and the
    jobs' engine write to the same file, so they take turns in the same queue."""
    key = str(Path(database).resolve())
    with _queues_guard:
        queue = _queues.get(key)
        if queue is None:
            queue = _queues[key] = WriteQueue()
        return queue


BUSY_STEP_MS = 100  # SQLite's busy timeout is changed only when the wait left moves by a step


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection (the `factory` of `sqlite3.connect`) whose write transactions begin with
    `begin_immediate`: a turn in `write_queue`, then BEGIN IMMEDIATE. The turn is held until the
    COMMIT or ROLLBACK has finished, or the connection is closed.

    `budget` is how long a writer may wait in all, in the queue and then for another process;
    past it, "database is locked", as SQLite says itself.
    """

    write_queue: WriteQueue | None = None
    budget: float = 0.0
    _has_turn = False
    _busy_ms = -1

    def configure(self, write_queue: WriteQueue | None, budget: float) -> None:
        """Set once, when the pool opens the connection (`None`: no queue, e.g. for `:memory:`)."""
        self.write_queue = write_queue
        self.budget = budget
        self._set_busy_timeout(math.ceil(budget * 1000))

    def begin_immediate(self) -> None:
        started = time.monotonic()
        queue = self.write_queue
        if queue is not None:
            if not queue.acquire(timeout=self.budget):
                raise sqlite3.OperationalError("database is locked (writers of this process queued too long)")
            self._has_turn = True
        try:
            left = self.budget - (time.monotonic() - started)
            # Rounded up to a step, so that a healthy queue (waits of a few ms) changes nothing.
            self._set_busy_timeout(max(0, math.ceil(left * 1000 / BUSY_STEP_MS) * BUSY_STEP_MS))
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._end_turn()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            if not self.in_transaction:
                self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()

    def _set_busy_timeout(self, milliseconds: int) -> None:
        if milliseconds != self._busy_ms:
            self.execute(f"PRAGMA busy_timeout={milliseconds}")
            self._busy_ms = milliseconds

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            assert self.write_queue is not None
            self.write_queue.release()
