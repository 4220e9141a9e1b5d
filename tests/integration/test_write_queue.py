"""SQLite's writers take turns in one first-come, first-served queue per database file.

The queue itself (no database), then what it does for units of work on a real SQLite file (order,
the shared budget, another process holding the lock, nothing half-written, no turn left behind),
then a burst of `/ambassador log` over signed HTTP on both databases, answered and stored in full.
No assertion here is about speed (bench/log_floor.py measures that).
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import OperationalError

from bot.blocks import general as general_blocks
from bot.services.contributions import ContributionDraft, log_contribution
from bot.slack.deps import Deps
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import REQUEST_SQLITE_BUSY_SECONDS, Database
from bot.store.models import AuditEvent, Contribution, Member
from bot.store.write_queue import WriteQueue, queue_for
from handlers import create_app
from tests.conftest import Clock, make_settings
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_requests import SlackRequests
from tests.helpers.factories import enrol

TERM_START = date(2026, 1, 5)  # the tests' clock says 2026-03-15
TODAY = date(2026, 3, 15)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Until `condition` holds (another thread got somewhere); a bound only against hanging forever."""
    give_up = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < give_up, f"still waiting for {what}"
        time.sleep(0.002)


# --- the queue -------------------------------------------------------------------------------------


def test_writers_get_their_turn_in_the_order_they_arrived() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1)
    served: list[int] = []

    def writer(number: int) -> None:
        assert queue.acquire(timeout=10)
        served.append(number)
        queue.release()

    threads = []
    for number in range(6):
        thread = threading.Thread(target=writer, args=(number,))
        thread.start()
        threads.append(thread)
        wait_for(lambda number=number: queue.waiting == number + 1, f"writer {number} to queue")  # type: ignore[misc]
    queue.release()
    for thread in threads:
        thread.join()

    assert served == [0, 1, 2, 3, 4, 5]
    assert queue.waiting == 0 and queue.acquire(timeout=0)


def test_a_turn_handed_to_a_waiter_cannot_be_taken_by_a_late_arrival() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1)
    got_it = threading.Event()
    go_on = threading.Event()

    def waiter() -> None:
        assert queue.acquire(timeout=10)
        got_it.set()
        go_on.wait(10)
        queue.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    wait_for(lambda: queue.waiting == 1, "the waiter to queue")
    queue.release()

    # Passed straight on: even before the waiter has run again, nobody else may take it.
    assert not queue.acquire(timeout=0)
    got_it.wait(10)
    assert not queue.acquire(timeout=0)
    go_on.set()
    thread.join()
    assert queue.acquire(timeout=0)


def test_a_writer_that_waits_past_its_timeout_leaves_the_queue_without_a_turn() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1)

    assert not queue.acquire(timeout=0.05)
    assert queue.waiting == 0
    queue.release()  # nobody waits now: the turn is free again, not held for the one who left
    assert queue.acquire(timeout=0)


class Interrupted(Exception):
    pass


def interrupt(_signum: int, _frame: object) -> None:
    raise Interrupted()


def test_a_writer_interrupted_while_waiting_leaves_the_queue_and_no_turn_is_lost() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=1)
    previous = signal.signal(signal.SIGALRM, interrupt)  # as SIGTERM stops `serve` or a command
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(Interrupted):
            queue.acquire(timeout=30)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    assert queue.waiting == 0
    queue.release()
    assert queue.acquire(timeout=0)


def test_releasing_a_turn_nobody_holds_is_a_bug() -> None:
    with pytest.raises(RuntimeError):
        WriteQueue().release()


def test_one_queue_per_database_file_however_its_path_is_spelled(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    same = queue_for(str(tmp_path / "data" / "bot.db"))
    assert queue_for(str(tmp_path / "data" / ".." / "data" / "bot.db")) is same
    assert queue_for(str(tmp_path / "other.db")) is not same


# --- units of work on a SQLite file ----------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/bot.db")
    database.upgrade()
    yield database
    database.dispose()


def write_queue(db: Database) -> WriteQueue:
    return queue_for(str(db.engine.url.database))


@contextmanager
def holding_the_turn(db: Database) -> Iterator[None]:
    """A unit of work of this process that has begun writing and has not committed yet."""
    with db.transaction() as session:
        session.execute(insert(Member).values(slack_user_id="U0HOLDER", name="Holder", status="active"))
        yield


def member_names(db: Database) -> list[str]:
    with db.read_only() as session:
        return list(session.scalars(select(Member.name).order_by(Member.id)))


def add_member_named(db: Database, name: str) -> None:
    with db.transaction() as session:
        session.execute(insert(Member).values(slack_user_id=f"U0{name.upper()}", name=name, status="active"))


def test_units_of_work_commit_in_the_order_they_asked_to_write(sqlite_db: Database) -> None:
    requests = sqlite_db.for_requests()  # the request path and the jobs share one queue
    queue = write_queue(sqlite_db)
    writers = []
    with holding_the_turn(sqlite_db):
        for number, db in enumerate([requests, sqlite_db, requests, sqlite_db]):
            writer = threading.Thread(target=add_member_named, args=(db, f"writer{number}"))
            writer.start()
            writers.append(writer)
            wait_for(lambda number=number: queue.waiting == number + 1, f"writer {number} to queue")  # type: ignore[misc]
    for writer in writers:
        writer.join()

    assert member_names(sqlite_db) == ["Holder", "writer0", "writer1", "writer2", "writer3"]
    requests.dispose()


def test_a_writer_queued_past_its_budget_is_told_the_database_is_locked_and_writes_nothing(
    sqlite_db: Database,
) -> None:
    requests = sqlite_db.for_requests()
    queue = write_queue(sqlite_db)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            add_member_named(requests, "late")
        except BaseException as exc:
            failures.append(exc)

    with holding_the_turn(sqlite_db):
        thread = threading.Thread(target=writer)
        thread.start()
        thread.join()  # it gives up by itself, after its budget, while the turn is still held

    assert len(failures) == 1 and isinstance(failures[0], OperationalError)
    assert "database is locked" in str(failures[0])  # what the listeners' error path answers "try again" to
    assert queue.waiting == 0
    add_member_named(requests, "later")
    assert member_names(sqlite_db) == ["Holder", "later"]
    requests.dispose()


def busy_timeouts_seen(engine: Engine) -> list[int]:
    """SQLite's own wait (for another process) in two units of work on one connection."""
    seen = []
    with engine.connect() as connection:
        for _ in range(2):
            with connection.begin():
                seen.append(int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()))
    return seen


def test_sqlite_waits_for_another_process_only_with_what_the_queue_left_of_the_budget(
    sqlite_db: Database,
) -> None:
    requests = sqlite_db.for_requests()
    queue = write_queue(sqlite_db)
    seen: list[int] = []
    with holding_the_turn(sqlite_db):
        thread = threading.Thread(target=lambda: seen.extend(busy_timeouts_seen(requests.engine)))
        thread.start()
        wait_for(lambda: queue.waiting == 1, "the writer to queue")
        time.sleep(0.4)  # a third of its budget and more spent in the queue
    thread.join()

    budget_ms = int(REQUEST_SQLITE_BUSY_SECONDS * 1000)
    after_the_queue, next_time = seen
    assert 0 <= after_the_queue <= budget_ms - 300
    assert next_time == budget_ms  # a unit of work that did not wait has the whole budget again
    requests.dispose()


@contextmanager
def locked_by_another_process(db: Database) -> Iterator[None]:
    """The write lock held outside this process's queue (another process, e.g. a command run by hand)."""
    blocker = sqlite3.connect(str(db.engine.url.database), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_another_process_holding_the_lock_refuses_each_writer_in_turn_and_leaves_no_turn_behind(
    sqlite_db: Database,
) -> None:
    requests = sqlite_db.for_requests()
    queue = write_queue(sqlite_db)
    with locked_by_another_process(sqlite_db):
        with ThreadPoolExecutor(max_workers=3) as pool:
            outcomes = list(pool.map(lambda n: attempt(add_member_named, requests, f"blocked{n}"), range(3)))
        assert outcomes == ["database is locked"] * 3
        assert queue.waiting == 0

    add_member_named(requests, "afterwards")
    assert member_names(sqlite_db) == ["afterwards"]
    requests.dispose()


def attempt(write: Callable[[Database, str], None], db: Database, name: str) -> str:
    try:
        write(db, name)
    except OperationalError as exc:
        return "database is locked" if "database is locked" in str(exc) else str(exc)
    return "written"


def test_a_unit_of_work_that_fails_half_way_rolls_back_and_hands_the_turn_on(sqlite_db: Database) -> None:
    class Broken(Exception):
        pass

    with pytest.raises(Broken), sqlite_db.transaction() as session:
        session.execute(insert(Member).values(slack_user_id="U0HALF", name="Half", status="active"))
        raise Broken()

    # A statement SQLite refuses, mid-transaction.
    with pytest.raises(OperationalError), sqlite_db.transaction() as session:
        session.execute(insert(Member).values(slack_user_id="U0BAD", name="Bad", status="active"))
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))

    assert write_queue(sqlite_db).acquire(timeout=0)  # free: no turn left behind
    write_queue(sqlite_db).release()
    add_member_named(sqlite_db, "next")
    assert member_names(sqlite_db) == ["next"]


def test_a_connection_dropped_in_the_middle_of_a_write_gives_its_turn_back(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as connection:
        connection.begin()
        connection.execute(insert(Member).values(slack_user_id="U0GONE", name="Gone", status="active"))
        connection.invalidate()  # as the pool does with a connection it no longer trusts

    add_member_named(sqlite_db, "next")
    assert member_names(sqlite_db) == ["next"]


def test_readers_do_not_queue_behind_a_writer(sqlite_db: Database) -> None:
    add_member_named(sqlite_db, "first")
    with holding_the_turn(sqlite_db):
        # On this thread, while its own write is open: a reader never takes a turn, so no deadlock.
        assert member_names(sqlite_db) == ["first"]
        assert write_queue(sqlite_db).waiting == 0


# --- a burst of /ambassador log, both databases ------------------------------------------------------


MEMBERS = [f"U0BURST{number:02d}" for number in range(10)]


def test_a_burst_of_logs_from_many_threads_is_stored_in_full_with_no_try_again(db: Database) -> None:
    for user in MEMBERS:
        enrol(db, user, TERM_START, f"Burst {user}")
    requests = db.for_requests()

    def log(number: int) -> int:
        user = MEMBERS[number % len(MEMBERS)]
        draft = ContributionDraft("talk", f"Talk {number}", f"https://example.org/burst/{number}", TODAY)
        logged = log_contribution(requests, user, draft, TODAY, Clock()(), required=4)
        return logged.contribution_id

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(log, range(160)))

    assert len(set(ids)) == 160
    with db.read_only() as session:
        assert session.scalar(select(func.count(Contribution.id))) == 160
        assert (
            session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "contribution.logged")
            )
            == 160
        )
    requests.dispose()


def test_concurrent_log_commands_over_http_are_all_logged(
    db: Database, clock: Clock, fake_slack: FakeSlack
) -> None:
    for user in MEMBERS:
        enrol(db, user, TERM_START, f"Burst {user}")
        fake_slack.add_user(user, tz="Europe/Madrid")
    requests = db.for_requests()  # as `serve` gives the listeners
    deps = Deps(settings=make_settings(db.url, fake_slack.url), db=requests, clock=clock)
    server = BackgroundServer(wsgi_app(create_app(deps), requests), threads=8).start()

    def command(number: int) -> str:
        user = MEMBERS[number % len(MEMBERS)]
        response = SlackRequests(server.url).command(
            f"log talk https://example.org/http/{number} Talk {number}", user
        )
        assert response.status == 200
        return str(response.json["text"])

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(command, range(120)))
    finally:
        server.stop()

    assert general_blocks.DATABASE_BUSY not in answers
    assert all("Logged your talk" in answer for answer in answers), {a[:80] for a in answers}
    with db.read_only() as session:
        assert session.scalar(select(func.count(Contribution.id))) == 120
    fake_slack.wait_until_quiet()
    requests.dispose()
