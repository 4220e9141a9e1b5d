"""Benefits through the real endpoint (signed requests, the fake Slack), on SQLite and PostgreSQL:
requesting, validation, the TSC's decisions (once, TSC only, never one's own), fulfilment, the budget,
the treasurer's export and the erasure of shipping details, which never leave the member and the TSC.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.cli.main import main
from bot.services.benefits.budget import BudgetSetting, budget_in
from bot.services.benefits.catalogue import ensure_catalogue
from bot.services.benefits.common import DECISION_KIND
from bot.store.models import AuditEvent, Benefit, BenefitRequest, OutboxMessage
from jobs import renewals
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.fakes.slack_requests import date_value, number_value, text_value
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, job_context
from tests.helpers.membership import count, dm_texts, settle  # noqa: F401 (fixture)

TSC2 = "U0TSC2"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


ADDRESS = "Calle Falsa 123, 28080 Madrid"
SHIPPING = {
    "ship_name": text_value("Jane Doe"),
    "ship_address": text_value(ADDRESS),
    "ship_country": text_value("Spain"),
    "ship_phone": text_value("+34 600 000 000"),
}


@pytest.fixture
def ambassador(bot: Bot) -> int:
    """Jane, an ambassador since 2026-01-10 with two contributions this term (now: 2026-03-15)."""
    member_id = enrol(bot.db, MEMBER, date(2026, 1, 10))
    add_contribution(bot.db, member_id, date(2026, 2, 1))
    add_contribution(bot.db, member_id, date(2026, 3, 1), title="A talk")
    return member_id


def benefit_id(bot: Bot, key: str) -> int:
    ensure_catalogue(bot.db, bot.clock.now)
    with bot.db.transaction() as session:
        found = session.scalar(select(Benefit.id).where(Benefit.key == key))
        assert found is not None
        return found


def selected(option_value: int) -> dict[str, Any]:
    return {
        ids.BENEFIT_SELECT: {
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": str(option_value)},
        }
    }


def open_form(bot: Bot, user: str, wanted: int | None = None) -> dict[str, Any]:
    """Click **Request a benefit** on the Home; the form the bot draws after its placeholder."""
    before = len(bot.fake.calls_to("views.update"))
    home = {"id": f"VHOME{user}", "type": "home", "blocks": []}
    response = bot.slack.click(ids.BENEFIT_OPEN, user, value=str(wanted or ""), view=home)
    assert response.status == 200
    update = bot.fake.wait_for_call("views.update", count=before + 1)[-1]
    return dict(bot.fake.views[update["view_id"]])


def submit(bot: Bot, user: str, key: str, values: dict[str, Any]) -> Any:
    wanted = benefit_id(bot, key)
    form = open_form(bot, user, wanted)
    assert json.loads(form["private_metadata"])["benefit_id"] == wanted
    return bot.slack.submit_view(form, {"benefit": selected(wanted), **values}, user)


def request_swag(bot: Bot, user: str = MEMBER) -> tuple[int, Any]:
    """The member asks for the swag pack; returns the request id and the review post."""
    response = submit(bot, user, "swag-pack", {**SHIPPING, "note": text_value("Size M please")})
    assert response.status == 200 and response.json["response_action"] == "update", response.text
    with bot.db.transaction() as session:
        request_id = session.scalars(select(BenefitRequest.id).order_by(BenefitRequest.id.desc())).first()
    assert request_id is not None
    return request_id, posted(bot, request_id)


def posted(bot: Bot, request_id: int, showing: str = "") -> Any:
    """The review post of this request, once the bot has posted it (and it shows `showing`)."""
    return bot.fake.wait_for(
        lambda: [
            m
            for m in bot.fake.messages_in(REVIEW_CHANNEL)
            if f"Request #{request_id} " in dumps(m.blocks) and showing in dumps(m.blocks)
        ]
    )[-1]


def as_clicked(post: Any) -> dict[str, Any]:
    return {"type": "message", "ts": post.ts, "text": post.text, "blocks": post.blocks}


def stored(bot: Bot, request_id: int) -> BenefitRequest:
    with bot.db.transaction() as session:
        request = session.get(BenefitRequest, request_id)
        assert request is not None
        session.expunge(request)
        return request


def audit(bot: Bot) -> list[AuditEvent]:
    with bot.db.transaction() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        session.expunge_all()
        return events


def decline(bot: Bot, user: str, request_id: int, post: Any, reason: str) -> Any:
    bot.slack.click(ids.BENEFIT_DECLINE, user, value=str(request_id), message=as_clicked(post))
    opened = bot.fake.wait_for(
        lambda: [v for v in bot.fake.views.values() if v.get("callback_id") == ids.BENEFIT_DECLINE_MODAL]
    )[-1]
    return bot.slack.submit_view(opened, {"reason": text_value(reason)}, user)


def fulfil(bot: Bot, user: str, request_id: int, post: Any, note: str) -> Any:
    bot.slack.click(ids.BENEFIT_FULFIL, user, value=str(request_id), message=as_clicked(post))
    opened = bot.fake.wait_for(
        lambda: [v for v in bot.fake.views.values() if v.get("callback_id") == ids.BENEFIT_FULFIL_MODAL]
    )[-1]
    return bot.slack.submit_view(opened, {"note": text_value(note)}, user)


def everything_public(bot: Bot, caplog: pytest.LogCaptureFixture) -> str:
    """Channel posts, other people's DMs and Homes, the audit trail and the log, as one text."""
    channel_posts = [m for m in bot.fake.messages if not m.channel.startswith("D")]
    updates = bot.fake.calls_to("chat.update")
    homes = [v for key, v in bot.fake.views.items() if key.startswith("VHOME") and key != f"VHOME{MEMBER}"]
    details = [event.details for event in audit(bot)]
    return dumps([[m.text, m.blocks] for m in channel_posts] + updates + homes + details) + caplog.text


# --- requesting ---------------------------------------------------------------------------------


def test_a_request_reaches_the_tsc_without_the_address(
    make_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything at DEBUG, Bolt included (its loggers take the root's level when the app is built).
    caplog.set_level(logging.DEBUG)
    bot = make_bot()
    member_id = enrol(bot.db, MEMBER, date(2026, 1, 10))
    add_contribution(bot.db, member_id, date(2026, 2, 1))
    add_contribution(bot.db, member_id, date(2026, 3, 1), title="A talk")
    response = submit(bot, MEMBER, "swag-pack", {**SHIPPING, "note": text_value("Size M please")})

    # The member's confirmation says what they asked for; the address is not echoed in the answer
    # to Slack's request (Bolt logs those bodies at DEBUG).
    assert response.status == 200
    confirmation = dumps(response.json["view"])
    assert "Ambassador swag pack" in confirmation and "shipping details are stored" in confirmation
    assert ADDRESS not in response.text
    post = posted(bot, 1)
    text = dumps(post.blocks)
    assert "Benefit request: Ambassador swag pack" in text
    assert "2 of 4 contributions this term" in text and "On pace" in text
    assert "about 150 USD" in text and "Size M please" in text
    assert "Budget 2026" in text
    assert "Shipping details given" in text
    buttons = [e["action_id"] for b in post.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [ids.BENEFIT_APPROVE, ids.BENEFIT_DECLINE, ids.BENEFIT_SHIPPING]
    with bot.db.transaction() as session:
        [request] = session.scalars(select(BenefitRequest)).all()
    assert (request.status, request.value, request.shipping_address) == ("pending", 150, ADDRESS)
    bot.fake.wait_until_quiet()
    assert "Responding with status: 200" in caplog.text  # Bolt's DEBUG lines were captured
    assert ADDRESS not in everything_public(bot, caplog)
    assert "+34 600" not in everything_public(bot, caplog)
    assert [e.action for e in audit(bot)][-1] == "benefit.requested"


def test_event_swag_asks_for_the_event_and_validates_every_field(bot: Bot, ambassador: int) -> None:
    event_swag = benefit_id(bot, "event-swag")
    form = open_form(bot, MEMBER, event_swag)
    fields = [block.get("block_id") for block in form["blocks"]]
    assert {"event_name", "event_date", "event_link", "participants", "ship_address", "note"} <= set(fields)

    response = bot.slack.submit_view(
        form,
        {
            "benefit": selected(event_swag),
            "event_name": text_value("AsyncAPI workshop"),
            "event_date": date_value("2025-06-01"),
            "event_link": text_value("not a link"),
            "participants": number_value("0"),
            "ship_name": text_value("Jane Doe"),
            "ship_address": text_value(None),
            "ship_country": text_value("Spain"),
            "ship_phone": text_value(None),
        },
        MEMBER,
    )

    assert response.json["response_action"] == "errors"
    assert set(response.json["errors"]) == {"event_date", "event_link", "participants", "ship_address"}
    assert "https://" in response.json["errors"]["event_link"]
    assert count(bot, BenefitRequest) == 0 and bot.fake.messages_in(REVIEW_CHANNEL) == []

    response = bot.slack.submit_view(
        form,
        {
            "benefit": selected(event_swag),
            "event_name": text_value("AsyncAPI workshop"),
            "event_date": date_value("2026-05-20"),
            "event_link": text_value("https://conf.example.org/asyncapi"),
            "participants": number_value("40"),
            **SHIPPING,
        },
        MEMBER,
    )
    assert response.json["response_action"] == "update"
    post = posted(bot, 1)
    assert "AsyncAPI workshop" in post.text + dumps(post.blocks) and "40 participants" in dumps(post.blocks)


def test_choosing_another_benefit_redraws_the_form(bot: Bot, ambassador: int) -> None:
    form = open_form(bot, MEMBER, benefit_id(bot, "swag-pack"))
    ticket = benefit_id(bot, "conference-ticket")
    payload = {
        "type": "block_actions",
        "user": {"id": MEMBER, "username": "jane", "name": "jane", "team_id": "T111"},
        "api_app_id": "A111",
        "token": "verification_token",
        "trigger_id": "111.333.999",
        "team": {"id": "T111", "domain": "example-community"},
        "container": {"type": "view", "view_id": form["id"]},
        "view": form,
        "actions": [
            {
                "type": "static_select",
                "action_id": ids.BENEFIT_SELECT,
                "block_id": "benefit",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Conference ticket"},
                    "value": str(ticket),
                },
                "action_ts": "1700000000.1",
            }
        ],
    }
    before = len(bot.fake.calls_to("views.update"))
    assert bot.slack.interactive(payload).status == 200
    update = bot.fake.wait_for_call("views.update", count=before + 1)[-1]
    redrawn = bot.fake.views[update["view_id"]]
    fields = {block.get("block_id") for block in redrawn["blocks"]}
    assert "event_name" in fields and "ship_address" not in fields and "participants" not in fields


def test_the_limit_per_term_the_overview_and_cancelling(bot: Bot, ambassador: int) -> None:
    request_id, post = request_swag(bot)
    overview = bot.slack.command("perks", MEMBER).json
    text = dumps(overview)
    assert "already requested this term" in text and "waiting for the TSC" in text and ADDRESS not in text

    form = open_form(bot, MEMBER, benefit_id(bot, "swag-pack"))
    options = [o["value"] for o in form["blocks"][0]["element"]["options"]]
    assert str(benefit_id(bot, "swag-pack")) not in options
    # A form drawn before the first request went in is refused on submission, and nothing is stored.
    stale = {**form, "private_metadata": dumps({"benefit_id": benefit_id(bot, "swag-pack")})}
    refused = bot.slack.submit_view(
        stale, {"benefit": selected(benefit_id(bot, "swag-pack")), **SHIPPING}, MEMBER
    )
    assert "as many times as a term allows" in dumps(refused.json)
    assert count(bot, BenefitRequest) == 1

    bot.slack.click(ids.BENEFIT_CANCEL, MEMBER, value=str(request_id), channel_id="C0GENERAL")
    bot.fake.wait_for(lambda: stored(bot, request_id).status == "cancelled")
    request = stored(bot, request_id)
    assert request.shipping_address is None and request.shipping_erased_at is not None
    update = bot.fake.wait_for_call("chat.update")[-1]
    assert update["ts"] == post.ts and "Cancelled" in dumps(update["blocks"])
    # Someone else cannot cancel it, nor see that it exists.
    bot.slack.click(ids.BENEFIT_CANCEL, OTHER, value=str(request_id), channel_id="C0GENERAL")
    told = bot.fake.wait_for(lambda: [r for r in bot.fake.responses if "no longer exists" in dumps(r)])
    assert told


def test_only_active_ambassadors_may_ask(bot: Bot) -> None:
    form = open_form(bot, OTHER)
    assert "Benefits are for current ambassadors" in dumps(form)
    assert "Request a benefit" not in dumps(bot.slack.command("benefits", OTHER).json["blocks"][-1])


# --- the TSC's decisions ------------------------------------------------------------------------


def test_approval_once_with_a_dm_and_audit_and_fulfilment(bot: Bot, ambassador: int) -> None:
    request_id, post = request_swag(bot)

    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(request_id), message=as_clicked(post))
    bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "approved" in t])
    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(request_id), message=as_clicked(post))  # double click
    told = bot.fake.wait_for(lambda: [r for r in bot.fake.responses if "already handled" in dumps(r)])
    assert told
    request = stored(bot, request_id)
    assert (request.status, request.decided_by) == ("approved", TSC)
    assert [e.action for e in audit(bot)].count("benefit.approved") == 1
    assert len([t for t in dm_texts(bot, MEMBER) if "approved" in t]) == 1
    updated = posted(bot, request_id, "*Approved*")
    text = dumps(updated.blocks)
    assert "*Approved* by <@U0TSC>" in text
    assert [e["action_id"] for b in updated.blocks if b["type"] == "actions" for e in b["elements"]] == [
        ids.BENEFIT_FULFIL,
        ids.BENEFIT_SHIPPING,
    ]

    # Shipping details: a private modal for a TSC member, audited; a refusal for anyone else.
    bot.slack.click(ids.BENEFIT_SHIPPING, TSC, value=str(request_id), message=as_clicked(updated))
    private = bot.fake.wait_for(
        lambda: [v for v in bot.fake.views.values() if ADDRESS in dumps(v) and v["type"] == "modal"]
    )
    assert private
    assert "benefit.shipping_viewed" in [e.action for e in audit(bot)]

    response = fulfil(bot, TSC, request_id, updated, "Tracking: https://track.example.com/XY123")
    assert response.status == 200
    shipped = bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "From the TSC" in t])[0]
    assert "https://track.example.com/XY123" in shipped
    request = stored(bot, request_id)
    assert (request.status, request.fulfilled_by) == ("fulfilled", TSC)
    final = bot.fake.wait_for(lambda: dumps(posted(bot, request_id, "*Fulfilled*").blocks))
    assert "*Fulfilled* by <@U0TSC>" in final and "XY123" not in final
    assert "XY123" not in dumps([e.details for e in audit(bot)])


def test_decline_with_a_kind_reason_and_the_address_is_erased(bot: Bot, ambassador: int) -> None:
    request_id, post = request_swag(bot)

    empty = decline(bot, TSC, request_id, post, "   ")
    assert empty.json["response_action"] == "errors"
    assert decline(bot, TSC, request_id, post, "We are out of packs until June.").status == 200

    dm = bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "could not approve" in t])[0]
    assert "We are out of packs until June." in dm
    request = stored(bot, request_id)
    assert (request.status, request.shipping_address, request.shipping_name) == ("declined", None, None)
    actions = [e.action for e in audit(bot)]
    assert actions[-2:] == ["benefit.declined", "benefit.shipping_erased"]


def test_a_member_not_on_the_tsc_is_refused_and_audited(bot: Bot, ambassador: int) -> None:
    request_id, post = request_swag(bot)

    bot.slack.click(ids.BENEFIT_APPROVE, OTHER, value=str(request_id), message=as_clicked(post))
    bot.slack.click(ids.BENEFIT_SHIPPING, OTHER, value=str(request_id), message=as_clicked(post))

    refusals = bot.fake.wait_for(lambda: len(bot.fake.responses) >= 2 and bot.fake.responses)
    assert all("Only TSC members" in dumps(r) for r in refusals)
    assert stored(bot, request_id).status == "pending"
    refused = [e for e in audit(bot) if e.action == "benefit.decision_refused"]
    assert sorted((e.actor, e.details["decision"]) for e in refused) == [
        (OTHER, "approve"),
        (OTHER, "see the shipping details of"),
    ]
    assert not [v for v in bot.fake.views.values() if ADDRESS in dumps(v)]


def test_a_tsc_member_cannot_decide_their_own_request(make_bot: Any) -> None:
    bot = make_bot()
    enrol(bot.db, TSC, date(2026, 1, 10), name="Tess Council")
    request_id, post = request_swag(bot, TSC)

    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(request_id), message=as_clicked(post))

    told = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert "your own request" in dumps(told) and "only TSC member" in dumps(told)
    assert stored(bot, request_id).status == "pending"
    assert audit(bot)[-1].details["refusal"] == "own_request"
    # With a second TSC member the refusal says who can decide, and they can.
    second = make_bot(tsc_user_ids=[TSC, TSC2])
    second.fake.add_user(TSC2, "Theo Second", tz="UTC")
    second.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(request_id), message=as_clicked(post))
    again = second.fake.wait_for(lambda: len(second.fake.responses) >= 2 and second.fake.responses)[-1]
    assert "your own request" in dumps(again) and "only TSC member" not in dumps(again)
    second.slack.click(ids.BENEFIT_APPROVE, TSC2, value=str(request_id), message=as_clicked(post))
    second.fake.wait_for(lambda: stored(second, request_id).status == "approved")


def test_one_decision_whatever_replicas_and_double_clicks(make_bot: Any) -> None:
    bot = make_bot(tsc_user_ids=[TSC, TSC2])
    bot.fake.add_user(TSC2, "Theo Second", tz="UTC")
    enrol(bot.db, MEMBER, date(2026, 1, 10))
    request_id, post = request_swag(bot)
    replica = make_bot(tsc_user_ids=[TSC, TSC2])
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def click(user: str, endpoint: Any) -> None:
        barrier.wait()
        statuses.append(
            endpoint.click(ids.BENEFIT_APPROVE, user, value=str(request_id), message=as_clicked(post)).status
        )

    threads = [
        threading.Thread(target=click, args=args)
        for args in ((TSC, bot.slack), (TSC2, replica.slack), (TSC, replica.slack), (TSC2, bot.slack))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    losers = bot.fake.wait_for(lambda: len(bot.fake.responses) == 3 and bot.fake.responses)
    assert statuses == [200] * 4
    winner = stored(bot, request_id).decided_by
    assert all(f"Approved* by <@{winner}>" in told["text"] for told in losers)
    assert [e.action for e in audit(bot)].count("benefit.approved") == 1
    with bot.db.transaction() as session:
        dms = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == DECISION_KIND)).all()
    assert len(dms) == 1


def test_the_budget_left_is_shown_when_deciding(make_bot: Any) -> None:
    bot = make_bot(benefits_yearly_budget=250, benefits_currency="EUR")
    enrol(bot.db, MEMBER, date(2026, 1, 10))
    enrol(bot.db, OTHER, date(2026, 1, 10), name="Olek Other")
    first, post = request_swag(bot, OTHER)
    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(first), message=as_clicked(post))
    bot.fake.wait_for(lambda: stored(bot, first).status == "approved")

    second, post = request_swag(bot, MEMBER)

    text = dumps(post.blocks)
    assert "*Budget 2026*: 250 EUR · approved 150 EUR · left 100 EUR · after this request -50 EUR" in text
    assert "over budget" in text
    # Still possible: the TSC decides knowing the figures.
    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(second), message=as_clicked(post))
    bot.fake.wait_for(lambda: stored(bot, second).status == "approved")
    with bot.db.transaction() as session:
        budget = budget_in(session, bot.clock.now, BudgetSetting.from_settings(bot.settings))
    assert (budget.committed, budget.left) == (300, -50)


def test_open_requests_on_the_tsc_home_and_the_button_on_the_members(bot: Bot, ambassador: int) -> None:
    request_swag(bot)
    # Homes are drawn in the background after the answer: wait for the drawing that has the request.
    tsc_home = bot.fake.wait_for(
        lambda: "Benefit requests" in (text := dumps(bot.fake.views.get(f"VHOME{TSC}", ""))) and text
    )
    member_home = dumps(bot.fake.wait_for(lambda: bot.fake.views.get(f"VHOME{MEMBER}")))
    assert "TSC · Benefit requests (1 to decide, 0 to fulfil)" in tsc_home
    assert ids.BENEFIT_APPROVE in tsc_home and ADDRESS not in tsc_home
    assert ids.BENEFIT_OPEN in member_home and "Benefit requests" not in member_home
    listed = dumps(bot.slack.command("admin benefits requests", TSC).json)
    assert "1 to decide" in listed and ids.BENEFIT_APPROVE in listed and ADDRESS not in listed


# --- the catalogue ----------------------------------------------------------------------------------


def test_the_tsc_edits_the_catalogue_in_slack(bot: Bot, ambassador: int) -> None:
    listing = bot.slack.command("admin benefits", TSC).json["text"]
    assert listing == "Benefits catalogue: 3 benefits."
    assert "160" in bot.slack.command("admin benefits set swag-pack value 160", TSC).json["text"]
    added = bot.slack.command("admin benefits add stickers other 20 Stickers &amp; pins", TSC).json["text"]
    assert "Stickers & pins" in added.replace("&amp;", "&")
    assert "no longer on offer" in bot.slack.command("admin benefits disable event-swag", TSC).json["text"]
    assert (
        "not a valid limit" in bot.slack.command("admin benefits set swag-pack limit many", TSC).json["text"]
    )
    assert "set KEY FIELD VALUE" in bot.slack.command("admin benefits help", TSC).json["text"]
    assert "TSC members only" in bot.slack.command("admin benefits disable swag-pack", OTHER).json["text"]

    offers = dumps(bot.slack.command("benefits", MEMBER).json)
    assert (
        "about 160 USD" in offers and "Stickers &amp; pins" in offers and "Swag for your event" not in offers
    )
    with bot.db.transaction() as session:
        names = {b.key: (b.value, b.enabled) for b in session.scalars(select(Benefit))}
    assert names == {
        "swag-pack": (160, True),
        "event-swag": (70, False),
        "conference-ticket": (0, True),
        "stickers": (20, True),
    }
    assert [e.action for e in audit(bot)].count("benefit.changed") == 2
    # A form drawn before the benefit was disabled is refused when sent; nothing is stored.
    event_swag = benefit_id(bot, "event-swag")
    stale = {**open_form(bot, MEMBER), "private_metadata": dumps({"benefit_id": event_swag})}
    refused = bot.slack.submit_view(stale, {"benefit": selected(event_swag), **SHIPPING}, MEMBER)
    assert "no longer on offer" in refused.text and count(bot, BenefitRequest) == 0


# --- the treasurer, the report and the erasure -----------------------------------------------------


def make_requests(bot: Bot) -> tuple[int, int]:
    """A fulfilled swag pack (requested 2026-03-15) and an approved, unfulfilled ticket (2026-04-01)."""
    swag, post = request_swag(bot)
    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(swag), message=as_clicked(post))
    bot.fake.wait_for(lambda: stored(bot, swag).status == "approved")
    fulfil(bot, TSC, swag, posted(bot, swag), "Shipped")
    bot.fake.wait_for(lambda: stored(bot, swag).status == "fulfilled")
    bot.clock.set("2026-04-01T10:00:00")
    ticket = submit(
        bot,
        MEMBER,
        "conference-ticket",
        {
            "event_name": text_value("AsyncAPI Conf London"),
            "event_date": date_value("2026-09-20"),
            "event_link": text_value("https://conference.asyncapi.com"),
        },
    )
    assert ticket.json["response_action"] == "update"
    ticket_id = swag + 1
    bot.slack.click(
        ids.BENEFIT_APPROVE, TSC, value=str(ticket_id), message=as_clicked(posted(bot, ticket_id))
    )
    bot.fake.wait_for(lambda: stored(bot, ticket_id).status == "approved")
    bot.fake.wait_until_quiet()
    return swag, ticket_id


def cli(bot: Bot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> int:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.db.url)
    monkeypatch.setenv("BENEFITS_CURRENCY", "USD")
    # `main` configures logging for a process; give the test run its own handlers back afterwards
    # (a handler left on pytest's captured stream breaks later tests' log lines).
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        return main(list(args))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_export_for_the_treasurer(
    bot: Bot,
    ambassador: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    swag, ticket = make_requests(bot)

    assert cli(bot, monkeypatch, tmp_path, "benefits", "export", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["benefit"], r["value"], r["status"], r["currency"]) for r in rows] == [
        (swag, "swag-pack", 150, "fulfilled", "USD"),
        (ticket, "conference-ticket", 0, "approved", "USD"),
    ]
    assert rows[0]["member"] == "Jane Doe" and rows[0]["fulfilled_at"].startswith("2026-03-15")
    assert ADDRESS not in dumps(rows) and "Size M" not in dumps(rows)

    assert (
        cli(bot, monkeypatch, tmp_path, "benefits", "export", "--from", "2026-03-20", "--to", "2026-12-31")
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,member,slack_user_id,github,benefit,kind,value,currency,status")
    assert len(lines) == 2 and lines[1].startswith(f"{ticket},Jane Doe,")
    assert (
        cli(bot, monkeypatch, tmp_path, "benefits", "export", "--from", "2026-05-01", "--to", "2026-01-01")
        == 2
    )
    # The file's name says the format; a name that says another than --format is refused.
    assert cli(bot, monkeypatch, tmp_path, "benefits", "export", "-o", "b.json") == 0
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))[0]["id"] == swag
    assert "Wrote 2 benefit request(s) to b.json (json)." in capsys.readouterr().err
    assert cli(bot, monkeypatch, tmp_path, "benefits", "export", "-o", "b.csv") == 0
    assert (tmp_path / "b.csv").read_text(encoding="utf-8").startswith("id,member,")
    assert cli(bot, monkeypatch, tmp_path, "benefits", "export", "--format", "csv", "-o", "c.json") == 2
    assert "c.json is named .json, but --format csv was asked for; pick one" in capsys.readouterr().err
    assert cli(bot, monkeypatch, tmp_path, "benefits", "export", "-o", "b.txt") == 2
    assert "b.txt: the format follows the extension, and .txt is neither .csv nor .json" in (
        capsys.readouterr().err
    )
    assert cli(bot, monkeypatch, tmp_path, "benefits", "export", "--format", "json", "-o", "b.txt") == 0
    assert json.loads((tmp_path / "b.txt").read_text(encoding="utf-8"))[0]["id"] == swag
    assert not (tmp_path / "c.json").exists()
    capsys.readouterr()

    # The website's members file never carries any of it.
    assert cli(bot, monkeypatch, tmp_path, "export") == 0
    website = capsys.readouterr().out
    assert "Jane Doe" in website and ADDRESS not in website and "swag" not in website.lower()


def test_erasure_after_90_days_and_the_overdue_report(
    bot: Bot,
    ambassador: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    swag, ticket = make_requests(bot)
    ctx = job_context(bot.db, bot.fake)
    fulfilled_at = stored(bot, swag).fulfilled_at
    assert fulfilled_at is not None

    # 14 days after the ticket's approval: the TSC report lists it, once however often the job runs.
    renewals.run(ctx, at("2026-04-15T09:59:00+00:00"))  # 13 days and a bit: not yet
    renewals.run(ctx, at("2026-04-15T10:00:00+00:00"))
    renewals.run(ctx, at("2026-04-15T11:00:00+00:00"))
    with bot.db.transaction() as session:
        reports = list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.kind == renewals.REPORT_KIND))
        )
    assert (
        len(reports) == 1
        and "1 benefit request(s) waiting for fulfilment" in reports[0].text
        and "TSC report" in reports[0].text
    )
    assert f"(#{ticket}), approved by <@U0TSC> 14 days ago" in dumps(reports[0].blocks)
    assert ADDRESS not in dumps(reports[0].blocks)

    # 89 days after fulfilment the address is kept; at 90 days it is erased, audited, by the job.
    renewals.run(ctx, fulfilled_at + timedelta(days=89))
    assert stored(bot, swag).shipping_address == ADDRESS
    renewals.run(ctx, fulfilled_at + timedelta(days=90))
    request = stored(bot, swag)
    assert request.shipping_address is None and request.shipping_phone is None
    assert request.shipping_erased_at == fulfilled_at + timedelta(days=90)
    erasures = [e for e in audit(bot) if e.action == "benefit.shipping_erased"]
    assert [(e.actor, e.details["request_id"]) for e in erasures] == [("scheduler", swag)]


def test_the_purge_erases_closed_requests_at_once(
    bot: Bot,
    ambassador: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    swag, post = request_swag(bot)
    bot.slack.click(ids.BENEFIT_APPROVE, TSC, value=str(swag), message=as_clicked(post))
    bot.fake.wait_for(lambda: stored(bot, swag).status == "approved")
    fulfil(bot, TSC, swag, posted(bot, swag), "")
    bot.fake.wait_for(lambda: stored(bot, swag).status == "fulfilled")
    waiting = submit(
        bot,
        MEMBER,
        "event-swag",
        {
            "event_name": text_value("Meetup"),
            "event_date": date_value("2026-04-20"),
            "event_link": text_value("https://meetup.example.org/e/1"),
            "participants": number_value("25"),
            **SHIPPING,
        },
    )
    assert waiting.json["response_action"] == "update"
    bot.fake.wait_until_quiet()

    assert cli(bot, monkeypatch, tmp_path, "benefits", "purge-addresses", "--now", "2026-03-16T00:00") == 0

    assert "Erased the shipping details of 1 request." in capsys.readouterr().out
    assert stored(bot, swag).shipping_address is None
    assert stored(bot, swag + 1).shipping_address == ADDRESS  # still to be shipped
    erasures = [e for e in audit(bot) if e.action == "benefit.shipping_erased"]
    assert [(e.actor, e.details) for e in erasures] == [("cli", {"request_id": swag, "reason": "purge"})]
