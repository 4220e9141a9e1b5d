"""The App Home through the real endpoint: signed `app_home_opened` events and clicks from the Home view
(container type "view"), the views the fake Slack accepted, and their refresh after every change.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import event, select

from bot.blocks import ids
from bot.rules import membership as membership_rules
from bot.services import home, home_tsc
from bot.services.contributions import ContributionDraft, ContributionRejected, edit_contribution
from bot.store.db import Database
from bot.store.models import Application, AuditEvent, Contribution, Member, MemberStatus, Term, TermStatus
from handlers.home import refresh_tsc_homes
from tests.conftest import MEMBER, OTHER, TSC, Bot
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import date_value, number_value, select_value, text_value
from tests.helpers.factories import add_contribution, add_member, enrol

# --- helpers ----------------------------------------------------------------------------------------

SERIAL = itertools.count()


@pytest.fixture(autouse=True)
def settle(fake_slack: FakeSlack) -> Iterator[None]:
    """Let the bot finish what it does after acknowledging (Home refreshes, DMs) before teardown."""
    yield
    fake_slack.wait_until_quiet()


def publishes_for(bot: Bot, user: str) -> list[dict[str, Any]]:
    return [call["view"] for call in bot.fake.calls_to("views.publish") if call["user_id"] == user]


def wait_for_publish(bot: Bot, user: str, count: int) -> dict[str, Any]:
    """The view published for `user` the `count`-th time (Bolt publishes after acknowledging)."""
    views = bot.fake.wait_for(lambda: len(publishes_for(bot, user)) >= count and publishes_for(bot, user))
    return dict(views[count - 1])


def open_home(bot: Bot, user: str, tab: str = "home") -> dict[str, Any]:
    """Open the Home tab as Slack reports it; return the view as stored by Slack (with its id)."""
    before = len(publishes_for(bot, user))
    response = bot.slack.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user[1:],
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
            "view": {"id": f"VHOME{user}", "type": "home", "hash": "1606810927.abc"},
        }
    )
    assert response.status == 200
    wait_for_publish(bot, user, before + 1)
    return bot.fake.views[f"VHOME{user}"]


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def stored_modal(bot: Bot, callback_id: str) -> dict[str, Any]:
    return bot.fake.wait_for(
        lambda: next((v for v in bot.fake.views.values() if v.get("callback_id") == callback_id), None)
    )


def add_application(
    db: Database,
    member_id: int,
    status: str = "pending",
    submitted_at: datetime = datetime(2026, 11, 20, 3, tzinfo=UTC),
    **fields: Any,
) -> int:
    with db.transaction() as session:
        application = Application(member_id=member_id, status=status, submitted_at=submitted_at, **fields)
        session.add(application)
        session.flush()
        return application.id


def bulk_contributions(db: Database, member_id: int, count: int, start: date, **fields: Any) -> None:
    with db.transaction() as session:
        for number in range(count):
            day = start + timedelta(days=number % 200)
            link = f"https://example.com/bulk/{member_id}/{start.isoformat()}/{number}"
            session.add(
                Contribution(
                    member_id=member_id,
                    type="article",
                    title=f"Bulk {number}",
                    link=link,
                    link_key=membership_rules.normalize_link(link),
                    year=day.year,
                    month=membership_rules.month_label(day),
                    occurred_on=day,
                    **fields,
                )
            )


def bulk_applicants(db: Database, count: int) -> None:
    with db.transaction() as session:
        for number in itertools.islice(SERIAL, count):
            member = Member(slack_user_id=f"UAPP{number:05d}", name=f"Applicant {number}", status="candidate")
            session.add(member)
            session.flush()
            session.add(
                Application(
                    member_id=member.id,
                    status="pending",
                    submitted_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=number),
                )
            )
            day = date(2026, 6, 1)
            session.add(
                Contribution(
                    member_id=member.id,
                    type="talk",
                    title="A talk",
                    link=f"https://example.com/app/{number}",
                    link_key=f"https://example.com/app/{number}",
                    year=day.year,
                    month="June",
                    occurred_on=day,
                    source="application",
                )
            )


def bulk_ambassadors(db: Database, count: int, start: date) -> None:
    with db.transaction() as session:
        for number in itertools.islice(SERIAL, count):
            member = Member(slack_user_id=f"UAMB{number:05d}", name=f"Ambassador {number}", status="active")
            session.add(member)
            session.flush()
            session.add(
                Term(
                    member_id=member.id,
                    start_on=start,
                    end_on=membership_rules.first_term(start).end,
                    status=TermStatus.ACTIVE,
                )
            )


def statements_during(db: Database, work: Callable[[], Any]) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE is not a query
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


# --- publishing -------------------------------------------------------------------------------------


def test_opening_the_home_tab_publishes_the_home(bot: Bot) -> None:
    view = open_home(bot, OTHER)
    assert view["type"] == "home"
    assert "at least *4 contributions a year*" in text_of(view)
    assert publishes_for(bot, OTHER)[0]["type"] == "home"


def test_the_messages_tab_is_left_alone(bot: Bot) -> None:
    bot.slack.event({"type": "app_home_opened", "user": MEMBER, "channel": "D0MEMBER", "tab": "messages"})
    open_home(bot, OTHER)
    time.sleep(0.2)
    assert publishes_for(bot, MEMBER) == []


def test_an_ambassadors_home_shows_progress_and_contributions_newest_first(bot: Bot) -> None:
    bot.clock.set("2026-09-01T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    add_contribution(bot.db, member_id, date(2026, 4, 1), title="April article")
    add_contribution(bot.db, member_id, date(2026, 8, 1), title="August talk", type_="talk")
    add_contribution(bot.db, member_id, date(2025, 6, 1), title="Before the term")

    view = open_home(bot, MEMBER)

    text = text_of(view)
    assert "▰▰▱▱  2 of 4 contributions this term · term ends 2027-03-01 (181 days left)" in text
    assert "On pace: 2 to go." in text
    assert text.index("August talk") < text.index("April article")
    assert "Before the term" not in text
    assert "1 contribution from before this term. `/ambassador history` lists them all." in text
    edit_buttons = [
        e
        for b in view["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ids.EDIT_CONTRIBUTION
    ]
    assert len(edit_buttons) == 2


def test_dates_are_in_the_viewers_time_zone(bot: Bot) -> None:
    # 23:30 UTC on the 24th: already the 25th in Madrid (MEMBER), still the 24th in New York (TSC).
    bot.clock.set("2026-11-24T23:30:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    applicant = add_member(bot.db, OTHER, "Olek Other")
    add_application(bot.db, applicant, submitted_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))

    member_view = text_of(open_home(bot, MEMBER))
    tsc_view = text_of(open_home(bot, TSC))

    assert "(96 days left)" in member_view
    assert "Updated 2026-11-25 00:30" in member_view
    assert "Sent 2026-11-19" in tsc_view  # 02:00 UTC on the 20th is the evening of the 19th in New York
    assert "Updated 2026-11-24 18:30" in tsc_view


def test_an_applicant_sees_where_their_application_stands(bot: Bot) -> None:
    applicant = add_member(bot.db, OTHER, "Olek Other")
    add_application(bot.db, applicant, submitted_at=datetime(2026, 3, 10, 12, tzinfo=UTC))

    text = text_of(open_home(bot, OTHER))

    assert "Your application, sent 2026-03-10, is with the TSC" in text
    assert ids.APPLY_OPEN not in text


def test_an_emeritus_sees_their_history_and_how_to_come_back(bot: Bot) -> None:
    member_id = add_member(bot.db, MEMBER, status=MemberStatus.EMERITUS)
    with bot.db.transaction() as session:
        session.add(
            Term(member_id=member_id, start_on=date(2024, 3, 1), end_on=date(2025, 2, 28), status="lapsed")
        )
    add_contribution(bot.db, member_id, date(2024, 5, 1), title="Old talk")

    text = text_of(open_home(bot, MEMBER))

    assert "Thank you for being an ambassador" in text
    assert "2024-03-01 → 2025-02-28 (ended without the requirement)" in text
    assert "Old talk" in text
    assert ids.REJOIN_OPEN in text and ids.EDIT_CONTRIBUTION not in text


def test_the_tsc_home_has_applications_at_risk_ambassadors_and_figures(bot: Bot) -> None:
    bot.clock.set("2026-11-24T15:00:00")
    behind = enrol(bot.db, MEMBER, date(2026, 3, 2))
    add_contribution(bot.db, behind, date(2026, 11, 2), type_="talk")
    applicant = add_member(bot.db, OTHER, "Olek Other", title="DevRel", company="Acme")
    for month in (2, 4, 6, 8):
        add_contribution(bot.db, applicant, date(2026, month, 1))
    application_id = add_application(bot.db, applicant)

    view = open_home(bot, TSC)

    text = text_of(view)
    approve = next(
        e for b in view["blocks"] for e in b.get("elements", []) if e.get("action_id") == ids.APPROVE
    )
    assert approve["value"] == str(application_id)
    assert "*Olek Other* (<@U0OTHER>) — DevRel, Acme" in text
    assert "4 contributions in the last 12 months · :white_check_mark: meets the requirement" in text
    assert "*Jane Doe* (<@U0MEMBER>) — 1 of 4 · behind pace (2 expected by now)" in text
    assert "*Active ambassadors*\\n1" in text
    assert "*Contributions in November 2026*\\n1\\nTalk 1" in text
    # The applicant's record is not the program's yet.
    assert "*Contributions in 2026*\\n1\\nTalk 1" in text
    # Not a TSC member: none of it.
    member_text = text_of(open_home(bot, MEMBER))
    assert "TSC ·" not in member_text and ids.APPROVE not in member_text


def test_members_flagged_tsc_get_the_tsc_part_and_refresh_tsc_homes_reaches_them(bot: Bot) -> None:
    bot.fake.add_user("U0FLAGGED", "Flagged TSC")
    add_member(bot.db, "U0FLAGGED", "Flagged TSC", is_tsc_member=True)
    applicant = add_member(bot.db, OTHER, "Olek Other")
    add_application(bot.db, applicant)

    refresh_tsc_homes(bot.deps, WebClient(token=BOT_TOKEN, base_url=bot.fake.url))

    # Drawn in the background, after whatever called it has answered.
    for user in (TSC, "U0FLAGGED"):
        assert "TSC · Applications waiting (1)" in text_of(wait_for_publish(bot, user, 1))
    bot.fake.wait_until_quiet()
    assert {call["user_id"] for call in bot.fake.calls_to("views.publish")} == {TSC, "U0FLAGGED"}


def test_a_members_home_never_shows_another_members_private_data(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    other = enrol(bot.db, OTHER, date(2026, 1, 10), name="Olek Other")
    secret = add_contribution(bot.db, other, date(2026, 6, 1), title="Olek's talk")
    with bot.db.transaction() as session:
        row = session.get(Contribution, secret)
        assert row is not None
        row.notes, row.reach, row.audience = "SECRET-NOTE", 987654, "SECRET-AUDIENCE"
        session.get(Member, other).twitter = "SECRET-TWITTER"  # type: ignore[union-attr]
    applicant = add_member(bot.db, "U0APPLICANT", "Ann Applicant", bio="SECRET-BIO")
    add_application(bot.db, applicant, motivation="SECRET-MOTIVATION")

    member_text = text_of(open_home(bot, MEMBER))
    tsc_text = text_of(open_home(bot, TSC))

    for private in (
        "SECRET-NOTE",
        "987654",
        "SECRET-AUDIENCE",
        "SECRET-TWITTER",
        "SECRET-BIO",
        "SECRET-MOTIVATION",
    ):
        assert private not in member_text and private not in tsc_text
    for someone_else in ("Olek", "U0OTHER", "Ann Applicant"):
        assert someone_else not in member_text
    assert "Olek Other" in tsc_text and "Ann Applicant" in tsc_text  # what the TSC needs
    assert "Olek's talk" not in bot.slack.command("history", MEMBER).json["text"]


def test_large_records_are_cut_to_fit_and_still_published(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    bot.fake.add_user("U0BIG", "Big Ambassador")
    big = enrol(bot.db, "U0BIG", date(2026, 3, 2), name="Big Ambassador", is_tsc_member=True)
    bulk_contributions(bot.db, big, 300, date(2026, 3, 2))
    bulk_applicants(bot.db, 200)
    bulk_ambassadors(bot.db, 150, date(2026, 1, 5))

    view = open_home(bot, "U0BIG")

    assert len(view["blocks"]) <= 100
    text = text_of(view)
    assert f"…and {300 - home.CONTRIBUTIONS_SHOWN} more. `/ambassador history` lists them all." in text
    assert f"…and {200 - home_tsc.PENDING_SHOWN} more. `/ambassador admin pending` lists them all." in text
    assert f"…and {150 - home_tsc.AT_RISK_SHOWN} more. `/ambassador list`" in text
    assert "*Active ambassadors*\\n151" in text


# --- no N+1 -----------------------------------------------------------------------------------------


def test_loading_a_home_takes_the_same_queries_whatever_the_amount_of_data(db: Database) -> None:
    today, now = date(2026, 11, 24), datetime(2026, 11, 24, 10, tzinfo=UTC)
    member_id = enrol(db, MEMBER, date(2026, 3, 2))
    add_contribution(db, member_id, date(2026, 4, 1))
    bulk_applicants(db, 1)
    bulk_ambassadors(db, 2, date(2026, 1, 5))

    def load() -> home.Home:
        return home.load_home(db, MEMBER, today, now, 4, is_tsc=True)

    small = statements_during(db, load)
    bulk_contributions(db, member_id, 300, date(2026, 3, 2))
    bulk_contributions(db, member_id, 50, date(2025, 1, 1))
    bulk_applicants(db, 200)
    bulk_ambassadors(db, 150, date(2026, 1, 5))
    loaded: list[home.Home] = []
    large = statements_during(db, lambda: loaded.append(load()))

    assert len(large) == len(small) <= 10
    data = loaded[0]
    assert data.personal is not None and data.tsc is not None
    assert data.personal.contributions_listed_total == 301
    assert data.personal.earlier_contributions == 50
    assert data.tsc.pending_total == 201 and data.tsc.figures.active_ambassadors == 153
    assert len(data.personal.contributions) == home.CONTRIBUTIONS_SHOWN


# --- clicks from the Home view ----------------------------------------------------------------------


def test_log_a_contribution_from_the_home_then_the_home_refreshes(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    view = open_home(bot, MEMBER)

    assert bot.slack.click(ids.LOG_OPEN, MEMBER, view=view, block_id="member-actions").status == 200
    modal = stored_modal(bot, ids.LOG_MODAL)
    response = bot.slack.submit_view(
        modal,
        {
            "type": select_value("talk"),
            "title": text_value("Home-made talk"),
            "link": text_value("https://example.com/home-talk", "url_text_input"),
            "date": date_value("2026-11-20"),
            "reach": number_value(None),
            "notes": text_value(None),
        },
        MEMBER,
    )

    assert response.status == 200 and not response.body
    # No channel in a Home click: the confirmation is a DM.
    dm = bot.fake.wait_for_call("chat.postMessage")[0]
    assert dm["channel"] == MEMBER and "1 of 4 contributions this term" in dm["text"]
    refreshed = text_of(wait_for_publish(bot, MEMBER, 2))
    assert "Home-made talk" in refreshed and "1 of 4 contributions this term" in refreshed


def test_edit_from_the_home_validates_saves_audits_and_refreshes(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    contribution_id = add_contribution(
        bot.db, member_id, date(2026, 5, 1), title="Old title", link="https://example.com/old"
    )
    add_contribution(bot.db, member_id, date(2026, 6, 1), title="Other", link="https://example.com/taken")
    view = open_home(bot, MEMBER)

    bot.slack.click(
        ids.EDIT_CONTRIBUTION,
        MEMBER,
        value=str(contribution_id),
        view=view,
        block_id=f"contribution-actions-{contribution_id}",
    )
    modal = stored_modal(bot, ids.EDIT_MODAL)
    fields = {block["block_id"]: block["element"] for block in modal["blocks"]}
    assert fields["title"]["initial_value"] == "Old title"
    assert fields["link"]["initial_value"] == "https://example.com/old"

    def submit(title: str, link: str, day: str, reach: str | None = None) -> Any:
        return bot.slack.submit_view(
            modal,
            {
                "type": select_value("talk"),
                "title": text_value(title),
                "link": text_value(link, "url_text_input"),
                "date": date_value(day),
                "reach": number_value(reach),
                "notes": text_value("Private note"),
            },
            MEMBER,
        )

    bad = submit(" ", "ftp://example.com/x", "2028-12-31").json
    assert bad["response_action"] == "errors" and set(bad["errors"]) == {"title", "link", "date"}
    taken = submit("New title", "https://EXAMPLE.com/taken/", "2026-05-02").json
    assert taken["errors"] == {"link": "You already logged a contribution with this link."}

    good = submit("New title", "https://example.com/new", "2026-05-02", reach="40")
    assert good.status == 200 and not good.body
    refreshed = text_of(wait_for_publish(bot, MEMBER, 2))
    assert "New title" in refreshed and "Old title" not in refreshed
    with bot.db.transaction() as session:
        row = session.get(Contribution, contribution_id)
        assert row is not None
        assert (row.type, row.title, row.link, row.occurred_on, row.reach, row.notes) == (
            "talk",
            "New title",
            "https://example.com/new",
            date(2026, 5, 2),
            40,
            "Private note",
        )
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "contribution.edited")).one()
        assert audit.actor == MEMBER and audit.details["contribution_id"] == contribution_id
        assert audit.details["changes"]["title"] == {"old": "Old title", "new": "New title"}
        assert audit.details["changes"]["date"] == {"old": "2026-05-01", "new": "2026-05-02"}
        assert audit.details["changes"]["type"] == {"old": "article", "new": "talk"}


def test_nobody_edits_or_deletes_someone_elses_contribution(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    enrol(bot.db, OTHER, date(2026, 3, 2), name="Olek Other")
    contribution_id = add_contribution(bot.db, member_id, date(2026, 5, 1), title="Jane's")
    other_home = open_home(bot, OTHER)

    bot.slack.click(ids.EDIT_CONTRIBUTION, OTHER, value=str(contribution_id), view=other_home)
    refusal = bot.fake.wait_for_call("chat.postMessage")[0]
    assert refusal["channel"] == OTHER and "no longer on your record" in refusal["text"]
    assert bot.fake.calls_to("views.open") == []
    # The refusal redraws the stale Home; until it is drawn, the next click's redraw joins it.
    wait_for_publish(bot, OTHER, 2)

    bot.slack.click(ids.DELETE_CONTRIBUTION, OTHER, value=str(contribution_id), view=other_home)
    wait_for_publish(bot, OTHER, 3)
    forged_form = {
        "callback_id": ids.EDIT_MODAL,
        "title": {"type": "plain_text", "text": "Edit contribution"},
        "blocks": [],
        "private_metadata": json.dumps({"contribution_id": contribution_id}),
    }
    forged = bot.slack.submit_view(
        forged_form,
        {
            "type": select_value("talk"),
            "title": text_value("Hijacked"),
            "link": text_value("https://example.com/h", "url_text_input"),
            "date": date_value("2026-05-01"),
        },
        OTHER,
    ).json
    assert forged["errors"] == {
        "title": "That contribution is no longer on your record (it may have been deleted already)."
    }
    with bot.db.transaction() as session:
        row = session.get(Contribution, contribution_id)
        assert row is not None and row.title == "Jane's"
        assert session.scalars(select(AuditEvent)).all() == []


def test_delete_from_the_home_removes_audits_and_refreshes_and_a_second_click_is_harmless(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    contribution_id = add_contribution(bot.db, member_id, date(2026, 5, 1), title="Gone soon")
    view = open_home(bot, MEMBER)
    assert "Gone soon" in text_of(view)

    for clicks in (1, 2):
        response = bot.slack.click(
            ids.DELETE_CONTRIBUTION,
            MEMBER,
            value=str(contribution_id),
            view=view,
            block_id=f"contribution-actions-{contribution_id}",
        )
        assert response.status == 200
        refreshed = text_of(wait_for_publish(bot, MEMBER, 1 + clicks))
        assert "Gone soon" not in refreshed and "0 of 4 contributions this term" in refreshed

    with bot.db.transaction() as session:
        assert session.get(Contribution, contribution_id) is None
        (audit,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "contribution.deleted")
        ).all()
        assert audit.actor == MEMBER and audit.details["old"]["title"] == "Gone soon"
    assert bot.fake.calls_to("chat.postMessage") == []  # no apology: nothing went wrong


def test_a_failed_publish_is_logged_and_the_bot_keeps_serving(bot: Bot) -> None:
    bot.fake.fail("views.publish", error="internal_error")
    bot.slack.event({"type": "app_home_opened", "user": OTHER, "channel": "D0OTHER", "tab": "home"})
    bot.fake.wait_for_call("views.publish")
    assert open_home(bot, OTHER)["type"] == "home"


# --- the service's rules ----------------------------------------------------------------------------


def test_editing_keeps_an_imported_month_unless_the_date_changes(db: Database) -> None:
    member_id = enrol(db, MEMBER, date(2026, 3, 2))
    with db.transaction() as session:
        imported = Contribution(
            member_id=member_id,
            type="initiative_driver",
            title="Imported",
            link="https://example.com/imported",
            link_key="https://example.com/imported",
            year=2024,
            month="Mar",
            occurred_on=date(2024, 3, 1),
            date_precision="month",
            source="import",
        )
        session.add(imported)
        session.flush()
        imported_id = imported.id
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)

    def draft(title: str, day: date, type_: str = "initiative") -> ContributionDraft:
        return ContributionDraft(
            type=type_, title=title, link="https://example.com/imported", occurred_on=day
        )

    edited = edit_contribution(db, MEMBER, imported_id, draft("Renamed", date(2024, 3, 1)), now.date(), now)
    assert edited.changed == ("title",)
    with db.transaction() as session:
        row = session.get(Contribution, imported_id)
        assert row is not None
        assert (row.type, row.month, row.date_precision) == ("initiative_driver", "Mar", "month")

    unchanged = edit_contribution(
        db, MEMBER, imported_id, draft("Renamed", date(2024, 3, 1)), now.date(), now
    )
    assert unchanged.changed == ()

    edit_contribution(db, MEMBER, imported_id, draft("Renamed", date(2024, 3, 9), "talk"), now.date(), now)
    with db.transaction() as session:
        row = session.get(Contribution, imported_id)
        assert row is not None
        assert (row.type, row.month, row.date_precision, row.occurred_on) == (
            "talk",
            "March",
            "day",
            date(2024, 3, 9),
        )
        assert len(session.scalars(select(AuditEvent)).all()) == 2

    try:
        edit_contribution(db, MEMBER, imported_id, draft("", date(2030, 1, 1)), now.date(), now)
    except ContributionRejected as rejected:
        assert set(rejected.problems) == {"title", "date"}
    else:
        raise AssertionError("an empty title and a future date must be refused")


def test_history_lists_every_own_contribution(bot: Bot) -> None:
    bot.clock.set("2026-05-01T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    add_contribution(bot.db, member_id, date(2026, 4, 1), title="This term")
    add_contribution(bot.db, member_id, date(2024, 4, 1), title="Long ago")

    text = bot.slack.command("history", MEMBER).json["text"]

    assert "(2 on record, newest first" in text
    assert "`/ambassador history`" in bot.slack.command("help", MEMBER).json["text"]
    blocks_text = text_of(bot.slack.command("history", MEMBER).json["blocks"])
    assert blocks_text.index("This term") < blocks_text.index("Long ago")
    assert "✓ *Article* · <https://example.com/1/2026-04-01/This-term|This term>" in blocks_text


# --- the other features' buttons on the Home (their listeners; the Home refreshes) -----------------


def test_snooze_and_resume_from_the_home_refresh_it(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    enrol(bot.db, MEMBER, date(2026, 3, 2))
    view = open_home(bot, MEMBER)
    snooze = next(
        e for b in view["blocks"] for e in b.get("elements", []) if e.get("action_id") == ids.SNOOZE
    )

    bot.slack.click(ids.SNOOZE, MEMBER, value=snooze["value"], view=view, block_id="member-actions")
    snoozed = wait_for_publish(bot, MEMBER, 2)
    assert "Progress reminders snoozed until 2026-12-24" in text_of(snoozed)
    assert ids.RESUME in text_of(snoozed) and ids.SNOOZE not in text_of(snoozed)

    bot.slack.click(ids.RESUME, MEMBER, view=bot.fake.views[f"VHOME{MEMBER}"], block_id="member-actions")
    resumed = text_of(wait_for_publish(bot, MEMBER, 3))
    assert ids.SNOOZE in resumed and "snoozed until" not in resumed
    # From the Home there is no message to answer under: the refresh is the answer.
    assert bot.fake.responses == []


APPLICATION_FORM = {
    "name": "Olek Other",
    "title": "Developer Advocate",
    "company": "Acme",
    "country": None,
    "bio": "Olek speaks about AsyncAPI.",
    "github": "olekother",
    "twitter": None,
    "linkedin": None,
    "img": None,
    "contributions": "talk https://youtu.be/olek 2026-02 AsyncAPI at KubeCon\n"
    "article https://x.org/olek 2025-12 Specs\nvideo https://youtu.be/o2 2026-01 Demo\n"
    "podcast https://pod.example/o 2025-11 Chat",
    "motivation": "I love the community.",
}


def wait_for_home_with(bot: Bot, user: str, *expected: str) -> str:
    """The newest Home published for `user` once it shows every `expected` text."""

    def latest() -> str | None:
        views = publishes_for(bot, user)
        text = text_of(views[-1]) if views else ""
        return text if all(part in text for part in expected) else None

    text: str = bot.fake.wait_for(latest)
    return text


def apply_from_the_home(bot: Bot) -> int:
    view = open_home(bot, OTHER)
    assert bot.slack.click(ids.APPLY_OPEN, OTHER, view=view, block_id="apply-intro").status == 200
    update = bot.fake.wait_for_call("views.update")[-1]
    form = bot.fake.views[update["view_id"]]
    submitted = bot.slack.submit_view(
        form, {name: text_value(v) for name, v in APPLICATION_FORM.items()}, OTHER
    )
    assert submitted.status == 200 and not submitted.body
    with bot.db.transaction() as session:
        application_id = session.scalars(select(Application.id)).one()
    return application_id


def test_apply_from_the_home_then_approve_from_the_tsc_home(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    open_home(bot, TSC)

    application_id = apply_from_the_home(bot)

    wait_for_home_with(bot, OTHER, "is with the TSC")
    tsc_text = wait_for_home_with(bot, TSC, "TSC · Applications waiting (1)", "*Olek Other* (<@U0OTHER>)")
    assert "4 contributions in the last 12 months · :white_check_mark: meets the requirement" in tsc_text

    tsc_home = bot.fake.views[f"VHOME{TSC}"]
    bot.slack.click(
        ids.APPROVE,
        TSC,
        value=str(application_id),
        view=tsc_home,
        block_id=f"application-actions-{application_id}",
    )

    wait_for_home_with(bot, TSC, "TSC · Applications waiting (0)", "*Active ambassadors*\\n1")
    ambassador = wait_for_home_with(bot, OTHER, "Your ambassador term")
    assert "*Term* 2026-03-15 → 2027-03-14" in ambassador
    assert ids.APPROVE not in text_of(publishes_for(bot, TSC)[-1])


def test_reject_from_the_tsc_home_shows_the_applicant_the_reason(bot: Bot) -> None:
    bot.clock.set("2026-03-15T12:00:00")
    application_id = apply_from_the_home(bot)
    tsc_home = open_home(bot, TSC)

    bot.slack.click(ids.REJECT, TSC, value=str(application_id), view=tsc_home)
    reason_form = stored_modal(bot, ids.REJECT_MODAL)
    assert (
        bot.slack.submit_view(
            reason_form, {"reason": text_value("Not enough about AsyncAPI yet")}, TSC
        ).status
        == 200
    )

    wait_for_home_with(bot, TSC, "TSC · Applications waiting (0)")
    rejected = wait_for_home_with(bot, OTHER, "was not accepted this time")
    assert "Not enough about AsyncAPI yet" in rejected and ids.APPLY_OPEN in rejected


def test_renew_from_the_home_refreshes_it(bot: Bot) -> None:
    bot.clock.set("2027-02-10T10:00:00")
    member_id = enrol(bot.db, MEMBER, date(2026, 3, 2))
    for month in (4, 6, 8, 10):
        add_contribution(bot.db, member_id, date(2026, month, 1))
    view = open_home(bot, MEMBER)
    renew = next(e for b in view["blocks"] for e in b.get("elements", []) if e.get("action_id") == ids.RENEW)

    bot.slack.click(ids.RENEW, MEMBER, value=renew["value"], view=view, block_id="member-actions")

    renewed = wait_for_home_with(bot, MEMBER, "Renewal requested")
    assert ids.RENEW not in renewed
    with bot.db.transaction() as session:
        term = session.scalars(select(Term).where(Term.member_id == member_id)).first()
        assert term is not None and term.renewal_requested_at is not None
