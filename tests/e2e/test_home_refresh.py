"""When the App Home is drawn, and what a command costs the database.

The Home is drawn when it is opened and after actions taken from it, in the background, one drawing
at a time per person, coalesced; a slash command answers with one unit of work and draws nothing.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import event, func, select

from bot.blocks import ids
from bot.slack.home_refresh import HomeRefresher, from_home
from bot.store.db import Database
from bot.store.models import Member
from tests.conftest import MEMBER, OTHER, Bot
from tests.e2e.test_home import open_home, publishes_for, text_of
from tests.helpers.factories import enrol

CLIENT = WebClient(token="xoxb-unused")


# --- the refresher --------------------------------------------------------------------------------


class Drawings:
    """A publish function that holds the first drawing until released, and records overlaps."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()
        self.drawn: list[str] = []
        self.running: set[str] = set()
        self.overlapped = False

    def publish(self, _client: WebClient, user: str) -> None:
        with self.lock:
            self.overlapped |= user in self.running
            self.running.add(user)
        self.started.set()
        self.release.wait(5)
        with self.lock:
            self.running.discard(user)
            self.drawn.append(user)


def wait_until_idle(refresher: HomeRefresher) -> None:
    finished = threading.Event()
    for _ in range(500):
        if refresher.idle():
            finished.set()
            break
        finished.wait(0.01)
    assert finished.is_set(), "the refresher did not finish"


def test_requests_for_someone_being_drawn_coalesce_into_one_more_drawing() -> None:
    drawings = Drawings()
    refresher = HomeRefresher(drawings.publish)

    refresher.request(CLIENT, MEMBER)
    assert drawings.started.wait(5)
    for _ in range(5):  # changes landing while the first drawing runs
        refresher.request(CLIENT, MEMBER)
    drawings.release.set()
    wait_until_idle(refresher)

    # The first drawing, then one more that reads every change made meanwhile; never two at once.
    assert drawings.drawn == [MEMBER, MEMBER]
    assert not drawings.overlapped


def test_queued_requests_coalesce_and_other_people_are_not_held_up() -> None:
    drawings = Drawings()
    refresher = HomeRefresher(drawings.publish, workers=1)
    refresher.request(CLIENT, "U0BUSY")  # holds the only worker until released
    assert drawings.started.wait(5)

    for _ in range(3):
        refresher.request(CLIENT, MEMBER)
    refresher.request(CLIENT, OTHER)
    drawings.release.set()
    wait_until_idle(refresher)

    assert drawings.drawn == ["U0BUSY", MEMBER, OTHER]


def test_a_failed_drawing_is_logged_and_the_next_request_draws_again(caplog: Any) -> None:
    calls: list[str] = []

    def publish(_client: WebClient, user: str) -> None:
        calls.append(user)
        if len(calls) == 1:
            raise RuntimeError("views.publish failed")

    refresher = HomeRefresher(publish)
    refresher.request(CLIENT, MEMBER)
    wait_until_idle(refresher)
    refresher.request(CLIENT, MEMBER)
    wait_until_idle(refresher)

    assert calls == [MEMBER, MEMBER]
    assert "could not publish the App Home of U0MEMBER" in caplog.text


def test_from_home_tells_a_click_on_the_home_tab() -> None:
    assert from_home({"view": {"type": "home", "id": "V1"}, "container": {"type": "view"}})
    assert not from_home({"view": {"type": "modal"}})
    assert not from_home({"container": {"type": "message"}, "channel": {"id": "D1"}})
    assert not from_home({})


# --- through the endpoint -------------------------------------------------------------------------


def test_a_logged_contribution_answers_with_progress_and_shows_when_the_home_is_opened(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))

    reply = bot.slack.command("log talk https://example.com/kubecon AsyncAPI at KubeCon", MEMBER).json

    assert "Logged your talk" in reply["text"] and "1 of 4 contributions this term" in reply["text"]
    # Nobody is looking at the Home: nothing is drawn for it...
    bot.fake.wait_until_quiet()
    assert publishes_for(bot, MEMBER) == []
    # ...and when the member opens it, it shows the contribution.
    home = text_of(open_home(bot, MEMBER))
    assert "AsyncAPI at KubeCon" in home and "1 of 4 contributions this term" in home


def test_a_logged_contribution_is_one_unit_of_work(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    bot.slack.command("status", MEMBER)  # the member's time zone is looked up once and cached
    bot.fake.wait_until_quiet()
    begun: list[Any] = []

    def count(connection: Any) -> None:
        begun.append(connection)

    event.listen(bot.db.engine, "begin", count)
    try:
        reply = bot.slack.command("log talk https://example.com/one One transaction", MEMBER).json
    finally:
        event.remove(bot.db.engine, "begin", count)

    assert "Logged your talk" in reply["text"]
    assert len(begun) == 1


def test_snooze_from_the_home_answers_first_and_redraws_it_once(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    view = open_home(bot, MEMBER)

    response = bot.slack.click(ids.SNOOZE, MEMBER, value="30", view=view, block_id="member-actions")

    assert response.status == 200
    redrawn = bot.fake.wait_for(
        lambda: len(publishes_for(bot, MEMBER)) >= 2 and publishes_for(bot, MEMBER)[-1]
    )
    assert "Progress reminders snoozed until 2026-12-24" in text_of(redrawn)
    bot.fake.wait_until_quiet()
    assert len(publishes_for(bot, MEMBER)) == 2


# --- reads without the write lock -----------------------------------------------------------------


def test_a_read_goes_on_while_a_unit_of_work_holds_the_write_lock(db: Database) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    with db.transaction() as writing:
        writing.add(Member(slack_user_id=OTHER, name="Olek Other", status="candidate"))
        writing.flush()  # SQLite: this transaction holds the write lock until it ends
        # A unit of work would wait here for the lock (busy_timeout); a read sees the last commit.
        with db.read_only() as reading:
            assert reading.scalar(select(func.count(Member.id))) == 1
    with db.read_only() as reading:
        assert reading.scalar(select(func.count(Member.id))) == 2


def test_whatever_a_read_only_block_changes_is_not_written(db: Database) -> None:
    with db.read_only() as session:
        session.add(Member(slack_user_id=OTHER, name="Olek Other", status="candidate"))
        session.flush()
        member = session.scalar(select(Member).where(Member.slack_user_id == OTHER))
        assert member is not None
    assert member.name == "Olek Other"  # what it loaded stays readable afterwards
    with db.read_only() as session:
        assert session.scalar(select(func.count(Member.id))) == 0
