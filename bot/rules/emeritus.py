"""Emeritus as a status, and who decides it: why someone became emeritus, what the yearly verification
does with a term that ends short (decide at once, or propose to the TSC), and what the TSC may decide
about a proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.rules import membership as membership_rules
from bot.rules.membership import Verification

# "Give 30 more days": the term runs this many days past the decision.
MORE_DAYS = 30
NOTE_MAX_LENGTH = membership_rules.DECISION_REASON_MAX_LENGTH


class EmeritusReason(StrEnum):
    TERM_ENDED = "term_ended"  # the term ended without a renewal (the yearly verification)
    STEPPED_DOWN = "stepped_down"  # the member left (`/ambassador step-down`)
    INACTIVE = "inactive"  # no contribution for a long time (the TSC decided a proposal)
    JOINED_STAFF = "joined_staff"  # now works for the project
    OTHER = "other"


# What the TSC may type before the note in `/ambassador admin emeritus @someone REASON note`.
REASON_WORDS: dict[str, EmeritusReason] = {
    "term-ended": EmeritusReason.TERM_ENDED,
    "ended": EmeritusReason.TERM_ENDED,
    "stepped-down": EmeritusReason.STEPPED_DOWN,
    "step-down": EmeritusReason.STEPPED_DOWN,
    "inactive": EmeritusReason.INACTIVE,
    "staff": EmeritusReason.JOINED_STAFF,
    "joined-staff": EmeritusReason.JOINED_STAFF,
    "other": EmeritusReason.OTHER,
}


def reason_and_note(text: str) -> tuple[EmeritusReason, str]:
    """A leading reason word, if there is one, and the note after it: "staff Joined the team" →
    (JOINED_STAFF, "Joined the team"); a note without one is OTHER."""
    first, _, rest = text.strip().partition(" ")
    reason = REASON_WORDS.get(first.lower().replace("_", "-"))
    if reason is None:
        return EmeritusReason.OTHER, text.strip()
    return reason, rest.strip()


# --- the yearly verification ---------------------------------------------------------------------


class VerificationDecides(StrEnum):
    TSC = "tsc"  # a term that would lapse is proposed to the TSC; the member stays until they decide
    AUTO = "auto"  # the verification moves the member to emeritus at once


class VerificationAction(StrEnum):
    RENEW = "renew"  # complete the term, start the next one
    WAIT = "wait"  # met, may still renew during the grace period: nothing changes
    LAPSE = "lapse"  # emeritus now
    PROPOSE = "propose"  # ask the TSC: Move to emeritus / Give 30 more days


LAPSING = (Verification.LAPSED, Verification.NOT_RENEWED)


def verification_action(
    outcome: Verification | None, decides: VerificationDecides
) -> VerificationAction | None:
    """What the verification does with an outcome (`membership_rules.outcome_at_term_end`); None: not due."""
    if outcome is None:
        return None
    if outcome is Verification.RENEWED:
        return VerificationAction.RENEW
    if outcome is Verification.MET:
        return VerificationAction.WAIT
    return VerificationAction.PROPOSE if decides is VerificationDecides.TSC else VerificationAction.LAPSE


# --- proposals the TSC decides -------------------------------------------------------------------


class ProposalCause(StrEnum):
    VERIFICATION = "verification"  # the term ended short of the requirement, or without a renewal
    INACTIVITY = "inactivity"  # no contribution for PROPOSE_DAYS


class ProposalDecision(StrEnum):
    EMERITUS = "emeritus"  # Move to emeritus
    KEEP = "keep"  # Keep (inactivity)
    MORE_DAYS = "more_days"  # Give 30 more days (verification)


DECISIONS: dict[ProposalCause, tuple[ProposalDecision, ...]] = {
    ProposalCause.VERIFICATION: (ProposalDecision.EMERITUS, ProposalDecision.MORE_DAYS),
    ProposalCause.INACTIVITY: (ProposalDecision.EMERITUS, ProposalDecision.KEEP),
}

REASON_FOR: dict[ProposalCause, EmeritusReason] = {
    ProposalCause.VERIFICATION: EmeritusReason.TERM_ENDED,
    ProposalCause.INACTIVITY: EmeritusReason.INACTIVE,
}


def allowed(cause: ProposalCause, decision: ProposalDecision) -> bool:
    return decision in DECISIONS[cause]


@dataclass(frozen=True)
class MoreDays:
    """The term after "Give N more days": it runs through `end` (never shorter than it was)."""

    end: date


def more_days(term_end: date, today: date, days: int = MORE_DAYS) -> MoreDays:
    """N more days from the decision: the term now ends N days after today, the last day included."""
    return MoreDays(max(term_end, today + timedelta(days=days)))


def proposal_refusal(
    decider: str, decider_is_tsc: bool, member: str | None
) -> membership_rules.DecisionRefusal | None:
    """Only the TSC decides, and never about themselves (the same rule as for applications)."""
    return membership_rules.decision_refusal(decider, decider_is_tsc, member)
