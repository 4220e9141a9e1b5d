"""Between renewals through the real endpoint, with signed Slack requests: pausing (command, Home form,
the TSC's `admin pause`), stepping down and rejoining, and the TSC's clicks on emeritus proposals
(exactly one decision, even with two TSC members clicking at once on two replicas; never one's own)."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks import ids
from bot.outbox.sender import deliver
from bot.store.models import AuditEvent, EmeritusProposal, Member, Pause, Term
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.e2e.test_home import open_home, stored_modal, text_of, wait_for_publish
from tests.e2e.test_review import replica
from tests.fakes.slack_requests import SlackRequests, date_value, text_value
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import buttons, job_context
from tests.helpers.membership import dm_texts, settle  # noqa: F401 (fixture)

TSC2 = "U0TSC2"
START = date(2025, 11, 24)  # the term runs to 2026-11-23


def reply(bot: Bot, text: str, user: str = MEMBER) -> dict[str, Any]:
    response = bot.slack.command(text, user)
    assert response.status == 200
    return dict(response.json)


def member(bot: Bot, slack_user_id: str = MEMBER) -> Member:
    with bot.db.transaction() as session:
        found = session.scalars(select(Member).where(Member.slack_user_id == slack_user_id)).one()
        session.expunge(found)
        return found


def term_end(bot: Bot) -> date:
    with bot.db.transaction() as session:
        return session.scalars(select(Term.end_on).where(Term.status == "active")).one()


# --- pausing -----------------------------------------------------------------------------------------


def test_pause_until_a_date_then_resume(bot: Bot) -> None:
    bot.clock.set("2026-03-01T10:00:00")
    enrol(bot.db, MEMBER, START)

    # Slack escapes `&` in command text; what the member typed is what is stored.
    paused = reply(bot, "pause until 2026-04-01 R&amp;R &lt;after&gt; the launch")["text"]

    assert paused.startswith(":pause_button: Your membership is paused until 2026-04-01.")
    assert "Your term now ends on 2026-12-24 (moved by the pause's 31 days)" in paused
    with bot.db.transaction() as session:
        assert session.scalars(select(Pause.reason)).one() == "R&R <after> the launch"
    home = text_of(open_home(bot, MEMBER))
    assert "*Membership paused* until 2026-04-01 (R&amp;R &lt;after&gt; the launch)" in home
    assert ids.PAUSE_RESUME in home and ids.PAUSE_OPEN not in home
    assert "paused until 2026-04-01" in reply(bot, "list")["text"]

    bot.clock.set("2026-03-11T10:00:00")
    assert reply(bot, "resume")["text"] == (
        ":arrow_forward: Welcome back! Your pause is over. Your term now ends on 2026-12-03 "
        "(moved by the pause's 10 days)."
    )
    assert term_end(bot) == date(2026, 12, 3)
    assert reply(bot, "resume")["text"].startswith("Your membership is not paused")


def test_pause_refusals_and_usage(bot: Bot) -> None:
    bot.clock.set("2026-03-01T10:00:00")
    assert reply(bot, "pause until 2026-04-01")["text"].startswith("Only current ambassadors")
    enrol(bot.db, MEMBER, START)
    assert "at most 183 days at a time" in reply(bot, "pause until 2026-12-01")["text"]
    assert reply(bot, "pause until whenever")["text"].startswith(":x: I could not read a return date")
    usage = reply(bot, "pause")["text"]
    assert "`/ambassador pause until YYYY-MM-DD [reason]`" in usage and "`/ambassador snooze 30d`" in usage
    # Snooze is still the reminders' mute, under its own names.
    assert reply(bot, "mute 2w")["text"].startswith(":zzz: Progress reminders paused until")
    with bot.db.transaction() as session:
        assert session.scalars(select(Pause)).all() == []


def test_pause_from_the_home_form(bot: Bot) -> None:
    bot.clock.set("2026-03-01T10:00:00")
    enrol(bot.db, MEMBER, START)
    view = open_home(bot, MEMBER)

    assert bot.slack.click(ids.PAUSE_OPEN, MEMBER, view=view, block_id="member-actions").status == 200
    modal = stored_modal(bot, ids.PAUSE_MODAL)
    assert modal["blocks"][1]["element"]["initial_date"] == "2026-03-31"

    too_long = bot.slack.submit_view(
        modal, {"until": date_value("2026-12-01"), "reason": text_value(None)}, MEMBER
    )
    assert too_long.json == {
        "response_action": "errors",
        "errors": {
            "until": "A pause lasts at most 183 days at a time (so the latest return date is 2026-08-31)."
        },
    }
    done = bot.slack.submit_view(
        modal, {"until": date_value("2026-04-01"), "reason": text_value("Exams")}, MEMBER
    )

    assert done.status == 200 and not done.body  # the form closes
    home = text_of(wait_for_publish(bot, MEMBER, 2))
    assert "*Membership paused* until 2026-04-01 (Exams)" in home
    # Back now, from the Home.
    bot.slack.click(ids.PAUSE_RESUME, MEMBER, view=view, block_id="member-actions")
    assert ids.PAUSE_OPEN in text_of(wait_for_publish(bot, MEMBER, 3))


def test_the_tsc_pauses_someone_who_is_told(bot: Bot) -> None:
    bot.clock.set("2026-03-01T10:00:00")
    enrol(bot.db, MEMBER, START)

    answer = reply(bot, "admin pause <@U0MEMBER|jane> until 2026-05-01 asked by email", TSC)["text"]

    assert (
        answer
        == ":pause_button: <@U0MEMBER> is paused until 2026-05-01; they have been told. Their term ends on 2027-01-23."
    )
    told = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "<@U0TSC> paused your ambassador membership until *2026-05-01*" in told
    assert reply(bot, "admin resume <@U0MEMBER|jane>", TSC)["text"].startswith(
        ":arrow_forward: <@U0MEMBER> is back"
    )
    assert reply(bot, "admin pause <@U0TSC|tess> until 2026-05-01", OTHER)["text"].startswith(":no_entry:")
    with bot.db.transaction() as session:
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [(TSC, "pause.started"), (TSC, "pause.resumed"), (OTHER, "admin.refused")]


# --- leaving and coming back -------------------------------------------------------------------------


def test_step_down_asks_then_leaves_with_thanks(bot: Bot) -> None:
    bot.clock.set("2026-03-01T10:00:00")
    enrol(bot.db, MEMBER, START, github="janedoe", title="DevRel")

    asked = reply(bot, "step-down Moving to another project")
    (button,) = [b for block in asked["blocks"] if block["type"] == "actions" for b in block["elements"]]
    assert (button["action_id"], button["value"]) == (ids.STEP_DOWN, "Moving to another project")
    assert member(bot).status == "active"  # asking changes nothing

    response = bot.slack.click(
        ids.STEP_DOWN,
        MEMBER,
        value=button["value"],
        channel_id="C0GENERAL",
        message={
            "type": "message",
            "ts": "1700000000.000200",
            "text": asked["text"],
            "blocks": asked["blocks"],
        },
    )

    assert response.status == 200
    done = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert done["replace_original"] is True and done["text"].startswith(
        ":pray: Done: you are now an emeritus"
    )
    left = member(bot)
    assert (left.status, left.emeritus_reason, left.status_reason) == (
        "emeritus",
        "stepped_down",
        "Moving to another project",
    )
    thanks = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "you stepped down and are now an *emeritus* ambassador" in thanks
    listing = reply(bot, "list", OTHER)
    assert "Emeritus since 2026-03-01 · stepped down: Moving to another project" in str(listing["blocks"])
    home = text_of(open_home(bot, MEMBER))
    assert "Emeritus since 2026-03-01 · stepped down" in home and ids.REJOIN_OPEN in home
    assert reply(bot, "step-down")["text"].startswith("You are not a current ambassador")


def test_rejoin_opens_the_form_filled_in_from_the_record(bot: Bot) -> None:
    bot.clock.set("2026-03-01T10:00:00")
    member_id = enrol(bot.db, MEMBER, START, github="janedoe", title="DevRel", bio="Jane speaks.")
    add_contribution(bot.db, member_id, date(2026, 2, 1), type_="talk", title="Recent talk")
    with bot.db.transaction() as session:
        session.scalars(select(Member)).one().status = "emeritus"
        session.scalars(select(Term)).one().status = "ended"

    assert bot.slack.command("rejoin", MEMBER).status == 200

    update = bot.fake.wait_for_call("views.update")[-1]
    form = update["view"]
    assert form["callback_id"] == ids.APPLY_MODAL
    text = text_of(form)
    assert "*Welcome back!* This form is filled in from your record" in text
    initial = {
        block["block_id"]: block["element"].get("initial_value")
        for block in form["blocks"]
        if block["type"] == "input"
    }
    assert (initial["github"], initial["title"], initial["bio"]) == ("janedoe", "DevRel", "Jane speaks.")
    assert (
        "talk https://example.com/1/2026-02-01/Recent-talk 2026-02-01 Recent talk" in initial["contributions"]
    )


# --- the TSC's decisions ------------------------------------------------------------------------------


def proposals_posted(bot: Bot) -> Any:
    """Jane's term ended short yesterday: the renewals job lists her for the TSC (posted)."""
    ctx = job_context(bot.db, bot.fake)
    when = bot.clock.now
    run_job(ctx, "renewals", when)
    deliver(bot.db, ctx.client, when, settings=ctx.settings)
    return next(
        m
        for m in bot.fake.messages_in(REVIEW_CHANNEL)
        if m.text.startswith("Term verification, 2026-11-24: would")
    )


def as_clicked(post: Any) -> dict[str, Any]:
    return {"type": "message", "ts": post.ts, "text": post.text, "blocks": post.blocks}


def lapsing(bot: Bot, slack_user_id: str = MEMBER, name: str = "Jane Doe") -> int:
    member_id = enrol(bot.db, slack_user_id, START, name)
    add_contribution(bot.db, member_id, START + timedelta(days=10))
    return member_id


def test_move_to_emeritus_from_the_review_channel(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    lapsing(bot)
    post = proposals_posted(bot)
    value = buttons(post.blocks)[ids.PROPOSAL_EMERITUS]

    assert bot.slack.click(ids.PROPOSAL_EMERITUS, OTHER, value=value, message=as_clicked(post)).status == 200
    refused = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert refused["text"].startswith(":no_entry: Only TSC members decide these proposals")
    assert member(bot).status == "active"

    bot.slack.click(ids.PROPOSAL_EMERITUS, TSC, value=value, message=as_clicked(post))

    (update,) = bot.fake.wait_for_call("chat.update")
    assert update["ts"] == post.ts and "Moved to emeritus by <@U0TSC>" in str(update["blocks"])
    assert ids.PROPOSAL_EMERITUS not in str(update["blocks"])  # decided: no buttons left
    assert member(bot).status == "emeritus"
    thanks = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "ended on 2026-11-23 with 1 contribution, short of the 4 the program asks for" in thanks

    # A second click, however late: told who decided.
    bot.slack.click(ids.PROPOSAL_MORE_DAYS, TSC, value=value, message=as_clicked(post))
    told = bot.fake.wait_for(lambda: len(bot.fake.responses) > 1 and bot.fake.responses)[-1]
    assert told["text"].startswith("Nothing changed: the proposal about Jane Doe was already decided.")


def test_give_30_more_days_and_a_self_decision_refused(make_bot: Any) -> None:
    bot = make_bot(tsc_user_ids=[TSC, TSC2])
    bot.fake.add_user(TSC2, "Second Council")
    bot.clock.set("2026-11-24T10:00:00")
    lapsing(bot, TSC, "Tess Council")
    post = proposals_posted(bot)
    value = buttons(post.blocks)[ids.PROPOSAL_MORE_DAYS]

    bot.slack.click(ids.PROPOSAL_MORE_DAYS, TSC, value=value, message=as_clicked(post))
    own = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert own["text"].startswith(":no_entry: This proposal is about you: another TSC member must decide it")

    bot.slack.click(ids.PROPOSAL_MORE_DAYS, TSC2, value=value, message=as_clicked(post))

    (update,) = bot.fake.wait_for_call("chat.update")
    assert "Given 30 more days by <@U0TSC2>" in str(update["blocks"])
    assert term_end(bot) == date(2026, 12, 24)
    told = bot.fake.wait_for(lambda: dm_texts(bot, TSC))[0]
    assert "the TSC gave you 30 more days: your ambassador term now ends on *2026-12-24*" in told
    with bot.db.transaction() as session:
        refused = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "proposal.decision_refused")
        ).all()
        assert refused == [TSC]


def test_confirm_all(bot: Bot) -> None:
    bot.clock.set("2026-11-24T10:00:00")
    lapsing(bot)
    lapsing(bot, OTHER, "Olek Other")
    post = proposals_posted(bot)

    bot.slack.click(
        ids.PROPOSAL_CONFIRM_ALL,
        TSC,
        value=buttons(post.blocks)[ids.PROPOSAL_CONFIRM_ALL],
        message=as_clicked(post),
    )

    told = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert told["text"] == ":white_check_mark: Moved 2 to emeritus."
    (update,) = bot.fake.wait_for_call("chat.update")
    assert str(update["blocks"]).count("Moved to emeritus by <@U0TSC>") == 2
    assert (member(bot).status, member(bot, OTHER).status) == ("emeritus", "emeritus")


def test_two_tsc_members_clicking_at_once_make_one_decision(make_bot: Any) -> None:
    """Four signed clicks at once (two TSC members, each twice, Move to emeritus and Give 30 more days)
    on two replicas: one decision, the others told who made it."""
    bot = make_bot(tsc_user_ids=[TSC, TSC2])
    bot.fake.add_user(TSC2, "Second Council")
    bot.clock.set("2026-11-24T10:00:00")
    lapsing(bot)
    post = proposals_posted(bot)
    value = buttons(post.blocks)[ids.PROPOSAL_EMERITUS]
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    with replica(bot) as other_replica:

        def click(user: str, action: str, endpoint: SlackRequests) -> None:
            barrier.wait()
            statuses.append(endpoint.click(action, user, value=value, message=as_clicked(post)).status)

        threads = [
            threading.Thread(target=click, args=args)
            for args in (
                (TSC, ids.PROPOSAL_EMERITUS, bot.slack),
                (TSC2, ids.PROPOSAL_MORE_DAYS, other_replica),
                (TSC, ids.PROPOSAL_MORE_DAYS, other_replica),
                (TSC2, ids.PROPOSAL_EMERITUS, bot.slack),
            )
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        losers = bot.fake.wait_for(lambda: len(bot.fake.responses) >= 3 and bot.fake.responses)

    assert statuses == [200] * 4
    with bot.db.transaction() as session:
        proposal = session.scalars(select(EmeritusProposal)).one()
        decided = session.scalars(select(AuditEvent).where(AuditEvent.action == "proposal.decided")).all()
        assert len(decided) == 1 and decided[0].actor == proposal.decided_by
    already = [told for told in losers if told["text"].startswith("Nothing changed")]
    assert len(already) == 3
    assert all(f"by <@{proposal.decided_by}>" in told["text"] for told in already)
    assert member(bot).status == ("emeritus" if proposal.status == "emeritus" else "active")
