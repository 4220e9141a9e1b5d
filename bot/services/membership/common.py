"""What applying, nominating, deciding and renewing share: outbox keys, the views handed to the
message builders, the `Messages` protocol and the reads several use cases make.

The use cases live in `bot.services.membership.applications`, `.nominations`, `.decisions` and `.renewals`.
Each use case is one transaction. Messages that must reach someone exactly once (the review post,
the welcome, the rejection, the nomination) are written to the outbox in that same transaction; the
caller delivers them right after the commit with `bot.outbox.sender.deliver(..., keys=result.outbox_keys)`,
and the scheduler retries whatever Slack did not take. Services build no Block Kit: the caller
passes `messages` (`MEMBERSHIP_MESSAGES` of bot.blocks.membership.messages), which renders them from plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.services import counting
from bot.store.constants import OPEN_APPLICATION
from bot.store.models import (
    Application,
    Contribution,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    Term,
    TermStatus,
)

Payload = dict[str, Any]
T = TypeVar("T")
REVIEW_CONTRIBUTIONS_SHOWN = 15


def review_key(application_id: int) -> str:
    return f"review:application:{application_id}"


def welcome_key(application_id: int) -> str:
    return f"welcome:application:{application_id}"


def rejection_key(application_id: int) -> str:
    return f"rejection:application:{application_id}"


def receipt_key(application_id: int) -> str:
    return f"receipt:application:{application_id}"


def nomination_key(application_id: int) -> str:
    return f"nomination:application:{application_id}"


def announce_key(member_id: int, term_id: int) -> str:
    """The announcement of a new ambassador; the #4 `announce` job batches and posts these."""
    return f"announce:member:{member_id}:term:{term_id}"


@dataclass(frozen=True)
class ContributionSummary:
    type: str
    title: str
    link: str
    occurred_on: date
    date_precision: str


@dataclass(frozen=True)
class PastTerm:
    start: date
    end: date
    status: str


@dataclass(frozen=True)
class PastMembership:
    """A returning ambassador's history, for the TSC reviewing their application: their earlier terms
    and, while they are emeritus, since when and why."""

    terms: list[PastTerm]
    emeritus_since: datetime | None
    emeritus_reason: str | None
    note: str | None
    contributions_total: int


def past_membership(session: Session, member: Member, contributions_total: int) -> PastMembership | None:
    """None for someone who was never an ambassador (a first application); an emeritus member imported
    without terms is returning too."""
    terms = [
        PastTerm(start, end, status)
        for start, end, status in session.execute(
            select(Term.start_on, Term.end_on, Term.status)
            .where(Term.member_id == member.id, Term.status != TermStatus.ACTIVE)
            .order_by(Term.start_on, Term.id)
        )
    ]
    emeritus = member.status == MemberStatus.EMERITUS
    if not terms and not emeritus:
        return None
    return PastMembership(
        terms,
        member.status_changed_at if emeritus else None,
        member.emeritus_reason if emeritus else None,
        member.status_reason if emeritus else None,
        contributions_total,
    )


@dataclass(frozen=True)
class ApplicationView:
    """An application as the TSC reviews it: the public profile, the contributions, the requirement."""

    id: int
    status: str
    member_id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    country: str | None
    bio: str | None
    github: str | None
    twitter: str | None
    linkedin: str | None
    img: str | None
    motivation: str | None
    nominated_by: str | None
    submitted_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    contributions: list[ContributionSummary]  # newest first, at most REVIEW_CONTRIBUTIONS_SHOWN
    contributions_total: int
    recent_contributions: int  # in the twelve months before `today`
    required: int
    meets_requirement: bool
    history: PastMembership | None = None  # a returning ambassador


class Messages(Protocol):
    """How membership messages read; implemented by bot.blocks.membership.messages (`MEMBERSHIP_MESSAGES`)."""

    def review(self, application: ApplicationView) -> Payload: ...

    def welcome(
        self,
        name: str,
        term: membership_rules.Term,
        required: int,
        returning: bool = False,
        github_invitation: tuple[str, str] | None = None,  # (organization, login) just invited to
    ) -> Payload: ...

    def announcement(self, name: str, title: str | None, company: str | None) -> str: ...

    def rejection(self, name: str, reason: str) -> Payload: ...

    def nomination(self, nominator: str, application_id: int, required: int) -> Payload: ...

    def extended(self, name: str, term: membership_rules.Term, previous_end: date) -> Payload: ...


def application_view(
    session: Session, application: Application, today: date, required: int
) -> ApplicationView:
    member = application.member
    newest = list(
        session.execute(
            select(
                Contribution.type,
                Contribution.title,
                Contribution.link,
                Contribution.occurred_on,
                Contribution.date_precision,
            )
            .where(Contribution.member_id == member.id)
            .order_by(Contribution.occurred_on.desc(), Contribution.id.desc())
            .limit(REVIEW_CONTRIBUTIONS_SHOWN)
        )
    )
    total, recent = session.execute(
        select(
            func.count(Contribution.id),
            func.count(Contribution.id).filter(
                Contribution.occurred_on >= membership_rules.application_window(today).start
            ),
        ).where(Contribution.member_id == member.id, counting.counts(today))
    ).one()
    return ApplicationView(
        id=application.id,
        status=application.status,
        member_id=member.id,
        slack_user_id=member.slack_user_id,
        name=member.name,
        title=member.title,
        company=member.company,
        country=member.country,
        bio=member.bio,
        github=member.github,
        twitter=member.twitter,
        linkedin=member.linkedin,
        img=member.img,
        motivation=application.motivation,
        nominated_by=application.nominated_by,
        submitted_at=application.submitted_at,
        decided_by=application.decided_by,
        decided_at=application.decided_at,
        decision_reason=application.decision_reason,
        contributions=[ContributionSummary(*row) for row in newest],
        contributions_total=total or 0,
        recent_contributions=recent or 0,
        required=required,
        meets_requirement=membership_rules.meets_application_requirement(recent or 0, required),
        history=past_membership(session, member, total or 0),
    )


def open_application(session: Session, member_id: int) -> Application | None:
    return session.scalar(
        select(Application)
        .where(Application.member_id == member_id, OPEN_APPLICATION)
        .order_by(Application.id.desc())
        .limit(1)
    )


def with_one_retry(work: Callable[[], T]) -> T:
    """Run a transaction again once when a unique index caught a concurrent twin of this request.

    The second run sees what the other request committed and answers accordingly (e.g. "you
    already applied"), instead of failing with an error.
    """
    try:
        return work()
    except IntegrityError:
        return work()


def review_location(session: Session, application: Application) -> tuple[str, str] | None:
    if application.review_channel and application.review_ts:
        return application.review_channel, application.review_ts
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == review_key(application.id)))
    if row is not None and row.status == OutboxStatus.SENT and row.slack_channel and row.slack_ts:
        return row.slack_channel, row.slack_ts
    return None


class ApplicationNotFound(LookupError):
    pass
