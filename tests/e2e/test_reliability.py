"""The edges, tried the way a real workspace and the open internet drive them, through the real endpoint.

Hostile and malformed bodies, Slack's formatting in command text, listeners failing before their
acknowledgement, Slack answering slowly, 500 or 429, the database locked or gone, many idle
connections, Events API retries, and TSC members deciding their own application. Each test asserts
the HTTP status, that the answer came in time (a generous bound well under Slack's 3 s where the
point is speed), what the member is told, and that nothing was written when nothing should be.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, text

import bot.slack.server as server
from bot.blocks import general as general_blocks
from bot.blocks import ids
from bot.blocks.membership import deciding as deciding_blocks
from bot.cli.main import main
from bot.services import processed_events
from bot.services.repair import repair_escapes
from bot.slack.deps import Deps
from bot.slack.server import BackgroundServer, wsgi_app
from bot.slack.server import HealthCheck as DatabaseHealth
from bot.store.db import Database
from bot.store.models import Application, AuditEvent, Contribution, Member, ProcessedEvent
from handlers import create_app
from tests.conftest import DEFAULT_NOW, MEMBER, OTHER, TSC, Bot, Clock, make_settings
from tests.e2e.test_review import TSC2, apply, as_clicked
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, Response, SlackRequests, sign
from tests.helpers.factories import add_contribution, add_member, enrol
from tests.helpers.membership import settle  # noqa: F401 (fixture)

# Slack gives up after 3 s; answers here must come well within it even on a loaded CI machine.
SLACK_WINDOW = 3.0
# Few examples, no per-example deadline: the whole suite has a time budget and CI machines are slow.
PROPERTIES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TERM_START = date(2026, 1, 5)  # DEFAULT_NOW is 2026-03-15


def count(db: Database, model: Any) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def timed(call: Callable[[], Response]) -> tuple[Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def reply_text(response: Response) -> str:
    assert response.status == 200, (response.status, response.body[:300])
    return str(response.json["text"])


@contextmanager
def serving(deps: Deps, fake: FakeSlack) -> Iterator[Bot]:
    server = BackgroundServer(wsgi_app(create_app(deps), deps.db)).start()
    try:
        yield Bot(
            deps,
            SlackRequests(server.url, response_url_base=fake.response_url_base),
            fake,
            deps.clock,  # type: ignore[arg-type]
            server.url,
        )
    finally:
        server.stop()


@pytest.fixture
def request_bot(db: Database, clock: Clock, fake_slack: FakeSlack) -> Iterator[Bot]:
    """The bot as `serve` runs it: the request path's database, with its short timeouts."""
    request_db = db.for_requests()
    deps = Deps(settings=make_settings(db.url, fake_slack.url), db=request_db, clock=clock)
    with serving(deps, fake_slack) as bot:
        yield bot
    fake_slack.wait_until_quiet()
    request_db.dispose()


# --- Slack's text, decoded once -----------------------------------------------------------------


def test_a_youtube_link_and_an_ampersand_are_stored_as_typed_and_shown_escaped_once(bot: Bot) -> None:
    enrol(bot.db, MEMBER, TERM_START)

    response = bot.slack.command(
        "log video <https://www.youtube.com/watch?v=x&amp;t=42> 2026-03-10 Tom &amp; Jerry", MEMBER
    )

    reply = reply_text(response)
    assert "*Tom &amp; Jerry*" in reply and "&amp;amp;" not in reply
    with bot.db.transaction() as session:
        stored = session.scalars(select(Contribution)).one()
        assert (stored.link, stored.title) == ("https://www.youtube.com/watch?v=x&t=42", "Tom & Jerry")


def test_labelled_links_mentions_and_groups_in_a_title_are_what_the_member_typed(bot: Bot) -> None:
    enrol(bot.db, MEMBER, TERM_START)

    bot.slack.command(
        "log talk <http://kcd.io/x|kcd.io/x> With <@U0OTHER|olek> &amp; <!subteam^S0TSC|@tsc> at <#C0GENERAL|general>",
        MEMBER,
    )

    with bot.db.transaction() as session:
        stored = session.scalars(select(Contribution)).one()
        assert (stored.link, stored.title) == ("http://kcd.io/x", "With @olek & @tsc at #general")


def test_an_unknown_subcommand_is_shown_escaped_once(bot: Bot) -> None:
    reply = reply_text(bot.slack.command("&lt;b&gt;&amp;", MEMBER))
    assert "`&lt;b&gt;&amp;`" in reply and "&amp;lt;" not in reply


def test_admin_reasons_are_decoded(bot: Bot) -> None:
    enrol(bot.db, OTHER, TERM_START, "Olek Other")

    reply = reply_text(bot.slack.command("admin emeritus <@U0OTHER|olek> Moved on &amp; thanked", TSC))

    assert reply.startswith(":white_check_mark:") or "emeritus" in reply
    with bot.db.transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and "Moved on & thanked" in json.dumps(event.details, ensure_ascii=False)


# --- nothing before the ack becomes a 500 or a 404 ------------------------------------------------


def raw_post(bot: Bot, body: bytes, content_type: str, **headers: str) -> Response:
    timestamp = headers.pop("timestamp", str(int(time.time())))
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": headers.pop("signature", "")
        or sign(SIGNING_SECRET, int(timestamp) if timestamp.isdigit() else 0, body),
        **headers,
    }
    request = urllib.request.Request(bot.url + "/slack/events", data=body, headers=all_headers, method="POST")
    return SlackRequests._send(request)


FORM = "application/x-www-form-urlencoded"
MALFORMED: dict[str, tuple[bytes, str, dict[str, str], int]] = {
    "json that is not json": (b"{bad", "application/json", {}, 400),
    "payload=null": (b"payload=null", FORM, {}, 400),
    "payload=[1]": (b"payload=%5B1%5D", FORM, {}, 400),
    "payload not json": (b"payload=%7Bbad", FORM, {}, 400),
    "bytes that are not UTF-8": (b"\xff\xfe\x00payload", FORM, {}, 400),
    "percent-encoded bytes that are not UTF-8": (b"command=%2Fambassador&text=%FF", FORM, {}, 400),
    "deeply nested json": (b"[" * 5000 + b"]" * 5000, "application/json", {}, 400),
    "nested object 100 deep": (
        (b'{"type":"event_callback","a":' + b'{"a":' * 100 + b"1" + b"}" * 100 + b"}"),
        "application/json",
        {},
        400,
    ),
    "a form that is not Slack's": (b"hello=world", FORM, {}, 400),
    "another content type": (b"<xml/>", "text/xml", {}, 415),
    "a timestamp that is not a number": (b"command=%2Fambassador", FORM, {"timestamp": "soon"}, 401),
    "a stale timestamp": (b"command=%2Fambassador", FORM, {"timestamp": "1500000000"}, 401),
    "unsigned": (b"command=%2Fambassador", FORM, {"signature": "v0=0000"}, 401),
    "a signature that is not ASCII": (b"command=%2Fambassador", FORM, {"signature": "v0=ü"}, 401),
}


@pytest.mark.sqlite_only
def test_malformed_or_unsigned_bodies_get_a_4xx_and_one_log_line(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for case, (body, content_type, headers, expected) in MALFORMED.items():
        caplog.clear()
        try:
            response = raw_post(bot, body, content_type, **headers)
        except UnicodeEncodeError:
            continue  # urllib refuses a header that is not latin-1; a raw client is tried below
        assert response.status == expected, case
        refusals = [r for r in caplog.records if r.name == "bot.slack.server"]
        assert len(refusals) == 1 and refusals[0].exc_info is None, case
        assert not [r for r in caplog.records if r.exc_info], case
    with socket.create_connection(("127.0.0.1", int(bot.url.rsplit(":", 1)[1])), timeout=5) as raw:
        raw.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"X-Slack-Request-Timestamp: 1\xff\r\nX-Slack-Signature: v0=\xc3\xbc\r\n"
            b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
        )
        assert raw.recv(100).startswith(b"HTTP/1.1 401")
    assert count(bot.db, AuditEvent) == 0 and bot.fake.calls == []


@pytest.mark.sqlite_only
def test_a_get_and_an_unknown_path_are_not_500s(bot: Bot) -> None:
    assert bot.slack.get("/slack/events").status == 405
    assert bot.slack.get("/nope").status == 404


def test_bad_input_before_the_ack_gets_a_specific_message_and_writes_nothing(bot: Bot) -> None:
    enrol(bot.db, MEMBER, TERM_START)
    cases = {
        "log talk http://[abc 2026-03-01 Broken link": "full web address",
        "log talk http://x.org:port/a 2026-03-01 A port that is not one": "full web address",
        "log talk https://x.org/a 2026-03-01 Tom\x00Jerry": "control characters",
        "log talk https://x.org/a 2026-03-01 Red\x1b[31m": "control characters",
        "snooze \x00": "control characters",
    }
    for command, expected in cases.items():
        response, elapsed = timed(lambda command=command: bot.slack.command(command, MEMBER))  # type: ignore[misc]
        assert expected in reply_text(response), command
        assert elapsed < SLACK_WINDOW
    assert count(bot.db, Contribution) == 0


def test_a_command_without_a_user_is_answered_and_changes_nothing(bot: Bot) -> None:
    response = bot.slack.command("log talk https://x.org/a Title", "")
    assert reply_text(response) == general_blocks.INCOMPLETE_REQUEST
    assert count(bot.db, Contribution) == count(bot.db, AuditEvent) == 0


@pytest.mark.parametrize("view_type", ["modal", None])
def test_a_submission_without_state_keeps_the_form_open_with_a_message(
    bot: Bot, view_type: str | None
) -> None:
    # Without `view.type` Bolt itself fails before any listener: the endpoint's last guard answers.
    enrol(bot.db, MEMBER, TERM_START)
    view = {
        **({"type": view_type} if view_type else {}),
        "callback_id": ids.LOG_MODAL,
        "title": {"type": "plain_text", "text": "Log"},
        "blocks": [{"type": "input", "block_id": "type"}, {"type": "input", "block_id": "title"}],
    }
    payload = {
        "type": "view_submission",
        "user": {"id": MEMBER},
        "view": {**view, "id": "V1", "private_metadata": ""},
    }
    response = bot.slack.interactive(payload)

    assert response.status == 200
    assert response.json == {
        "response_action": "errors",
        "errors": {"type": general_blocks.INCOMPLETE_REQUEST},
    }
    assert count(bot.db, Contribution) == 0


def test_a_button_with_a_value_that_is_not_an_id_is_told_and_changes_nothing(bot: Bot) -> None:
    values = ["abc", "²", "99999999999999999999", "-1", ""]
    for value in values:
        assert bot.slack.click(ids.APPROVE, TSC, value=value).status == 200
    told = bot.fake.wait_for(lambda: len(bot.fake.responses) == len(values) and bot.fake.responses)
    assert [answer["text"] for answer in told] == [deciding_blocks.APPLICATION_GONE] * len(values)
    assert count(bot.db, AuditEvent) == 0


@pytest.mark.sqlite_only
def test_a_click_without_a_user_is_acknowledged(bot: Bot) -> None:
    response = bot.slack.interactive(
        {"type": "block_actions", "actions": [{"action_id": ids.SNOOZE, "value": "7"}], "user": None}
    )
    assert response.status == 200


# --- Slack slow, failing or rate limiting --------------------------------------------------------

# users.info is the one Web API call made before some answers (the member's zone, a person's name).
LOOKUP_COMMANDS = {
    "status": ("status", "Your ambassador term"),
    "log": ("log talk https://x.org/slow 2026-03-01 A talk", ":tada: Logged"),
    "renew": ("renew", ""),
    "nominate": ("nominate <@U0NEW|newbie>", general_blocks.SLACK_SLOW),
    "admin add": ("admin add <@U0NEW|newbie>", general_blocks.SLACK_SLOW),
}
FAULTS = {
    "slow": {"delay": 4.0},
    "500": {"status": 500},
    "429": {"status": 429, "retry_after": 30},
}


# Slack's faults do not depend on the database: the slow case runs on both, the others on SQLite.
@pytest.mark.parametrize(
    "fault", ["slow", *(pytest.param(name, marks=pytest.mark.sqlite_only) for name in ("500", "429"))]
)
@pytest.mark.parametrize("command", sorted(LOOKUP_COMMANDS))
def test_users_info_slow_or_failing_does_not_cost_the_answer(bot: Bot, command: str, fault: str) -> None:
    enrol(bot.db, MEMBER, TERM_START)
    bot.fake.add_user("U0NEW", "New Person")
    text, expected = LOOKUP_COMMANDS[command]
    user = TSC if command.startswith("admin") else MEMBER
    before = (count(bot.db, Member), count(bot.db, Application), count(bot.db, Contribution))
    bot.fake.fail("users.info", **FAULTS[fault])  # type: ignore[arg-type]

    response, elapsed = timed(lambda: bot.slack.command(text, user))

    assert elapsed < SLACK_WINDOW
    reply = reply_text(response)
    assert expected in reply
    if expected == general_blocks.SLACK_SLOW:
        assert (count(bot.db, Member), count(bot.db, Application), count(bot.db, Contribution)) == before
    bot.fake.wait_until_quiet()


POST_ACK_FAULTS = {
    # (command, user, method that fails after the acknowledgement)
    "log form, views.open slow": ("log", MEMBER, "views.open", {"delay": 4.0}),
    "apply, views.open 500": ("apply", OTHER, "views.open", {"status": 500}),
    "log, views.publish 429": (
        "log talk https://x.org/p 2026-03-01 T",
        MEMBER,
        "views.publish",
        {"status": 429},
    ),
    "nominate, chat.postMessage 500": (
        "nominate <@U0OTHER|olek>",
        MEMBER,
        "chat.postMessage",
        {"status": 500},
    ),
    "nominate, conversations.open slow": (
        "nominate <@U0OTHER|olek>",
        MEMBER,
        "conversations.open",
        {"delay": 4.0},
    ),
}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("case", sorted(POST_ACK_FAULTS))
def test_slack_failing_after_the_ack_does_not_change_the_answer(bot: Bot, case: str) -> None:
    enrol(bot.db, MEMBER, TERM_START)
    command, user, method, fault = POST_ACK_FAULTS[case]
    bot.fake.fail(method, times=5, **fault)  # type: ignore[arg-type]

    response, elapsed = timed(lambda: bot.slack.command(command, user))

    assert response.status == 200 and elapsed < SLACK_WINDOW
    bot.fake.wait_until_quiet(timeout=10)


# --- the database locked or gone ------------------------------------------------------------------

GONE = {
    "sqlite": "sqlite:////nonexistent-directory/for-sure/bot.db",
    "postgres": "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
}
DATABASE_COMMANDS = [
    "status",
    "log",
    "log talk https://x.org/a 2026-03-01 A talk",
    "list",
    "history",
    "renew",
    "snooze 2w",
    "snooze off",
    "nominate <@U0OTHER|olek>",
    "admin pending",
    "admin add <@U0OTHER|olek>",
    "admin extend <@U0OTHER|olek> 30",
]


@pytest.mark.parametrize("backend", sorted(GONE))
def test_the_database_gone_gets_try_again_within_the_window(
    backend: str, clock: Clock, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    gone = Database(GONE[backend], request_path=True)
    deps = Deps(settings=make_settings(gone.url, fake_slack.url), db=gone, clock=clock)
    with serving(deps, fake_slack) as bot:
        for command in DATABASE_COMMANDS:
            user = TSC if command.startswith("admin") else MEMBER
            response, elapsed = timed(lambda command=command, user=user: bot.slack.command(command, user))  # type: ignore[misc]
            assert reply_text(response) == general_blocks.DATABASE_BUSY, command
            assert elapsed < SLACK_WINDOW, (command, elapsed)
        assert "help" in reply_text(bot.slack.command("help", MEMBER)).lower()
        event = bot.slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home"})
        assert event.status == 200
        health, elapsed = timed(lambda: bot.slack.get("/healthz"))
        assert health.status == 503 and health.json["database"] == "down" and elapsed < 1.5
    fake_slack.wait_until_quiet()
    # One line each, no traceback: an unavailable database is an outage, not a bug.
    assert not [r for r in caplog.records if r.exc_info and r.name == "handlers.errors"]
    gone.dispose()


@contextmanager
def database_locked(db: Database) -> Iterator[None]:
    """Another process holds the write lock (SQLite) or an exclusive table lock (PostgreSQL)."""
    if db.is_postgres:
        engine = create_engine(db.url)
        with engine.connect() as connection:
            connection.execute(text("BEGIN"))
            connection.execute(text("LOCK TABLE contributions, audit_events IN ACCESS EXCLUSIVE MODE"))
            yield
            connection.execute(text("ROLLBACK"))
        engine.dispose()
        return
    blocker = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    yield
    blocker.execute("ROLLBACK")
    blocker.close()


def test_a_locked_database_gets_try_again_and_nothing_is_written_later(request_bot: Bot) -> None:
    bot = request_bot
    enrol(bot.db, MEMBER, TERM_START)
    bot.slack.command("status", MEMBER)  # the member's zone is cached; only the database is in the way

    with database_locked(bot.db):
        for n in range(2):
            response, elapsed = timed(
                lambda n=n: bot.slack.command(f"log talk https://x.org/{n} 2026-03-01 Talk {n}", MEMBER)  # type: ignore[misc]
            )
            assert reply_text(response) == general_blocks.DATABASE_BUSY
            assert elapsed < SLACK_WINDOW
        health, elapsed = timed(lambda: bot.slack.get("/healthz"))
        assert health.status == 200 and elapsed < 1.5  # the probe takes no lock
        time.sleep(0.5)  # anything still waiting would land once the lock goes

    bot.fake.wait_until_quiet()
    assert count(bot.db, Contribution) == 0
    assert reply_text(bot.slack.command("log talk https://x.org/9 2026-03-01 Later", MEMBER)).startswith(
        ":tada:"
    )


class HangingDatabase:
    def __init__(self) -> None:
        self.release = threading.Event()

    def ping(self) -> None:
        self.release.wait(10)


def test_healthz_answers_within_a_second_even_when_the_ping_hangs() -> None:
    hanging = HangingDatabase()
    check = DatabaseHealth(hanging)  # type: ignore[arg-type]
    started = time.monotonic()
    problems = [check.problem() for _ in range(2)]
    assert all(problem and "no answer" in problem for problem in problems)
    assert time.monotonic() - started < 2 * 1.0
    hanging.release.set()


# --- many idle connections ------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_hundreds_of_idle_connections_do_not_freeze_the_server(bot: Bot) -> None:
    enrol(bot.db, MEMBER, TERM_START)
    port = int(bot.url.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            sock.recv(4096)
            idle.append(sock)
        for _ in range(50):  # and stalled half-requests
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nContent-Type: appl")
            idle.append(sock)

        health, elapsed = timed(lambda: bot.slack.get("/healthz"))
        assert health.status == 200 and elapsed < 1.5
        response, elapsed = timed(lambda: bot.slack.command("status", MEMBER))
        assert "Your ambassador term" in reply_text(response) and elapsed < SLACK_WINDOW
    finally:
        for sock in idle:
            sock.close()


# --- hostile text through the endpoint (properties) ---------------------------------------------

HOSTILE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120) | st.sampled_from(
    [
        "<",
        "<<>>",
        "<@",
        "<http://[abc>",
        "&amp;amp;",
        "<https://x.org|>",
        "<|>",
        "<!subteam^>",
        "\u202e\u200b",
        "%00",
        "' OR 1=1 --",
        "🚀" * 60,
    ]
)


def slack_escape(typed: str) -> str:
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@PROPERTIES
@given(text=HOSTILE, escaped=st.booleans())
def test_any_log_text_gets_an_answer_and_writes_one_contribution_or_none(
    bot: Bot, text: str, escaped: bool
) -> None:
    if not count(bot.db, Member):
        enrol(bot.db, MEMBER, TERM_START)
    before = count(bot.db, Contribution)
    sent = f"log talk https://x.org/{before} 2026-03-01 {slack_escape(text) if escaped else text}"

    reply = reply_text(bot.slack.command(sent, MEMBER))

    after = count(bot.db, Contribution)
    assert after in (before, before + 1)
    assert reply.startswith(":tada:") == (after == before + 1), reply


@PROPERTIES
@given(text=HOSTILE)
def test_any_command_text_gets_a_200_answer(bot: Bot, text: str) -> None:
    response = bot.slack.command(text, MEMBER)
    assert response.status == 200 and response.json["text"]


# --- rules the TSC would expect -----------------------------------------------------------------


def test_a_tsc_member_cannot_decide_their_own_application(bot: Bot) -> None:
    application_id, post = apply(bot, TSC)

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))
    alone = bot.fake.wait_for(lambda: bot.fake.responses)[-1]["text"]
    assert "your own application: another TSC member must" in alone
    assert "You are the only TSC member" in alone

    bot.fake.add_user(TSC2, "Second Council")
    add_member(bot.db, TSC2, "Second Council", is_tsc_member=True)
    bot.slack.click(ids.REJECT, TSC, value=str(application_id), message=as_clicked(post))
    told = bot.fake.wait_for(lambda: len(bot.fake.responses) == 2 and bot.fake.responses)[-1]["text"]
    assert "another TSC member must" in told and "only TSC member" not in told
    assert bot.fake.calls_to("chat.update") == []
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.status)).one() == "pending"
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "application.decision_refused")
        ).all()
        assert [(e.actor, e.details["reason"]) for e in refused] == [(TSC, "own_request")] * 2

    bot.slack.click(ids.APPROVE, TSC2, value=str(application_id), message=as_clicked(post))
    bot.fake.wait_for_call("chat.update")
    with bot.db.transaction() as session:
        assert session.scalars(select(Application.decided_by)).one() == TSC2


# --- Events API retries -----------------------------------------------------------------------------


def test_a_retried_event_is_acted_on_once(bot: Bot) -> None:
    event = {"type": "app_home_opened", "user": MEMBER, "tab": "home"}

    assert bot.slack.event(event, event_id="Ev0RETRIED").status == 200
    assert bot.slack.event(event, event_id="Ev0RETRIED", retry=1).status == 200
    assert bot.slack.event(event, event_id="Ev0RETRIED", retry=2).status == 200
    # The Home is drawn in the background after the answer: wait for the drawing, then for any other.
    bot.fake.wait_for(lambda: bot.fake.calls_to("views.publish"))
    bot.fake.wait_until_quiet()

    assert len(bot.fake.calls_to("views.publish")) == 1
    assert count(bot.db, ProcessedEvent) == 1


def test_processed_events_older_than_a_day_are_purged(db: Database) -> None:
    assert processed_events.first_delivery(db, "Ev1", "app_home_opened", DEFAULT_NOW)
    assert not processed_events.first_delivery(db, "Ev1", "app_home_opened", DEFAULT_NOW)
    later = DEFAULT_NOW + timedelta(days=2)
    assert processed_events.first_delivery(db, "Ev2", "app_home_opened", later)
    with db.transaction() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["Ev2"]


# --- repairing what was stored escaped --------------------------------------------------------------


def test_repair_escapes_lists_first_then_repairs_and_audits(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    member = enrol(db, MEMBER, TERM_START)
    escaped = add_contribution(
        db,
        member,
        date(2026, 2, 1),
        title="Tom &amp; Jerry with <@U0OTHER|olek>",
        link="https://www.youtube.com/watch?v=x&amp;t=42",
    )
    clean = add_contribution(
        db, member, date(2026, 2, 2), title="R&D, typed in a form", link="https://x.org/a"
    )
    # Already logged again with the decoded link: the old row's link stays (no duplicate is made).
    add_contribution(db, member, date(2026, 2, 3), title="Again", link="https://y.org/?a=1&b=2")
    collides = add_contribution(db, member, date(2026, 2, 4), title="Old", link="https://y.org/?a=1&amp;b=2")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db.url)
    assert main(["db", "repair-escapes"]) == 0
    listed = capsys.readouterr().out
    assert "2 field(s) to repair (dry run" in listed and "already logged" in listed
    with db.transaction() as session:
        assert session.get(Contribution, escaped).title == "Tom &amp; Jerry with <@U0OTHER|olek>"  # type: ignore[union-attr]

    assert main(["db", "repair-escapes", "--apply"]) == 0
    assert "repaired 2 field(s)" in capsys.readouterr().out
    with db.transaction() as session:
        fixed = session.get(Contribution, escaped)
        assert fixed is not None
        assert (fixed.title, fixed.link) == (
            "Tom & Jerry with @olek",
            "https://www.youtube.com/watch?v=x&t=42",
        )
        assert fixed.link_key == "https://www.youtube.com/watch?v=x&t=42"
        assert session.get(Contribution, clean).title == "R&D, typed in a form"  # type: ignore[union-attr]
        old = session.get(Contribution, collides)
        assert old is not None and old.title == "Old" and old.link == "https://y.org/?a=1&amp;b=2"
        audits = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "contribution.escapes_repaired")
        ).all()
        assert sorted(a.details["contribution_id"] for a in audits) == [escaped]
    assert repair_escapes(db, DEFAULT_NOW, apply=True) == [
        r for r in repair_escapes(db, DEFAULT_NOW, apply=False) if r.skipped
    ]


# --- the endpoint's last guard ------------------------------------------------------------------


def call_endpoint(application: Any, body: bytes) -> tuple[str, bytes]:
    """One signed command straight through the WSGI callable (no server needed for the guard)."""
    timestamp = int(time.time())
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_TYPE": FORM,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp),
        "HTTP_X_SLACK_SIGNATURE": sign(SIGNING_SECRET, timestamp, body),
    }
    answer: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"] = status
        return lambda _data: None

    body_parts = b"".join(application(environ, start_response))
    return answer["status"], body_parts


@pytest.mark.sqlite_only
@pytest.mark.parametrize("bolt_does", ["answers 500", "raises"])
def test_bolt_failing_or_answering_500_still_gets_the_member_a_200_answer(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, bolt_does: str
) -> None:
    class FailingBolt:
        def __init__(self, *_args: Any, **_kwargs: Any) -> None:
            pass

        def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
            if bolt_does == "raises":
                raise RuntimeError("Bolt failed on this payload")
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b""]

    monkeypatch.setattr(server, "SlackRequestHandler", FailingBolt)
    application = server.wsgi_app(create_app(bot.deps), bot.db)

    status, body = call_endpoint(application, b"command=%2Fambassador&text=status&user_id=U0MEMBER")

    assert status == "200 OK"
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == (
        general_blocks.INCOMPLETE_REQUEST if bolt_does == "raises" else general_blocks.APOLOGY
    )
