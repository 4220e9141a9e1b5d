"""`/ambassador admin ...` through the real endpoint: TSC only; pending, add, link, extend, emeritus,
reinstate, with the DMs they send and the audit trail."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from bot.blocks import ids
from bot.store.models import Application, AuditEvent, Member, OutboxMessage, Term
from tests.conftest import MEMBER, OTHER, TSC, Bot
from tests.helpers.factories import add_contribution, add_member, enrol
from tests.helpers.membership import count, dm_texts, settle  # noqa: F401 (fixture)

NOW = "2026-03-15T12:00:00"


def admin(bot: Bot, text: str, user: str = TSC) -> str:
    response = bot.slack.command(f"admin {text}".strip(), user)
    assert response.status == 200
    return str(response.json["text"])


def terms_of(bot: Bot, slack_user_id: str) -> list[tuple[date, date, str]]:
    with bot.db.transaction() as session:
        rows = session.execute(
            select(Term.start_on, Term.end_on, Term.status)
            .join(Member, Member.id == Term.member_id)
            .where(Member.slack_user_id == slack_user_id)
            .order_by(Term.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def status_of(bot: Bot, slack_user_id: str) -> tuple[str, str | None]:
    with bot.db.transaction() as session:
        member = session.scalars(select(Member).where(Member.slack_user_id == slack_user_id)).one()
        return member.status, member.status_reason


def test_admin_is_refused_to_everyone_but_the_tsc(bot: Bot) -> None:
    for text in ("", "pending", "add <@U0OTHER|olek>", "emeritus <@U0TSC|tess> bye"):
        assert admin(bot, text, OTHER).startswith(":no_entry: The admin commands are for TSC members only")
    assert count(bot, Member) == 0
    with bot.db.transaction() as session:
        refused = session.scalars(select(AuditEvent)).all()
        assert {(e.actor, e.action) for e in refused} == {(OTHER, "admin.refused")}
        assert len(refused) == 4


def test_admin_help_and_unknown_subcommands(bot: Bot) -> None:
    text = admin(bot, "")
    for usage in (
        "admin pending",
        "admin add @someone",
        "admin link @someone GITHUB",
        "admin extend @someone DAYS",
    ):
        assert f"`/ambassador {usage}`" in text
    assert admin(bot, "dance").startswith("I don't know `admin dance`.")
    assert "`/ambassador admin`" in bot.slack.command("help", MEMBER).json["text"]


def test_pending_lists_waiting_applications_with_their_buttons(bot: Bot) -> None:
    bot.clock.set(NOW)
    assert admin(bot, "pending") == "No applications are waiting for a decision."
    member_id = add_member(bot.db, MEMBER, "Jane Doe", title="DevRel", company="Acme")
    for month in range(4):
        add_contribution(bot.db, member_id, date(2025, 6 + month, 1))
    with bot.db.transaction() as session:
        session.add(Application(member_id=member_id, status="pending", submitted_at=bot.clock.now))
        session.add(Application(member_id=add_member(bot.db, OTHER, "Olek"), status="nominated"))

    reply = bot.slack.command("admin pending", TSC).json

    assert reply["text"] == "1 application waiting for a decision."
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "*Jane Doe* (<@U0MEMBER>) — DevRel at Acme" in text
    assert "4 in the last 12 months (:white_check_mark: meets the requirement of 4)" in text
    assert "not posted to the review channel" in text
    actions = next(b for b in reply["blocks"] if b["type"] == "actions")["elements"]
    assert [(a["action_id"], a["value"]) for a in actions] == [(ids.APPROVE, "1"), (ids.REJECT, "1")]


def test_add_enrols_welcomes_and_queues_the_announcement_once(bot: Bot) -> None:
    bot.clock.set(NOW)

    reply = admin(bot, "add <@U0OTHER|olek>")

    assert "<@U0OTHER> is now an ambassador, term *2026-03-15* to *2027-03-14*" in reply
    assert terms_of(bot, OTHER) == [(date(2026, 3, 15), date(2027, 3, 14), "active")]
    with bot.db.transaction() as session:
        member = session.scalars(select(Member).where(Member.slack_user_id == OTHER)).one()
        assert (member.name, member.status) == ("Olek Other", "active")
        kinds = sorted(session.scalars(select(OutboxMessage.kind)))
        assert kinds == ["announce", "welcome"]
    welcome = bot.fake.wait_for(lambda: dm_texts(bot, OTHER))[0]
    assert "Welcome to the ambassador program, Olek Other" in welcome

    again = admin(bot, "add <@U0OTHER|olek>")
    assert "already an ambassador" in again and "Nothing was changed" in again
    assert len(terms_of(bot, OTHER)) == 1
    with bot.db.transaction() as session:
        assert [e.action for e in session.scalars(select(AuditEvent))] == ["member.enrolled"]


def test_add_refusals(bot: Bot) -> None:
    assert admin(bot, "add olek").startswith("Usage: `/ambassador admin add @someone`")
    assert "could not find <@U0NOBODY>" in admin(bot, "add <@U0NOBODY|x>")
    member_id = add_member(bot.db, MEMBER)
    with bot.db.transaction() as session:
        session.add(Application(member_id=member_id, status="pending"))
    assert "has an application waiting (#1)" in admin(bot, "add <@U0MEMBER|jane>")
    assert terms_of(bot, MEMBER) == []


def test_link_connects_an_imported_record_to_a_slack_user(bot: Bot) -> None:
    add_member(bot.db, None, "Imported Jane", github="JaneDoe", status="active")

    assert admin(bot, "link <@U0MEMBER|jane> janedoe") == (
        ":link: Linked Imported Jane (GitHub janedoe, active) to <@U0MEMBER>."
    )
    assert "already linked to <@U0MEMBER>" in admin(bot, "link <@U0MEMBER|jane> JaneDoe")
    assert "is linked to <@U0MEMBER> already" in admin(bot, "link <@U0OTHER|olek> janedoe")
    assert "No member record has the GitHub handle nobody" in admin(bot, "link <@U0OTHER|olek> nobody")
    assert admin(bot, "link <@U0OTHER|olek> not/a/handle").startswith("Usage: `/ambassador admin link")
    add_member(bot.db, OTHER, "Olek")
    add_member(bot.db, None, "Imported Olek", github="olek")
    assert "already has their own record (Olek)" in admin(bot, "link <@U0OTHER|olek> olek")
    with bot.db.transaction() as session:
        event = session.scalars(select(AuditEvent)).one()
        assert (event.actor, event.action, event.details["slack_user_id"]) == (TSC, "member.linked", MEMBER)


def test_extend_sets_the_end_past_the_normal_one_and_tells_the_member(bot: Bot) -> None:
    bot.clock.set(NOW)
    enrol(bot.db, MEMBER, date(2025, 4, 1))  # → 2026-03-31

    reply = admin(bot, "extend <@U0MEMBER|jane> 30")

    assert "<@U0MEMBER>'s term now ends on 2026-04-30 (30 days past its normal end" in reply
    assert terms_of(bot, MEMBER) == [(date(2025, 4, 1), date(2026, 4, 30), "active")]
    dm = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "it now ends on *2026-04-30* (it was 2026-03-31)" in dm
    assert "already ends on 2026-04-30" in admin(bot, "extend <@U0MEMBER|jane> 30d")
    assert admin(bot, "extend <@U0MEMBER|jane> 400").startswith("Usage: `/ambassador admin extend")
    assert admin(bot, "extend <@U0MEMBER|jane> soon").startswith("Usage: `/ambassador admin extend")
    assert "no current term to extend" in admin(bot, "extend <@U0OTHER|olek> 10")
    bot.fake.wait_until_quiet()
    assert len(dm_texts(bot, MEMBER)) == 1


def test_emeritus_and_reinstate(bot: Bot) -> None:
    bot.clock.set(NOW)
    enrol(bot.db, MEMBER, date(2025, 6, 1))

    assert admin(bot, "emeritus <@U0MEMBER|jane>").startswith("Usage: `/ambassador admin emeritus")
    reply = admin(bot, "emeritus <@U0MEMBER|jane> Stepping down to focus on a new job")

    assert "<@U0MEMBER> is now emeritus" in reply
    assert status_of(bot, MEMBER) == ("emeritus", "Stepping down to focus on a new job")
    assert terms_of(bot, MEMBER) == [(date(2025, 6, 1), date(2026, 5, 31), "ended")]
    dm = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "moved you to *emeritus* ambassador" in dm and "Stepping down" in dm
    assert "already emeritus" in admin(bot, "emeritus <@U0MEMBER|jane> again")
    assert "not a current ambassador" in bot.slack.command("status", MEMBER).json["text"]

    back = admin(bot, "reinstate <@U0MEMBER|jane>")
    assert "<@U0MEMBER> is an ambassador again, term *2026-03-15* to *2027-03-14*" in back
    assert status_of(bot, MEMBER) == ("active", None)
    assert terms_of(bot, MEMBER)[-1] == (date(2026, 3, 15), date(2027, 3, 14), "active")
    bot.fake.wait_for(lambda: len(dm_texts(bot, MEMBER)) == 2)
    assert "Welcome back to the ambassador program" in dm_texts(bot, MEMBER)[1]
    assert "already an ambassador" in admin(bot, "reinstate <@U0MEMBER|jane>")
    assert "<@U0OTHER> is not on record" in admin(bot, "reinstate <@U0OTHER|olek>")
    with bot.db.transaction() as session:
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [(TSC, "member.emeritus"), (TSC, "member.reinstated")]


def test_term_sets_the_day_a_member_joined_recomputes_their_standing_and_redraws_their_home(bot: Bot) -> None:
    bot.clock.set(NOW)
    member = enrol(bot.db, MEMBER, date(2026, 3, 1), github="janedoe")  # as imported, from 2026-03-01
    add_contribution(bot.db, member, date(2025, 11, 20))

    reply = admin(bot, "term <@U0MEMBER|jane> start 2022-05-05")

    assert reply == (
        ":calendar: <@U0MEMBER> joined on 2022-05-05: current term 2025-05-05 to 2026-05-04 (was 2026-03-01 "
        "to 2027-02-28), 3 earlier terms recorded; 1 of 4 contributions this term. Their App Home shows the "
        "new dates."
    )
    assert terms_of(bot, MEMBER)[0] == (date(2025, 5, 5), date(2026, 5, 4), "active")
    assert len(terms_of(bot, MEMBER)) == 4
    bot.fake.wait_for(lambda: [c for c in bot.fake.calls_to("views.publish") if c["user_id"] == MEMBER])
    status = bot.slack.command("status", MEMBER).json["text"]
    assert "2025-05-05 → 2026-05-04" in status and "1 of 4 contributions this term" in status
    with bot.db.transaction() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "term.start_set")).one()
        assert (audit.actor, audit.details["start"]) == (TSC, "2022-05-05")
    assert "nothing changed" in admin(bot, "term <@U0MEMBER|jane> start 2022-05-05")


def test_term_refusals_say_what_to_fix_and_change_nothing(bot: Bot) -> None:
    bot.clock.set(NOW)
    enrol(bot.db, MEMBER, date(2026, 3, 1))
    add_member(bot.db, OTHER, "Olek Other", status="emeritus")

    cases = {
        "term <@U0MEMBER|jane> start 2026-03-16": "2026-03-16 is in the future: a term cannot have started yet",
        "term <@U0MEMBER|jane> start 05/05/2022": "`05/05/2022` looks like a date. Write the date as 2022-05-05",
        "term <@U0MEMBER|jane> start 1022-05-05": "1022-05-05 is before 2000: check the year",
        "term <@U0MEMBER|jane>": "Usage: `/ambassador admin term @someone start YYYY-MM-DD`",
        "term jane start 2022-05-05": "Usage: `/ambassador admin term @someone start YYYY-MM-DD`",
        "term <@U0OTHER|olek> start 2022-05-05": "<@U0OTHER> has no current term",
        "term <@U0TSC|tess> start 2022-05-05": "<@U0TSC> is not on record",
    }
    for text, expected in cases.items():
        assert expected in admin(bot, text), text
    assert terms_of(bot, MEMBER) == [(date(2026, 3, 1), date(2027, 2, 28), "active")]
    assert admin(bot, "term <@U0MEMBER|jane> start 2022-05-05", OTHER).startswith(":no_entry:")
    with bot.db.transaction() as session:
        actions = [event.action for event in session.scalars(select(AuditEvent))]
    assert actions == ["admin.refused"]
    assert "admin term @someone start YYYY-MM-DD" in admin(bot, "")
