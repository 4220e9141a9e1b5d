"""What leaving the program tells, and to whom: the member's thank-you (once) and the TSC's list of
benefits approved but not shipped. `bot.services.membership.emeritus.become_emeritus`, the one way out,
queues them in its transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import membership as membership_rules
from bot.rules.emeritus import EmeritusReason
from bot.services.benefits.leaving import BenefitLine
from bot.services.members import TermView

Payload = dict[str, Any]


@dataclass(frozen=True)
class Leaving:
    """Someone becoming emeritus, as their thank-you and the TSC's note tell it."""

    member_id: int
    slack_user_id: str | None
    name: str
    reason: EmeritusReason
    note: str | None
    closed_term: TermView | None
    # The yearly verification: the term that ended, its outcome, the last day a renewal was possible.
    progress: membership_rules.Progress | None = None
    outcome: membership_rules.Verification | None = None
    renew_by: date | None = None
    cancelled: tuple[BenefitLine, ...] = ()  # pending benefit requests, cancelled now
    unshipped: tuple[BenefitLine, ...] = ()  # approved ones not shipped yet, for the TSC
    waiting_review: int = 0  # the verification: contributions of the term still waiting for the TSC


class FarewellMessages(Protocol):
    """How leaving reads; implemented by bot.blocks.emeritus (`FAREWELL_MESSAGES`)."""

    def thanks(self, leaving: Leaving) -> Payload: ...

    def unshipped_benefits(self, leaving: Leaving) -> Payload: ...


@dataclass(frozen=True)
class Farewell:
    """Whom becoming emeritus tells: the member (the thank-you, once) and REVIEW_CHANNEL (benefits
    approved but not shipped). Without one nothing is sent (a caller with nobody to tell)."""

    messages: FarewellMessages
    review_channel: str = ""


@dataclass(frozen=True)
class VerifiedEnd:
    """The yearly verification's findings about a term that ends a membership."""

    outcome: membership_rules.Verification
    progress: membership_rules.Progress
    renew_by: date
    details: dict[str, Any] = field(default_factory=dict)
    waiting_review: int = 0  # dated inside the term, still waiting for the TSC's review


def say_farewell(
    session: Session, farewell: Farewell | None, leaving: Leaving, closed_term_id: int | None, now: datetime
) -> list[str]:
    """The member's thank-you (once: keyed by the term that closed), and the TSC's list of benefits
    approved but not shipped."""
    if farewell is None:
        return []
    which = closed_term_id if closed_term_id is not None else "none"
    keys: list[str] = []
    if leaving.slack_user_id:
        key = f"emeritus:member:{leaving.member_id}:term:{which}"
        enqueue_message(
            session,
            now=now,
            key=key,
            # The verification's thank-you waits for the member's daytime, as its other DMs do.
            kind="verification" if leaving.outcome is not None else "emeritus",
            channel=leaving.slack_user_id,
            payload=farewell.messages.thanks(leaving),
            member_id=leaving.member_id,
        )
        keys.append(key)
    if leaving.unshipped and farewell.review_channel:
        key = f"emeritus-benefits:member:{leaving.member_id}:term:{which}"
        enqueue_message(
            session,
            now=now,
            key=key,
            kind="emeritus_benefits",
            channel=farewell.review_channel,
            payload=farewell.messages.unshipped_benefits(leaving),
            member_id=leaving.member_id,
        )
        keys.append(key)
    return keys
