"""Logging a contribution: validation by the program's rules, then one write with its audit record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import impact as impact_rules
from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.impact import Impact, ImpactProblem
from bot.rules.membership import Problem
from bot.rules.review import ReviewSetting, ReviewState
from bot.services.members import MemberStanding, insert_audit, member_and_standing, record_audit
from bot.store.db import Database
from bot.store.models import Contribution, Member


@dataclass(frozen=True)
class ContributionDraft:
    """What a member gave us, as text, before validation."""

    type: str
    title: str
    link: str
    occurred_on: date | None
    reach: int | None = None
    audience: str | None = None
    notes: str | None = None
    # What it reached (the audience is `reach`, above); only the fields that fit the type are kept.
    impact: Impact = field(default_factory=Impact)

    @property
    def full_impact(self) -> Impact:
        given = self.impact if self.impact.reach == self.reach else replace(self.impact, reach=self.reach)
        return given.for_type(self.type)


class NotAnAmbassador(Exception):
    """Only current ambassadors may log contributions or see their progress."""


@dataclass
class ContributionRejected(Exception):
    """The draft breaks a rule; `problems` maps each field (type, title, link, date) to its problem,
    `impact_problems` each impact column (event_name, ..., slides_link) to its."""

    problems: dict[str, Problem] = field(default_factory=dict)
    impact_problems: dict[str, ImpactProblem] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedContribution:
    contribution_id: int
    type: str
    title: str
    link: str
    occurred_on: date
    counts_toward_term: bool
    standing: MemberStanding
    upcoming: bool = False  # dated ahead (a talk): it counts once its day has come
    logged_by: str | None = None  # who logged it, when not the member (a TSC member, from a message)
    waiting_review: bool = False  # CONTRIBUTION_REVIEW=tsc: it counts once a TSC member verified it


def validate(draft: ContributionDraft, today: date) -> tuple[str, dict[str, Problem]]:
    """The canonical type and every problem with the draft, keyed by field."""
    problems: dict[str, Problem] = {}
    canonical = membership_rules.normalize_type(draft.type)
    if canonical is None:
        problems["type"] = Problem.UNKNOWN_TYPE
    if problem := membership_rules.link_problem(draft.link):
        problems["link"] = problem
    if draft.occurred_on is None:
        problems["date"] = Problem.BAD_DATE
    elif problem := impact_rules.date_problem(canonical or draft.type, draft.occurred_on, today):
        problems["date"] = problem
    if problem := membership_rules.title_problem(draft.title):
        problems["title"] = problem
    return canonical or "", problems


def impact_columns(impact: Impact) -> dict[str, Any]:
    """The impact fields as the contributions table has them."""
    return {
        "reach": impact.reach,
        "event_name": impact.event_name,
        "city": impact.city,
        "country": impact.country,
        "online": impact.online,
        "language": impact.language,
        "recording_link": impact.recording_link,
        "slides_link": impact.slides_link,
    }


# How the member is told that someone else logged a contribution for them: (who logged it, the
# contribution) → a message payload; bot.blocks.impact implements it.
LoggedForMessage = Callable[[str, "LoggedContribution"], dict[str, Any]]


def logged_for_key(contribution_id: int) -> str:
    return f"contribution-logged-for:{contribution_id}"


# Built once (see `members.STANDING_QUERY`): logging runs it while holding the write lock. Through
# SQLAlchemy rather than `bot.store.direct`: its Python-side column defaults are SQLAlchemy's job.
INSERT_CONTRIBUTION = insert(cast(Table, Contribution.__table__)).returning(Contribution.id)


def log_contribution(
    db: Database,
    slack_user_id: str,
    draft: ContributionDraft,
    today: date,
    now: datetime,
    required: int,
    *,
    logged_by: str | None = None,
    tell_member: LoggedForMessage | None = None,
    review: str = ReviewSetting.OFF,
) -> LoggedContribution:
    """Store a contribution for the ambassador `slack_user_id`; nothing is stored when a rule is broken.

    `today` is the member's local date (the date picker and "today" are in their time zone). One unit
    of work of three statements: the member's standing, the contribution, its audit record.

    `logged_by`: a TSC member logging it for the member (from the member's message); the audit names
    them, and `tell_member`'s message to the member is queued in the same transaction (its outbox key
    is `logged_for_key(...)`). Whether `logged_by` may do so is the caller's check.

    `review` is CONTRIBUTION_REVIEW: with "tsc" the contribution waits for a TSC member (pending) and
    counts once verified.
    """
    canonical, problems = validate(draft, today)
    impact = draft.full_impact
    impact_problems = impact.problems()
    link = draft.link.strip()
    actor = logged_by or slack_user_id
    review_state = review_rules.initial_state(review)
    with db.statements() as connection:
        before = member_and_standing(connection, slack_user_id, today, required)
        if before is None or not before.is_ambassador:
            raise NotAnAmbassador()
        if problems or impact_problems:
            raise ContributionRejected(problems, impact_problems)
        assert draft.occurred_on is not None
        title = draft.title.strip()
        try:
            contribution_id = connection.scalar(
                INSERT_CONTRIBUTION,
                {
                    "member_id": before.member_id,
                    "type": canonical,
                    "title": title,
                    "link": link,
                    "link_key": membership_rules.normalize_link(link),
                    "year": draft.occurred_on.year,
                    "month": membership_rules.month_label(draft.occurred_on),
                    "occurred_on": draft.occurred_on,
                    "date_precision": membership_rules.DatePrecision.DAY,
                    **impact_columns(impact),
                    "audience": (draft.audience or "").strip() or None,
                    "notes": (draft.notes or "").strip() or None,
                    "source": "slack",
                    "review_state": review_state,
                    "logged_by": actor,
                    "logged_at": now,
                    "updated_at": now,
                },
            )
        except IntegrityError:
            # A link the member already logged: the unique key (member, link) is the check, so a
            # log costs no lookup first; raising rolls the whole unit of work back.
            raise ContributionRejected({"link": Problem.DUPLICATE_LINK}) from None
        assert contribution_id is not None
        extra: dict[str, Any] = {} if impact.is_empty else {"impact": impact_columns(impact)}
        if actor != slack_user_id:
            extra["logged_for"] = slack_user_id
        insert_audit(
            connection,
            actor,
            "contribution.logged",
            before.member_id,
            at=now,
            contribution_id=contribution_id,
            type=canonical,
            title=title,
            link=link,
            date=draft.occurred_on.isoformat(),
            **extra,
        )
        # The progress after this one, without counting again: the unit of work held the write lock
        # on SQLite; on PostgreSQL a log racing it for the same member shows in the next read.
        upcoming = impact_rules.is_upcoming(draft.occurred_on, today)
        in_term = bool(before.term and before.term.rule_term.contains(draft.occurred_on))
        counts = in_term and not upcoming and review_rules.counts(review_state)
        after = before
        if counts and before.progress is not None:
            after = replace(before, progress=replace(before.progress, counted=before.progress.counted + 1))
        logged = LoggedContribution(
            contribution_id=contribution_id,
            type=canonical,
            title=title,
            link=link,
            occurred_on=draft.occurred_on,
            counts_toward_term=counts,
            standing=after,
            upcoming=upcoming,
            logged_by=actor if actor != slack_user_id else None,
            waiting_review=review_rules.is_waiting(review_state),
        )
        if logged.logged_by and tell_member is not None:
            # Rare (a TSC member logging for someone): the outbox's Session joins this transaction.
            with Session(bind=connection) as session:
                enqueue_message(
                    session,
                    key=logged_for_key(contribution_id),
                    kind="contribution_logged_for",
                    channel=slack_user_id,
                    payload=tell_member(actor, logged),
                    now=now,
                    member_id=before.member_id,
                )
    return logged


# --- editing and deleting one's own contributions (App Home, #5) -----------------------------------


class ContributionNotFound(Exception):
    """Not among the member's own contributions: deleted meanwhile, or someone else's."""


@dataclass(frozen=True)
class OwnContribution:
    """A contribution as its owner may see and edit it (notes and reach included: they are theirs)."""

    id: int
    type: str
    title: str
    link: str
    occurred_on: date
    reach: int | None
    notes: str | None
    impact: Impact = field(default_factory=Impact)
    review_state: str = ReviewState.NONE
    review_note: str | None = None  # the TSC's question (needs info), or why it does not count


@dataclass(frozen=True)
class EditedContribution:
    contribution_id: int
    title: str
    changed: tuple[str, ...]  # the fields that changed; empty when the member saved it as it was
    review_state: str = ReviewState.NONE  # after the edit: pending again after an answer or a change
    back_to_review: bool = False  # this edit put it before the TSC again


@dataclass(frozen=True)
class DeletedContribution:
    contribution_id: int
    type: str
    title: str
    occurred_on: date


def _own(session: Session, slack_user_id: str, contribution_id: int) -> Contribution:
    contribution = session.scalar(
        select(Contribution)
        .join(Member, Member.id == Contribution.member_id)
        .where(Contribution.id == contribution_id, Member.slack_user_id == slack_user_id)
        # Serializes an edit and a delete of the same row on PostgreSQL (SQLite has one writer anyway).
        .with_for_update(of=Contribution)
    )
    if contribution is None:
        raise ContributionNotFound()
    return contribution


def _snapshot(contribution: Contribution) -> dict[str, Any]:
    return {
        "type": contribution.type,
        "title": contribution.title,
        "link": contribution.link,
        "date": contribution.occurred_on.isoformat(),
        "reach": contribution.reach,
        "notes": contribution.notes,
        "event_name": contribution.event_name,
        "city": contribution.city,
        "country": contribution.country,
        "online": contribution.online,
        "language": contribution.language,
        "recording_link": contribution.recording_link,
        "slides_link": contribution.slides_link,
    }


# What a contribution reached (`bot.rules.impact.Impact`), as columns to select, in `Impact`'s order.
IMPACT_COLUMNS = (
    Contribution.event_name,
    Contribution.city,
    Contribution.country,
    Contribution.online,
    Contribution.language,
    Contribution.reach,
    Contribution.recording_link,
    Contribution.slides_link,
)


def impact_of(contribution: Contribution) -> Impact:
    return Impact(
        event_name=contribution.event_name,
        city=contribution.city,
        country=contribution.country,
        online=contribution.online,
        language=contribution.language,
        reach=contribution.reach,
        recording_link=contribution.recording_link,
        slides_link=contribution.slides_link,
    )


def own_contribution(db: Database, slack_user_id: str, contribution_id: int) -> OwnContribution:
    """One of `slack_user_id`'s contributions, to fill the edit form; `ContributionNotFound` otherwise."""
    with db.read_only() as session:
        contribution = session.scalar(
            select(Contribution)
            .join(Member, Member.id == Contribution.member_id)
            .where(Contribution.id == contribution_id, Member.slack_user_id == slack_user_id)
        )
        if contribution is None:
            raise ContributionNotFound()
        return OwnContribution(
            contribution.id,
            contribution.type,
            contribution.title,
            contribution.link,
            contribution.occurred_on,
            contribution.reach,
            contribution.notes,
            impact_of(contribution),
            contribution.review_state,
            contribution.review_note,
        )


def edit_contribution(
    db: Database,
    slack_user_id: str,
    contribution_id: int,
    draft: ContributionDraft,
    today: date,
    now: datetime,
    review: str = ReviewSetting.OFF,
) -> EditedContribution:
    """Change one of the member's own contributions, by the same rules as logging; audited old → new.

    Fields the form does not show (audience, source, who logged it) are kept. A date left as it was
    keeps its precision, so an imported "March 2024" stays a month in the public export.

    The review (`review_rules.state_after_edit`): saving a contribution the TSC asked about answers
    the question, and a changed type, link or date under `review="tsc"` puts it before the TSC again;
    either way it is pending in a new round (listed again by the review job).
    """
    canonical, problems = validate(draft, today)
    impact = draft.full_impact
    impact_problems = impact.problems()
    with db.transaction() as session:
        contribution = _own(session, slack_user_id, contribution_id)
        if problems or impact_problems:
            raise ContributionRejected(problems, impact_problems)
        assert draft.occurred_on is not None
        link = draft.link.strip()
        link_key = membership_rules.normalize_link(link)
        duplicate = session.scalar(
            select(Contribution.id).where(
                Contribution.member_id == contribution.member_id,
                Contribution.link_key == link_key,
                Contribution.id != contribution.id,
            )
        )
        if duplicate is not None:
            raise ContributionRejected({"link": Problem.DUPLICATE_LINK})
        before = _snapshot(contribution)
        if membership_rules.normalize_type(contribution.type) != canonical:
            # An imported spelling ("initiative_driver") is kept unless the member picked another type.
            contribution.type = canonical
        contribution.title = draft.title.strip()
        contribution.link = link
        contribution.link_key = link_key
        if draft.occurred_on != contribution.occurred_on:
            contribution.occurred_on = draft.occurred_on
            contribution.year = draft.occurred_on.year
            contribution.month = membership_rules.month_label(draft.occurred_on)
            contribution.date_precision = membership_rules.DatePrecision.DAY
        for column, value in impact_columns(impact).items():
            setattr(contribution, column, value)
        contribution.notes = (draft.notes or "").strip() or None
        after = _snapshot(contribution)
        changes = {
            name: {"old": before[name], "new": after[name]} for name in before if before[name] != after[name]
        }
        was = contribution.review_state
        state = review_rules.state_after_edit(was, changes, review)
        back_to_review = state == ReviewState.PENDING and was != ReviewState.PENDING
        if back_to_review:
            contribution.review_state = state
            contribution.review_round += 1
            contribution.review_message_key = None
        if changes or back_to_review:
            contribution.updated_at = now
            try:
                session.flush()
            except IntegrityError:
                raise ContributionRejected({"link": Problem.DUPLICATE_LINK}) from None
            review_change = {"old": was, "new": str(state)} if back_to_review else None
            record_audit(
                session,
                slack_user_id,
                "contribution.edited",
                contribution.member_id,
                at=now,
                contribution_id=contribution.id,
                changes=changes,
                **({"review": review_change} if review_change else {}),
            )
        return EditedContribution(
            contribution.id, contribution.title, tuple(changes), contribution.review_state, back_to_review
        )


def delete_contribution(
    db: Database, slack_user_id: str, contribution_id: int, *, now: datetime
) -> DeletedContribution:
    """Remove one of the member's own contributions; the audit trail keeps what it was."""
    with db.transaction() as session:
        contribution = _own(session, slack_user_id, contribution_id)
        deleted = DeletedContribution(
            contribution.id, contribution.type, contribution.title, contribution.occurred_on
        )
        record_audit(
            session,
            slack_user_id,
            "contribution.deleted",
            contribution.member_id,
            at=now,
            contribution_id=contribution.id,
            old={
                **_snapshot(contribution),
                "audience": contribution.audience,
                "year": contribution.year,
                "month": contribution.month,
                "source": contribution.source,
                "logged_by": contribution.logged_by,
                "logged_at": contribution.logged_at.isoformat(),
            },
        )
        session.delete(contribution)
        return deleted
