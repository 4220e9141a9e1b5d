"""The membership builders within Slack's limits, whatever people typed (checked by the fake's rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.blocks import admin as admin_blocks
from bot.blocks.emeritus import FAREWELL_MESSAGES
from bot.blocks.membership import applying as applying_blocks
from bot.blocks.membership import deciding as deciding_blocks
from bot.blocks.membership import messages as membership_messages
from bot.rules import membership as membership_rules
from bot.rules.emeritus import EmeritusReason
from bot.services.membership.applications import ApplicationForm, validate_application
from bot.services.membership.common import ApplicationView, ContributionSummary
from bot.services.membership.decisions import PendingItem
from bot.services.membership.farewell import Leaving
from tests.fakes.slack import check_message, check_view

WHEN = datetime(2026, 3, 15, 12, tzinfo=UTC)


def big_view(status: str = "pending") -> ApplicationView:
    contributions = [
        ContributionSummary("talk", "T" * 200, "https://example.com/" + "x" * 980, date(2026, 1, 1), "month")
        for _ in range(15)
    ]
    return ApplicationView(
        id=7,
        status=status,
        member_id=1,
        slack_user_id="U0MEMBER",
        name="N" * 100,
        title="T" * 150,
        company="C" * 150,
        country="Spain",
        bio="B" * 1500,
        github="janedoe",
        twitter="https://x.com/" + "j" * 80,
        linkedin="jane-doe",
        img="https://github.com/janedoe.png",
        motivation="M" * 2000,
        nominated_by="U0OTHER",
        submitted_at=WHEN,
        decided_by="U0TSC" if status != "pending" else None,
        decided_at=WHEN if status != "pending" else None,
        decision_reason="R" * 1000 if status == "rejected" else None,
        contributions=contributions,
        contributions_total=40,
        recent_contributions=12,
        required=4,
        meets_requirement=True,
    )


def test_the_review_post_fits_slack_whatever_was_typed() -> None:
    for status in ("pending", "approved", "rejected"):
        payload = deciding_blocks.review_message(big_view(status))
        check_message(payload)
        contributions = next(b for b in payload["blocks"] if b.get("block_id") == "contributions")
        assert contributions["text"]["text"].endswith("earlier.")  # whole lines, then a count


def test_mrkdwn_in_what_people_typed_is_escaped() -> None:
    view = big_view()
    sneaky = ApplicationView(**{**view.__dict__, "name": "<!channel> Jane", "motivation": "<@U0TSC> & co"})
    payload = deciding_blocks.review_message(sneaky)
    mrkdwn = [payload["text"]] + [
        block["text"]["text"] for block in payload["blocks"] if block.get("text", {}).get("type") == "mrkdwn"
    ]
    assert not any("<!channel>" in text or "<@U0TSC>" in text for text in mrkdwn)
    assert "&lt;!channel&gt; Jane" in payload["text"] and any("&lt;@U0TSC&gt; &amp; co" in t for t in mrkdwn)
    assert "&lt;!channel&gt;" in membership_messages.MEMBERSHIP_MESSAGES.announcement(
        "<!channel>", None, None
    )


def test_the_form_prefilled_with_long_values_stays_valid() -> None:
    prefill = ApplicationForm(
        name="N" * 200, title="T" * 300, bio="B" * 5000, contributions="x" * 4000, github="janedoe"
    )
    view = applying_blocks.apply_modal(prefill, 4, "U0OTHER", '{"channel_id": "C0GENERAL"}')
    check_view(view, "modal")
    check_view(applying_blocks.apply_loading_modal(), "modal")
    check_view(deciding_blocks.reject_modal(7, "{}"), "modal")
    check_view(
        deciding_blocks.decided_modal(deciding_blocks.already_decided_text(big_view("approved"))), "modal"
    )


def test_the_pending_list_stays_under_fifty_blocks() -> None:
    items = [
        PendingItem(i, "U0MEMBER", "Jane", "DevRel", "Acme", WHEN, None, 4, True, i % 2 == 0)
        for i in range(40)
    ]
    payload = admin_blocks.pending_list_message(items, 60, 4)
    check_message(payload)
    assert payload["blocks"][-1]["type"] == "context"


def test_outbox_messages_are_valid() -> None:
    messages = membership_messages.MEMBERSHIP_MESSAGES
    term = membership_rules.first_term(date(2026, 3, 15))
    for payload in (
        messages.welcome("Jane", term, 4),
        messages.welcome("Jane", term, 4, returning=True),
        messages.rejection("Jane", "R" * 1000),
        messages.nomination("U0OTHER", 7, 4),
        messages.extended("Jane", term, date(2027, 3, 1)),
        FAREWELL_MESSAGES.thanks(Leaving(1, "U0MEMBER", "Jane", EmeritusReason.OTHER, "R" * 1000, None)),
        applying_blocks.application_receipt(big_view(), review_posted=False),
    ):
        check_message(payload)
    assert messages.announcement("Jane", None, "Acme") == "Jane (Acme) is a new ambassador."


def test_field_errors_for_every_problem_have_text() -> None:
    _, issues = validate_application(
        ApplicationForm(
            name="x" * 101,
            github="-bad-",
            twitter="not a handle",
            img="ftp://x",
            contributions="\n".join(f"talk https://x.org/{n} 2026-01 T" for n in range(31)),
        ),
        date(2026, 3, 15),
    )
    errors = applying_blocks.application_field_errors(issues)
    assert errors == {
        "name": "This is too long (at most 100 characters).",
        "title": "Please fill this in.",
        "bio": "Please fill this in.",
        "github": "A GitHub handle has letters, digits and single hyphens, e.g. janedoe.",
        "twitter": "Give a handle (letters, digits, _ . -) or a full https:// link.",
        "img": "This must be a full web address starting with http:// or https://.",
        "contributions": "List at most 30 contributions.",
        "motivation": "Please fill this in.",
    }
