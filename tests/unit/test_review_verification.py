"""The yearly verification and the TSC's review of contributions (bot/rules/review.py) on plain dates:
it waits while contributions dated inside the term could still meet the requirement once verified, at
most the renewal grace; and the texts that say what still waits (the proposals, the TSC's report, the
member's DM and thank-you, the TSC's Home)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import emeritus as emeritus_blocks
from bot.blocks import home as home_blocks
from bot.blocks import proposals as proposals_blocks
from bot.blocks import renewals as renewals_blocks
from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.emeritus import EmeritusReason
from bot.rules.membership import Verification
from bot.services import home, home_tsc
from bot.services.members import TermView
from bot.services.membership.farewell import Leaving
from bot.services.membership.proposals import ProposalView
from tests.fakes.slack import check_message, check_view

TERM = membership_rules.first_term(date(2025, 1, 11))  # 2025-01-11 → 2026-01-10, grace to 2026-02-09
WHEN = datetime(2026, 1, 11, 9, tzinfo=UTC)


def ended(today: date, counted: int, required: int = 4) -> membership_rules.Progress:
    return membership_rules.Progress(TERM, today, counted, required)


@pytest.mark.parametrize(
    ("today", "counted", "waiting", "waits"),
    [
        (date(2026, 1, 11), 3, 1, True),  # the day after the end: the 4th waits for the TSC
        (date(2026, 1, 11), 2, 3, True),  # more waiting than missing
        (date(2026, 2, 9), 3, 1, True),  # the last day of the grace period
        (date(2026, 2, 10), 3, 1, False),  # the grace is over: decided on what counts
        (date(2026, 1, 11), 2, 1, False),  # verified, they would still fall short
        (date(2026, 1, 11), 3, 0, False),  # nothing waits
        (date(2026, 1, 11), 4, 1, False),  # met already
    ],
)
def test_the_verification_waits_for_the_tsc_only_when_it_could_change_the_outcome(
    today: date, counted: int, waiting: int, waits: bool
) -> None:
    assert review_rules.verification_waits(ended(today, counted), waiting) is waits


def test_the_verification_outcome_waits_then_decides_on_what_counts() -> None:
    assert review_rules.verification_outcome(ended(date(2026, 1, 11), 3), False, 1) is None
    assert review_rules.verification_outcome(ended(date(2026, 2, 10), 3), False, 1) is Verification.LAPSED
    # Bounded by `grace_days`, whatever it is.
    assert review_rules.verification_outcome(ended(date(2026, 1, 17), 3), False, 1, grace_days=7) is None
    assert review_rules.verification_outcome(ended(date(2026, 1, 18), 3), False, 1, grace_days=7) is (
        Verification.LAPSED
    )
    # Nothing waiting, or nothing that could help: the outcome the program had before the review.
    for counted, waiting in ((3, 0), (1, 2), (5, 1)):
        current = ended(date(2026, 1, 11), counted)
        assert review_rules.verification_outcome(current, True, waiting) is (
            membership_rules.outcome_at_term_end(current, True)
        )
    # Before the end nothing is due, waiting or not.
    assert review_rules.verification_outcome(ended(date(2026, 1, 10), 3), False, 1) is None


# --- the texts ---------------------------------------------------------------------------------------


def proposal(waiting: int, number: int = 1) -> ProposalView:
    details = {
        "outcome": "lapsed",
        "counted": 3,
        "required": 4,
        "end": "2026-01-10",
        "waiting_review": waiting,
    }
    return ProposalView(
        number, number, "U0MEMBER", "Jane", "verification", "open", details, WHEN, None, None, "proposals:x"
    )


def test_the_tsc_s_proposal_says_what_still_waits_for_their_review() -> None:
    payload = proposals_blocks.proposals_message("T", [proposal(1), proposal(0, number=2)], "proposals:x")
    check_message(payload)
    body = json.dumps(payload["blocks"], ensure_ascii=False)
    assert (
        "term ended 2026-01-10 with 3 of 4 contributions (1 contribution still waiting for the TSC's review)"
        in (body)
    )
    assert body.count("still waiting") == 1
    # A proposal made before the review existed has no count: nothing is said.
    older = proposal(0)
    older.details.pop("waiting_review")
    assert "waiting" not in proposals_blocks.why(older)


@dataclass(frozen=True)
class Verified:
    term_id: int
    name: str
    slack_user_id: str | None
    outcome: Verification
    progress: membership_rules.Progress
    next_term: Any = None
    waiting_review: int = 0


def test_the_tsc_s_report_says_what_still_waited_for_a_term_that_lapsed() -> None:
    after_grace = ended(date(2026, 2, 10), 3)
    payload = renewals_blocks.verification_report_message(
        date(2026, 2, 10),
        [],
        [],
        [Verified(1, "Jane", "U0MEMBER", Verification.LAPSED, after_grace, waiting_review=2)],
        lambda item: date(2026, 2, 9),
        [Verified(2, "Olek", "U0OTHER", Verification.LAPSED, after_grace, waiting_review=1)],
    )
    check_message(payload)
    body = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "— 3 of 4 contributions, 2 contributions still waiting for the TSC's review" in body
    assert "— 3/4, 1 contribution still waiting for the TSC's review" in body


def test_the_member_s_verification_dm_says_what_still_waits() -> None:
    met = membership_rules.Progress(TERM, date(2026, 1, 11), 4, 4)
    payload = renewals_blocks.verification_message("met", met, 1, None, date(2026, 2, 9), waiting=2)
    check_message(payload)
    assert (
        "you met the requirement (4 contributions (4 required) ✓). (2 contributions still waiting"
        in (payload["text"])
    )
    plain = renewals_blocks.verification_message("met", met, 1, None, date(2026, 2, 9))
    assert "waiting" not in plain["text"]
    thanks = emeritus_blocks.FAREWELL_MESSAGES.thanks(
        Leaving(
            1,
            "U0MEMBER",
            "Jane",
            EmeritusReason.TERM_ENDED,
            None,
            TermView(4, TERM.start, TERM.end),
            ended(date(2026, 2, 10), 3),
            Verification.LAPSED,
            date(2026, 2, 9),
            waiting_review=1,
        )
    )["text"]
    assert (
        "ended on 2026-01-10 with 3 contributions counted (1 contribution still waiting for the TSC's review), "
        "short of the 4 the program asks for" in thanks
    )


def tsc_home(review_pending: int | None) -> home_tsc.TscHome:
    return home_tsc.TscHome([], 0, [], 0, home_tsc.ProgramFigures(3, 0, 0, 0), review_pending=review_pending)


def tsc_view(review_pending: int | None, channel: str = "C0REVIEW") -> str:
    data = home.Home("U0TSC", date(2026, 1, 11), WHEN, 4, None, tsc_home(review_pending))
    view = home_blocks.home_view(data, ZoneInfo("UTC"), channel)
    check_view(view)
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_the_tsc_s_home_counts_what_waits_for_their_review_only_with_the_review_on() -> None:
    body = tsc_view(3)
    assert "TSC · Contributions to review (3)" in body
    assert "The daily list in <#C0REVIEW> has them with *Verify*, *Needs info* and *Not counted*." in body
    assert "the review channel" in tsc_view(3, channel="") and "<#" not in tsc_view(3, channel="")
    assert "No contribution waits for the TSC's review." in tsc_view(0)
    # CONTRIBUTION_REVIEW=off: nothing is said.
    assert "Contributions to review" not in tsc_view(None) and "waits for the TSC" not in tsc_view(None)
