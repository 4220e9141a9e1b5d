"""Database models (SQLAlchemy 2 typed declarative); migrations live in bot/store/migrations.

Datetimes are stored as UTC. SQLite ignores `timezone=True`, so `UTCDateTime` stores naive UTC
and hands back aware UTC on every backend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


def utcnow() -> datetime:
    return datetime.now(UTC)


class MemberStatus(StrEnum):
    CANDIDATE = "candidate"  # known to the bot (applicant, nominee, imported without a term)
    ACTIVE = "active"  # an ambassador with a current term
    EMERITUS = "emeritus"  # a former ambassador


class TermStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # ended with the requirement met (renewed or not)
    LAPSED = "lapsed"  # ended without the requirement: the member became emeritus
    ENDED = "ended"  # closed early by the TSC (moved to emeritus)


class ApplicationStatus(StrEnum):
    NOMINATED = "nominated"  # someone proposed this person; they have not applied yet
    PENDING = "pending"  # submitted, waiting for the TSC
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN_APPLICATION_STATUSES = (ApplicationStatus.NOMINATED, ApplicationStatus.PENDING)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; `claimed_until` bounds the claim
    SENT = "sent"
    FAILED = "failed"  # a permanent Slack error; reported, not retried
    CANCELLED = "cancelled"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a runner; `claimed_until` bounds the claim
    INVITED = "invited"  # GitHub has the invitation (sent by the bot, or already pending)
    ALREADY_MEMBER = "already_member"
    FAILED = "failed"  # a permanent GitHub error; reported to the review channel, not retried


class ProposalStatus(StrEnum):
    OPEN = "open"  # waiting for a TSC member
    EMERITUS = "emeritus"  # moved to emeritus
    KEPT = "kept"  # kept on (inactivity)
    MORE_DAYS = "more_days"  # given more days (verification)
    WITHDRAWN = "withdrawn"  # moot: the member renewed, left, or was moved some other way


class AccessChangeStatus(StrEnum):
    PENDING = "pending"
    WORKING = "working"  # claimed by a runner; `claimed_until` bounds the claim
    DONE = "done"  # the bot made the change (and told the review channel)
    UNCHANGED = "unchanged"  # the place was already as wanted
    SKIPPED = "skipped"  # no longer wanted (a later roster change), a keeper, or superseded
    FAILED = "failed"  # refused for good, or the place cannot be kept (reported once)


class Member(Base):
    """A person the program knows, with the public profile fields of AMBASSADORS_MEMBERS.json.

    Optional profile fields are None when the public file does not have the key, so an import
    followed by an export gives the same keys back.
    """

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    img: Mapped[str | None] = mapped_column(String(1000))
    bio: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(300))
    github: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The public file has integers, and sometimes strings: kept as given.
    github_id: Mapped[Any] = mapped_column(JSON, nullable=True)
    twitter: Mapped[str | None] = mapped_column(String(300))
    linkedin: Mapped[str | None] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(100))
    is_tsc_member: Mapped[bool | None]
    tsc_member_since: Mapped[str | None] = mapped_column(String(32))
    is_board_member: Mapped[bool | None]
    # The member's keys in the order the public file wrote them (from an import), so an export gives
    # the same order back and a website pull request shows only real changes. None: the bot's order.
    file_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)

    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.CANDIDATE, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Why an emeritus member left (a rules.emeritus.EmeritusReason); `status_reason` is the note.
    emeritus_reason: Mapped[str | None] = mapped_column(String(16))
    status_changed_at: Mapped[datetime | None]

    # IANA name from Slack's users.info, cached because that call is rate limited.
    timezone: Mapped[str | None] = mapped_column(String(64))
    timezone_checked_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    terms: Mapped[list[Term]] = relationship(
        back_populates="member", order_by="Term.start_on", cascade="all, delete-orphan"
    )
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="member", order_by="Contribution.id", cascade="all, delete-orphan"
    )


class Term(Base):
    __tablename__ = "terms"
    __table_args__ = (
        # At most one current term per member, whatever two requests do at once.
        Index(
            "uq_terms_one_active_per_member",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=TermStatus.ACTIVE)
    renewal_requested_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Days the end was moved by pauses (PAUSE_EXTENDS_TERM), kept when the TSC sets an extension.
    paused_days: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="terms")


# The one review state a partial index holds (`rules.review.ReviewState.PENDING`, as stored).
REVIEW_PENDING = "review_state = 'pending'"


class Contribution(Base):
    """A contribution as the public file records it (type, title, link, year, month), plus what Slack adds.

    `type` and `month` are kept exactly as given so the public file round-trips ("initiative_driver",
    "Jan", a missing month); `occurred_on` is the date the rules count with.
    """

    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("member_id", "link_key"),
        # With the review state, counting a term's contributions reads this index alone.
        Index("ix_contributions_member_occurred", "member_id", "occurred_on", "review_state"),
        # The review's lookups, as partial indexes: a log under CONTRIBUTION_REVIEW=off (most programs)
        # writes neither, and the pending ones are few. The queries spell the predicate the same way
        # (`bot.services.review`), which is what lets SQLite use a partial index.
        Index(
            "ix_contributions_review_pending",
            "review_state",
            sqlite_where=text(REVIEW_PENDING),
            postgresql_where=text(REVIEW_PENDING),
        ),
        Index(
            "ix_contributions_review_message_key",
            "review_message_key",
            sqlite_where=text("review_message_key IS NOT NULL"),
            postgresql_where=text("review_message_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(1000), default="")
    # The normalized link; NULL for the empty links of the public file, which may repeat.
    link_key: Mapped[str | None] = mapped_column(String(1000))
    year: Mapped[int]
    month: Mapped[str | None] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    date_precision: Mapped[str] = mapped_column(String(8), default="day")
    reach: Mapped[int | None]  # the audience: attendees, views, listens or readers, by type
    audience: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    # What it reached, asked by type (bot.rules.impact); none of it goes to the public members file.
    event_name: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    online: Mapped[bool] = mapped_column(default=False, server_default=false())
    language: Mapped[str | None] = mapped_column(String(50))
    recording_link: Mapped[str | None] = mapped_column(String(1000))
    slides_link: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(16), default="slack")  # slack | import | application
    logged_by: Mapped[str | None] = mapped_column(String(32))
    logged_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The TSC's review (CONTRIBUTION_REVIEW=tsc; a rules.review.ReviewState): only "none" (never under
    # review) and "verified" count. `review_round` grows each time it is pending again (an answer, an
    # edit), so each round is posted and told once; `review_message_key` is the outbox key of the review
    # channel's message listing it in this round, redrawn after each decision.
    review_state: Mapped[str] = mapped_column(String(16), default="none", server_default=text("'none'"))
    review_round: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    review_message_key: Mapped[str | None] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)  # the question, or the reason it does not count

    member: Mapped[Member] = relationship(back_populates="contributions")


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        # One open application (nominated or pending) per member.
        Index(
            "uq_applications_one_open_per_member",
            "member_id",
            unique=True,
            sqlite_where=text("status IN ('nominated', 'pending')"),
            postgresql_where=text("status IN ('nominated', 'pending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.PENDING, index=True)
    motivation: Mapped[str | None] = mapped_column(Text)
    nominated_by: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    review_channel: Mapped[str | None] = mapped_column(String(32))
    review_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class AuditEvent(Base):
    """Who changed what, and when: every decision and every change to a member's record."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Written on every change, read only by people querying it: no index on `at` or `action`.
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # a Slack user ID, or "cli" / "scheduler"
    action: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxMessage(Base):
    """A message the jobs must deliver exactly once; `key` names it (e.g. `reminder:U123:2027-03`)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(32))  # a channel ID, or a user ID for a DM
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[Any] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    error_reported_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEvent(Base):
    """An Events API delivery already handled, by `event_id`.

    Slack redelivers an event it thinks went unanswered (`X-Slack-Retry-Num`), and a replayed request
    carries the same `event_id`: an event with side effects is acted on only when its row is new.
    """

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(index=True)


class Benefit(Base):
    """A benefit on offer to ambassadors (a swag pack, event swag, a conference ticket, ...).

    The TSC edits the catalogue in Slack (`/ambassador admin benefits`); the program's defaults are
    added when the catalogue is first used. A benefit is disabled, never deleted: requests keep it.
    """

    __tablename__ = "benefits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # what the TSC types, e.g. "swag-pack"
    kind: Mapped[str] = mapped_column(String(32))  # a benefit_rules.BenefitKind
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    value: Mapped[int] = mapped_column(Integer, default=0)  # approximate, whole units of BENEFITS_CURRENCY
    needs_shipping: Mapped[bool] = mapped_column(default=False)
    needs_event: Mapped[bool] = mapped_column(default=False)
    limit_per_term: Mapped[int | None]  # None: no limit
    enabled: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order members see
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BenefitRequest(Base):
    """An ambassador's request for a benefit, from the form to its fulfilment.

    The shipping columns are personal data: shown only to the member and to TSC members privately,
    and erased (set to NULL, `shipping_erased_at` set, audited) 90 days after fulfilment or on
    `ambassador-bot benefits purge-addresses`.
    """

    __tablename__ = "benefit_requests"
    __table_args__ = (Index("ix_benefit_requests_member_benefit", "member_id", "benefit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    benefit_id: Mapped[int] = mapped_column(ForeignKey("benefits.id", ondelete="RESTRICT"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    value: Mapped[int] = mapped_column(Integer, default=0)  # the benefit's value when requested

    event_name: Mapped[str | None] = mapped_column(String(200))
    event_date: Mapped[date | None] = mapped_column(Date)
    event_link: Mapped[str | None] = mapped_column(String(1000))
    participants: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)

    shipping_name: Mapped[str | None] = mapped_column(String(200))
    shipping_address: Mapped[str | None] = mapped_column(Text)
    shipping_country: Mapped[str | None] = mapped_column(String(100))
    shipping_phone: Mapped[str | None] = mapped_column(String(50))
    shipping_erased_at: Mapped[datetime | None]

    requested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    fulfilled_by: Mapped[str | None] = mapped_column(String(32))
    fulfilled_at: Mapped[datetime | None] = mapped_column(index=True)
    fulfilment_note: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship()
    benefit: Mapped[Benefit] = relationship()


class GitHubInvitation(Base):
    """An invitation of a new ambassador to the GitHub organization, made exactly once.

    Written in the same transaction as the approval (or `admin add`); `key` (organization and login)
    is unique, so a second approval, a rerun or another replica never queues it again. The
    `invitations` job claims a row (compare-and-set with a lease, as the Slack sender does) before
    calling GitHub.
    """

    __tablename__ = "github_invitations"
    __table_args__ = (Index("ix_github_invitations_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # "asyncapi:octocat" (login lowercased)
    org: Mapped[str] = mapped_column(String(100))
    login: Mapped[str] = mapped_column(String(100))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessChange(Base):
    """One change to the ambassadors' Slack user group, private channel or GitHub team, made once.

    `key` names the change (place, target, action, person, cause: `roster-12` or `check-2027-03-01`)
    and is unique, so reruns and replicas queue it once. Runners claim every due change of one target
    together (compare-and-set with a lease, while no other runner holds one there): a user group's
    list is replaced whole, so two runners must never write it at once.
    """

    __tablename__ = "access_changes"
    __table_args__ = (
        Index("ix_access_changes_due", "status", "next_attempt_at"),
        Index("ix_access_changes_target", "system", "target", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    system: Mapped[str] = mapped_column(String(16))  # a rules.access.Place
    target: Mapped[str] = mapped_column(String(150))  # the group (as set), the channel ID, "org/team"
    action: Mapped[str] = mapped_column(String(8))  # add | remove
    subject: Mapped[str] = mapped_column(String(100))  # a Slack user ID or a GitHub login (lowercased)
    cause: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=AccessChangeStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessRequest(Base):
    """A roster change whose access still has to follow: written in the same transaction as the change
    (an approval, `admin add`, a reinstatement, a move to emeritus), turned into `AccessChange` rows by
    the `access-changes` job, which then sets `expanded_at`."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expanded_at: Mapped[datetime | None] = mapped_column(index=True)


class Pause(Base):
    """A pause of a membership (`/ambassador pause until DATE`), from `start_on` to `until_on`, the first
    day back. Open while `closed_on` is NULL: at most one per member, whatever two requests do at once.
    Closed when the member comes back early, leaves, or when a finished pause is tidied up."""

    __tablename__ = "pauses"
    __table_args__ = (
        Index(
            "uq_pauses_one_open_per_member",
            "member_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="SET NULL"))
    start_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    paused_by: Mapped[str] = mapped_column(String(64))
    term_days: Mapped[int] = mapped_column(Integer, default=0)  # how far it moved the term's end
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InactivityNotice(Base):
    """A step taken along one stretch of a member's inactivity (rules.inactivity.Step): each once."""

    __tablename__ = "inactivity_notices"
    __table_args__ = (UniqueConstraint("member_id", "stretch_start", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    stretch_start: Mapped[date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(String(16))
    noticed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmeritusProposal(Base):
    """A proposal to move a member to emeritus, which a TSC member decides exactly once.

    Made by the yearly verification (`VERIFICATION_DECIDES=tsc`: the term ended short) or after a long
    stretch of inactivity. `key` names it (`verification:term12:2026-11-23`, `inactivity:member7:2026-01-05`)
    and is unique, so reruns and replicas propose once; `message_key` is the outbox key of the review
    channel's message that lists it, redrawn after each decision.
    """

    __tablename__ = "emeritus_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="SET NULL"))
    cause: Mapped[str] = mapped_column(String(16))  # a rules.emeritus.ProposalCause
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.OPEN, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    proposed_at: Mapped[datetime]
    message_key: Mapped[str | None] = mapped_column(String(200), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
