"""The TSC's review of contributions through the real endpoint, with signed Slack requests against the
fake Slack: a logged contribution waits, the job lists it, Verify / Needs info / Not counted from the
review channel (forms included), the list redrawn in place (`chat.update`), the member's messages and
answer, refusals and a second click told who decided."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.blocks import ids
from bot.outbox.sender import deliver
from bot.store.models import AuditEvent, Contribution
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.e2e.test_home import open_home, stored_modal, text_of
from tests.fakes.slack_requests import date_value, select_value, text_value
from tests.helpers.factories import enrol
from tests.helpers.jobs import buttons, job_context
from tests.helpers.membership import dm_texts, settle  # noqa: F401 (fixture)

START = date(2026, 1, 1)


def reviewing(make_bot: Any) -> Bot:
    bot: Bot = make_bot(contribution_review="tsc")
    bot.clock.set("2026-03-15T10:00:00")
    enrol(bot.db, MEMBER, START)
    return bot


def log(bot: Bot, link: str, title: str) -> str:
    response = bot.slack.command(f"log article {link} 2026-03-01 {title}", MEMBER)
    assert response.status == 200
    return str(response.json["text"])


def listed(bot: Bot) -> Any:
    """The contribution-review job run and delivered: its newest message in the review channel."""
    ctx = job_context(bot.db, bot.fake, contribution_review="tsc")
    run_job(ctx, "contribution-review", bot.clock.now)
    deliver(bot.db, ctx.client, bot.clock.now, settings=ctx.settings)
    return [m for m in bot.fake.messages_in(REVIEW_CHANNEL) if m.text.startswith("Contributions to review")][
        -1
    ]


def as_clicked(post: Any) -> dict[str, Any]:
    return {"type": "message", "ts": post.ts, "text": post.text, "blocks": post.blocks}


def state(bot: Bot) -> list[tuple[str, str | None]]:
    with bot.db.transaction() as session:
        return [
            (row.review_state, row.reviewed_by)
            for row in session.scalars(select(Contribution).order_by(Contribution.id))
        ]


def test_verify_from_the_review_channel(make_bot: Any) -> None:
    bot = reviewing(make_bot)
    confirmation = log(bot, "https://dev.to/jane/eda", "Event-driven APIs")
    assert "It counts toward your term once a TSC member has verified it" in confirmation
    assert "0 of 4 contributions this term" in confirmation
    post = listed(bot)
    value = buttons(post.blocks)[ids.REVIEW_VERIFY]

    bot.slack.click(ids.REVIEW_VERIFY, OTHER, value=value, message=as_clicked(post))
    refused = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert refused["text"].startswith(":no_entry: Only TSC members review contributions")
    bot.slack.click(ids.REVIEW_VERIFY, MEMBER, value=value, message=as_clicked(post))
    bot.fake.wait_for(lambda: len(bot.fake.responses) > 1)

    assert bot.slack.click(ids.REVIEW_VERIFY, TSC, value=value, message=as_clicked(post)).status == 200

    (update,) = bot.fake.wait_for_call("chat.update")
    assert update["channel"] == REVIEW_CHANNEL and update["ts"] == post.ts
    assert "Verified by <@U0TSC>" in str(update["blocks"]) and ids.REVIEW_VERIFY not in str(update["blocks"])
    assert state(bot) == [("verified", TSC)]
    status = bot.slack.command("status", MEMBER).json["text"]
    assert "1 of 4 contributions this term" in status and "waiting" not in status

    # A second click, however late: told who decided.
    bot.slack.click(ids.REVIEW_NEEDS_INFO, TSC, value=value, message=as_clicked(post))
    told = bot.fake.wait_for(lambda: len(bot.fake.responses) > 2 and bot.fake.responses)[-1]
    assert told["text"].startswith(
        "Nothing changed: Jane Doe's contribution was already reviewed. :white_check_mark: Verified by <@U0TSC>"
    )
    with bot.db.transaction() as session:
        refusals = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "contribution.review_refused")
        ).all()
        assert sorted(refusals) == [MEMBER, OTHER]


def test_needs_info_then_the_members_answer_then_verify(make_bot: Any) -> None:
    bot = reviewing(make_bot)
    log(bot, "https://dev.to/jane/eda", "Event-driven APIs")
    assert "1 more waiting for the TSC's review" in bot.slack.command("status", MEMBER).json["text"]
    post = listed(bot)
    value = buttons(post.blocks)[ids.REVIEW_NEEDS_INFO]

    bot.slack.click(ids.REVIEW_NEEDS_INFO, TSC, value=value, message=as_clicked(post))
    modal = stored_modal(bot, ids.REVIEW_NOTE_MODAL)
    empty = bot.slack.submit_view(modal, {"reason": text_value(" ")}, TSC)
    assert empty.json == {
        "response_action": "errors",
        "errors": {"reason": "Please ask the member something: they read it in a message from the bot."},
    }
    done = bot.slack.submit_view(modal, {"reason": text_value("Which event was it written for?")}, TSC)
    assert done.status == 200 and not done.body

    (update,) = bot.fake.wait_for_call("chat.update")
    assert "Needs info by <@U0TSC>" in str(update["blocks"]) and "Which event was it written for?" in str(
        update["blocks"]
    )
    asked = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "<@U0TSC> has a question about your Article" in asked
    question = next(
        m for m in bot.fake.messages_in("D" + MEMBER[1:]) if ids.EDIT_CONTRIBUTION in str(m.blocks)
    )

    # The member answers from the message: the form shows the question; saving sends it back.
    bot.slack.click(
        ids.EDIT_CONTRIBUTION,
        MEMBER,
        value=buttons(question.blocks)[ids.EDIT_CONTRIBUTION],
        message=as_clicked(question),
        channel_id="D" + MEMBER[1:],
    )
    form = stored_modal(bot, ids.EDIT_MODAL)
    assert "*The TSC asked:* Which event was it written for?" in text_of(form)
    saved = bot.slack.submit_view(
        form,
        {
            "type": select_value("article"),
            "title": text_value("Event-driven APIs"),
            "link": text_value("https://dev.to/jane/eda", "url_text_input"),
            "date": date_value("2026-03-01"),
            "notes": text_value("For AsyncAPI Conf on Tour."),
        },
        MEMBER,
    )
    assert saved.status == 200 and not saved.body
    bot.fake.wait_for(lambda: any("goes back to the TSC" in text for text in dm_texts(bot, MEMBER)))
    assert state(bot) == [("pending", TSC)]

    # Listed again the next day, with the question asked before and the answer.
    bot.clock.set("2026-03-16T10:00:00")
    again = listed(bot)
    assert again.ts != post.ts
    assert "Asked before:" in str(again.blocks) and "For AsyncAPI Conf on Tour." in str(again.blocks)
    bot.slack.click(
        ids.REVIEW_VERIFY, TSC, value=buttons(again.blocks)[ids.REVIEW_VERIFY], message=as_clicked(again)
    )
    updates = bot.fake.wait_for_call("chat.update", count=2)
    assert updates[-1]["ts"] == again.ts and "Verified by <@U0TSC>" in str(updates[-1]["blocks"])
    assert state(bot) == [("verified", TSC)]


def test_not_counted_with_a_kind_reason(make_bot: Any) -> None:
    bot = reviewing(make_bot)
    log(bot, "https://dev.to/jane/cats", "My cats")
    log(bot, "https://dev.to/jane/eda", "Event-driven APIs")
    post = listed(bot)
    assert len([b for b in post.blocks if b.get("block_id", "").startswith("review-actions-")]) == 2

    bot.slack.click(ids.REVIEW_NOT_COUNTED, TSC, value="1", message=as_clicked(post))
    modal = stored_modal(bot, ids.REVIEW_NOTE_MODAL)
    assert modal["title"]["text"] == "Not counted"
    bot.slack.submit_view(modal, {"reason": text_value("It is about cats, not AsyncAPI.")}, TSC)

    (update,) = bot.fake.wait_for_call("chat.update")
    blocks = str(update["blocks"])
    assert "Not counted by <@U0TSC>" in blocks and "It is about cats, not AsyncAPI." in blocks
    assert "'value': '2'" in blocks  # the other one keeps its buttons
    told = bot.fake.wait_for(lambda: dm_texts(bot, MEMBER))[0]
    assert "thank you for logging your Article" in told and ">It is about cats, not AsyncAPI." in told
    assert state(bot) == [("not_counted", TSC), ("pending", None)]
    history = bot.slack.command("history", MEMBER).json
    assert "Not counted by the TSC: “It is about cats, not AsyncAPI.”" in str(history["blocks"])
    assert "Waiting for the TSC's review" in str(history["blocks"])


def test_a_tsc_member_cannot_review_their_own(make_bot: Any) -> None:
    bot: Bot = make_bot(contribution_review="tsc")
    bot.clock.set("2026-03-15T10:00:00")
    enrol(bot.db, TSC, START, "Tess Council")
    assert bot.slack.command("log article https://dev.to/tess/x 2026-03-01 Mine", TSC).status == 200
    post = listed(bot)

    bot.slack.click(ids.REVIEW_NOT_COUNTED, TSC, value="1", message=as_clicked(post))

    own = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert own["text"].startswith(":no_entry: This contribution is yours")
    assert not bot.fake.calls_to("views.open")  # no form for a decision they may not make
    assert state(bot) == [("pending", None)]


def test_the_tsc_s_home_counts_what_waits_for_their_review(make_bot: Any) -> None:
    bot = reviewing(make_bot)
    log(bot, "https://dev.to/jane/eda", "Event-driven APIs")
    log(bot, "https://dev.to/jane/eda-2", "Event-driven APIs, part two")

    text = text_of(open_home(bot, TSC))

    assert "TSC · Contributions to review (2)" in text
    assert f"The daily list in <#{REVIEW_CHANNEL}> has them with *Verify*" in text
    # A member's Home has no TSC part.
    assert "Contributions to review" not in text_of(open_home(bot, MEMBER))

    # A decision redraws the TSC's Homes with what still waits.
    post = listed(bot)
    bot.slack.click(
        ids.REVIEW_VERIFY, TSC, value=buttons(post.blocks)[ids.REVIEW_VERIFY], message=as_clicked(post)
    )
    redrawn = bot.fake.wait_for(
        lambda: [
            call["view"]
            for call in bot.fake.calls_to("views.publish")
            if call["user_id"] == TSC and "Contributions to review (1)" in text_of(call["view"])
        ]
    )
    assert "Contributions to review (2)" not in text_of(redrawn[-1])
