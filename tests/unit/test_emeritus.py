"""Emeritus as a status and who decides it (bot/rules/emeritus.py), and the texts: the thank-you, the
TSC's note on benefits not shipped, the proposals' list with its buttons, the returning applicant."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import emeritus as emeritus_blocks
from bot.blocks import ids
from bot.blocks import proposals as proposals_blocks
from bot.rules import emeritus as emeritus_rules
from bot.rules import membership as membership_rules
from bot.rules.emeritus import (
    EmeritusReason,
    ProposalCause,
    ProposalDecision,
    VerificationAction,
    VerificationDecides,
)
from bot.rules.membership import DecisionRefusal, Verification
from bot.services.benefits.leaving import BenefitLine
from bot.services.members import TermView
from bot.services.membership.common import PastMembership, PastTerm
from bot.services.membership.farewell import Leaving
from bot.services.membership.proposals import ProposalView
from tests.fakes.slack import check_message
from tests.helpers.jobs import buttons

WHEN = datetime(2026, 11, 24, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "reason", "note"),
    [
        ("staff Joined the core team", EmeritusReason.JOINED_STAFF, "Joined the core team"),
        ("Stepped-Down moving on", EmeritusReason.STEPPED_DOWN, "moving on"),
        ("inactive", EmeritusReason.INACTIVE, ""),
        ("term_ended", EmeritusReason.TERM_ENDED, ""),
        ("Stepping down to focus", EmeritusReason.OTHER, "Stepping down to focus"),
    ],
)
def test_the_tsc_may_say_why_with_a_leading_word(typed: str, reason: EmeritusReason, note: str) -> None:
    assert emeritus_rules.reason_and_note(typed) == (reason, note)


@pytest.mark.parametrize(
    ("outcome", "decides", "action"),
    [
        (None, VerificationDecides.TSC, None),
        (Verification.RENEWED, VerificationDecides.TSC, VerificationAction.RENEW),
        (Verification.MET, VerificationDecides.TSC, VerificationAction.WAIT),
        (Verification.LAPSED, VerificationDecides.TSC, VerificationAction.PROPOSE),
        (Verification.NOT_RENEWED, VerificationDecides.TSC, VerificationAction.PROPOSE),
        (Verification.LAPSED, VerificationDecides.AUTO, VerificationAction.LAPSE),
        (Verification.NOT_RENEWED, VerificationDecides.AUTO, VerificationAction.LAPSE),
        (Verification.RENEWED, VerificationDecides.AUTO, VerificationAction.RENEW),
    ],
)
def test_the_verification_proposes_what_would_lapse_unless_it_decides_alone(
    outcome: Verification | None, decides: VerificationDecides, action: VerificationAction | None
) -> None:
    assert emeritus_rules.verification_action(outcome, decides) is action


def test_what_each_proposal_offers_and_who_decides() -> None:
    assert emeritus_rules.allowed(ProposalCause.VERIFICATION, ProposalDecision.MORE_DAYS)
    assert not emeritus_rules.allowed(ProposalCause.VERIFICATION, ProposalDecision.KEEP)
    assert emeritus_rules.allowed(ProposalCause.INACTIVITY, ProposalDecision.KEEP)
    assert not emeritus_rules.allowed(ProposalCause.INACTIVITY, ProposalDecision.MORE_DAYS)
    assert emeritus_rules.proposal_refusal("U0TSC", True, "U0MEMBER") is None
    assert emeritus_rules.proposal_refusal("U0TSC", True, "U0TSC") is DecisionRefusal.OWN_REQUEST
    assert emeritus_rules.proposal_refusal("U0OTHER", False, "U0MEMBER") is DecisionRefusal.NOT_TSC


def test_thirty_more_days_run_from_the_decision() -> None:
    assert emeritus_rules.more_days(date(2026, 11, 23), date(2026, 11, 30)).end == date(2026, 12, 30)
    # A term that somehow ends later already is never shortened.
    assert emeritus_rules.more_days(date(2027, 3, 1), date(2026, 11, 30)).end == date(2027, 3, 1)


def leaving(reason: EmeritusReason, note: str | None = "Moving <on> & up", **extra: object) -> Leaving:
    return Leaving(
        1,
        "U0MEMBER",
        "Jane <Doe>",
        reason,
        note,
        TermView(4, date(2025, 11, 24), date(2026, 11, 23)),
        **extra,
    )


def test_the_thank_you_says_why_kindly_and_how_to_come_back() -> None:
    messages = emeritus_blocks.FAREWELL_MESSAGES
    stepped = messages.thanks(leaving(EmeritusReason.STEPPED_DOWN))["text"]
    assert (
        "Thank you, Jane &lt;Doe&gt;: you stepped down" in stepped and "Moving &lt;on&gt; &amp; up" in stepped
    )
    inactive = messages.thanks(leaving(EmeritusReason.INACTIVE))["text"]
    assert "after a long time without contributions the TSC has moved you" in inactive
    staff = messages.thanks(leaving(EmeritusReason.JOINED_STAFF, None))["text"]
    assert "now that you work for the project" in staff
    term = membership_rules.first_term(date(2025, 11, 24))
    lapsed = messages.thanks(
        leaving(
            EmeritusReason.TERM_ENDED,
            progress=membership_rules.Progress(term, date(2026, 11, 24), 1, 4),
            outcome=Verification.LAPSED,
            renew_by=date(2026, 12, 23),
            cancelled=(BenefitLine(3, "Swag pack", None, None),),
        )
    )["text"]
    assert "ended on 2026-11-23 with 1 contribution, short of the 4 the program asks for" in lapsed
    assert "Your benefit requests still waiting for the TSC were cancelled: Swag pack." in lapsed
    for text in (stepped, inactive, staff, lapsed):
        assert "`/ambassador rejoin`" in text and "your contributions stay in the public history" in text


def test_the_tsc_hears_of_benefits_approved_but_not_shipped() -> None:
    payload = emeritus_blocks.FAREWELL_MESSAGES.unshipped_benefits(
        leaving(
            EmeritusReason.STEPPED_DOWN,
            unshipped=(BenefitLine(9, "Event swag", "KubeCon <EU>", WHEN),),
        )
    )
    check_message(payload)
    assert "*Jane &lt;Doe&gt;* (<@U0MEMBER>) is now emeritus (stepped down)" in payload["text"]
    assert "#9 Event swag (KubeCon &lt;EU&gt;), approved <!date^" in payload["text"]


def test_since_when_and_why_as_the_home_and_list_show_it() -> None:
    line = emeritus_blocks.emeritus_line(WHEN, "joined_staff", "Core team", ZoneInfo("Asia/Tokyo"))
    assert line == "Emeritus since 2026-11-24 · joined the staff: Core team"
    assert emeritus_blocks.emeritus_line(None, None, None, ZoneInfo("UTC")) == (
        "Emeritus since an unknown date · no reason recorded"
    )


def proposal(number: int, cause: str = "verification", status: str = "open", name: str = "") -> ProposalView:
    details = (
        {"outcome": "lapsed", "counted": 1, "required": 4, "end": "2026-11-23"}
        if cause == "verification"
        else {"stretch_start": "2026-03-01", "last_contribution": "2026-03-01", "days": 181}
    )
    return ProposalView(
        number,
        number,
        f"U{number:07d}",
        name or f"Member {number}",
        cause,
        status,
        details,
        WHEN,
        "U0TSC" if status != "open" else None,
        WHEN if status != "open" else None,
        "proposals:verification:2026-11-24:1",
    )


def test_the_would_lapse_list_has_buttons_for_each_and_one_confirm_all() -> None:
    key = "proposals:verification:2026-11-24:1"
    items = [proposal(1, name="Jane <x>"), proposal(2, status="emeritus"), proposal(3)]
    payload = proposals_blocks.proposals_message(
        proposals_blocks.verification_title(date(2026, 11, 24)), items, key
    )
    check_message(payload)
    assert payload["text"].startswith(
        "Term verification, 2026-11-24: would lapse, the TSC decides: 3 proposed for emeritus; 2 waiting"
    )
    body = str(payload["blocks"])
    assert "*Jane &lt;x&gt;* (<@U0000001>) — term ended 2026-11-23 with 1 of 4 contributions" in body
    assert ":white_check_mark: Moved to emeritus by <@U0TSC> on <!date^" in body
    actions = [b for b in payload["blocks"] if b["type"] == "actions"]
    assert [buttons([b]) for b in actions] == [
        {ids.PROPOSAL_EMERITUS: "1", ids.PROPOSAL_MORE_DAYS: "1"},
        {ids.PROPOSAL_EMERITUS: "3", ids.PROPOSAL_MORE_DAYS: "3"},
        {ids.PROPOSAL_CONFIRM_ALL: key},
    ]
    # Once every proposal is decided, no buttons are left.
    done = proposals_blocks.proposals_message("T", [proposal(1, status="more_days")], key)
    assert not [b for b in done["blocks"] if b["type"] == "actions"]
    assert proposals_blocks.title_for(key, "verification") == proposals_blocks.verification_title(
        date(2026, 11, 24)
    )


def test_an_inactivity_proposal_offers_keep_and_no_confirm_all() -> None:
    payload = proposals_blocks.proposals_message("T", [proposal(5, cause="inactivity")], "k")
    body = str(payload["blocks"])
    assert "inactive for 181 days (last contribution 2026-03-01; stretch since 2026-03-01)" in body
    actions = [buttons([b]) for b in payload["blocks"] if b["type"] == "actions"]
    assert actions == [{ids.PROPOSAL_EMERITUS: "5", ids.PROPOSAL_KEEP: "5"}]


def test_a_full_page_of_proposals_fits_a_message() -> None:
    items = [proposal(n, name="N" * 100) for n in range(1, proposals_blocks.PER_MESSAGE + 1)]
    check_message(proposals_blocks.proposals_message("T" * 150, items, "k" * 150))


def test_more_days_tells_the_member_what_is_missing() -> None:
    payload = proposals_blocks.PROPOSAL_MESSAGES.more_days("Jane", date(2026, 12, 30), 1, 4)
    check_message(payload)
    assert "your ambassador term now ends on *2026-12-30*" in payload["text"]
    assert "*3 more* keep you an ambassador" in payload["text"]


def test_a_returning_ambassador_s_history_for_the_tsc() -> None:
    history = PastMembership(
        [
            PastTerm(date(2023, 1, 1), date(2023, 12, 31), "completed"),
            PastTerm(date(2024, 1, 1), date(2024, 12, 31), "lapsed"),
        ],
        datetime(2025, 1, 1, 7, tzinfo=UTC),
        "term_ended",
        "Term 2024 ended with 1 of 4 <contributions>.",
        12,
    )
    text = emeritus_blocks.history_lines(history)
    assert text.startswith("*Returning ambassador* — 2 earlier terms")
    assert (
        "Emeritus since 2025-01-01 · term ended: Term 2024 ended with 1 of 4 &lt;contributions&gt;." in text
    )
    assert "• 2024-01-01 → 2024-12-31 (lapsed)" in text and "12 contributions on record" in text
