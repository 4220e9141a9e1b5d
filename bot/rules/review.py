"""The TSC's optional review of contributions (`CONTRIBUTION_REVIEW=tsc`): which states count toward a
term, who may decide, which decisions are allowed from which state, and what an edit does.

A contribution logged while the review is on starts *pending*. A TSC member decides it once: *verified*
(it counts), *needs info* (a question to the member, who answers by editing it, and it is pending
again) or *not counted* (with a reason). Contributions that were never under review (logged while it
was off, imported from the members file, from an application) count as they always did.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.rules import membership as membership_rules


class ReviewSetting(StrEnum):
    OFF = "off"  # every contribution counts from its day on
    TSC = "tsc"  # new contributions wait for a TSC member's decision before they count


class ReviewState(StrEnum):
    NONE = "none"  # never under review: counts
    PENDING = "pending"  # waiting for a TSC member
    VERIFIED = "verified"  # a TSC member checked it: counts
    NEEDS_INFO = "needs_info"  # a TSC member asked the member a question: waits for their answer
    NOT_COUNTED = "not_counted"  # a TSC member said it does not count, with a reason


class ReviewDecision(StrEnum):
    VERIFY = "verify"
    NEEDS_INFO = "needs_info"
    NOT_COUNTED = "not_counted"


# The states that count toward a term: verified, or never under review. Everything else waits or is out.
COUNTING_STATES = (ReviewState.NONE, ReviewState.VERIFIED)
# Still open: the member sees "waiting for review" (and the TSC's question, for needs info).
WAITING_STATES = (ReviewState.PENDING, ReviewState.NEEDS_INFO)

STATE_AFTER: dict[ReviewDecision, ReviewState] = {
    ReviewDecision.VERIFY: ReviewState.VERIFIED,
    ReviewDecision.NEEDS_INFO: ReviewState.NEEDS_INFO,
    ReviewDecision.NOT_COUNTED: ReviewState.NOT_COUNTED,
}

# What a question or a reason may be; the member reads it in a DM.
NOTE_MAX_LENGTH = membership_rules.DECISION_REASON_MAX_LENGTH

# The fields that say what a contribution is. Changing one of them after a decision puts it before the
# TSC again; a reworded title, a number of attendees or a note does not.
WHAT_IT_IS = frozenset({"type", "link", "date"})


def counts(state: str) -> bool:
    """Whether a contribution in this review state counts toward a term (its date aside)."""
    return state in COUNTING_STATES


def is_waiting(state: str) -> bool:
    return state in WAITING_STATES


def initial_state(setting: str) -> ReviewState:
    """The state of a contribution a member (or a TSC member for them, or a contributions import)
    adds now. Records from the members file and from applications are not reviewed: NONE."""
    return ReviewState.PENDING if setting == ReviewSetting.TSC else ReviewState.NONE


def decision_refusal(
    decider: str, decider_is_tsc: bool, owner: str | None, logged_by: str | None = None
) -> membership_rules.DecisionRefusal | None:
    """Only the TSC decides, never on their own contribution (the rule applications follow), nor on
    one they logged for its author (from the author's message): another TSC member checks it."""
    refusal = membership_rules.decision_refusal(decider, decider_is_tsc, owner)
    if refusal is None and logged_by is not None and decider == logged_by:
        return membership_rules.DecisionRefusal.OWN_REQUEST
    return refusal


def may_decide(state: str) -> bool:
    """Exactly one decision per review: only a pending contribution is decided."""
    return state == ReviewState.PENDING


def needs_note(decision: ReviewDecision) -> bool:
    """Needs info asks a question and Not counted gives a reason; Verify needs no words."""
    return decision is not ReviewDecision.VERIFY


def note_problem(decision: ReviewDecision, note: str | None) -> str | None:
    """ "missing" or "too_long" for a question or reason the decision cannot go with; None when fine."""
    text = (note or "").strip()
    if needs_note(decision) and not text:
        return "missing"
    if len(text) > NOTE_MAX_LENGTH:
        return "too_long"
    return None


def state_after_edit(state: str, changed: Iterable[str], setting: str) -> ReviewState:
    """A member's edit and the review.

    - Needs info: saving the form is the answer (a changed field or a note for the TSC, or "it is right
      as it is"), so the contribution is pending again, whatever the setting.
    - Verified, not counted, or never reviewed: with the review on, a change to what it is (type, link,
      date) puts it before the TSC again; any other change keeps the decision. With the review off, an
      edit never starts a review.
    - Pending stays pending.
    """
    current = ReviewState(state)
    if current is ReviewState.NEEDS_INFO:
        return ReviewState.PENDING
    if current is ReviewState.PENDING:
        return current
    if setting == ReviewSetting.TSC and WHAT_IT_IS.intersection(changed):
        return ReviewState.PENDING
    return current


# --- the yearly verification and what still waits ---------------------------------------------------


def verification_waits(
    current: membership_rules.Progress, waiting: int, grace_days: int = membership_rules.RENEWAL_GRACE_DAYS
) -> bool:
    """Whether the verification of an ended term waits for the TSC's review: contributions dated inside
    the term still wait for it (`waiting`, pending or needs info), and verified they would meet the
    requirement the counted ones miss (counted < required <= counted + waiting). It is the TSC that has
    not looked yet, not the member who fell short. Bounded by the renewal grace: from `grace_days`
    after the end the verification decides on what counts, so a review left undone never keeps a term
    open. A term whose waiting ones could not meet the requirement anyway is decided at once."""
    return (
        waiting > 0
        and current.counted < current.required <= current.counted + waiting
        and membership_rules.in_renewal_grace(current, grace_days)
    )


def verification_outcome(
    current: membership_rules.Progress,
    renewal_requested: bool,
    waiting: int,
    grace_days: int = membership_rules.RENEWAL_GRACE_DAYS,
) -> membership_rules.Verification | None:
    """`membership_rules.outcome_at_term_end`, or None (not due yet) while the verification waits for the
    TSC's review (`verification_waits`): the next run looks again."""
    if verification_waits(current, waiting, grace_days):
        return None
    return membership_rules.outcome_at_term_end(current, renewal_requested, grace_days)
