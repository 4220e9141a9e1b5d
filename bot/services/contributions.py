"""Logging a contribution: validation by the program's rules, then one write with its audit record."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules.membership import Problem
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


class NotAnAmbassador(Exception):
    """Only current ambassadors may log contributions or see their progress."""


@dataclass
class ContributionRejected(Exception):
    """The draft breaks a rule; `problems` maps each field (type, title, link, date) to its problem."""

    problems: dict[str, Problem] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedContribution:
    contribution_id: int
    type: str
    title: str
    link: str
    occurred_on: date
    counts_toward_term: bool
    standing: MemberStanding


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
    elif problem := membership_rules.date_problem(draft.occurred_on, today):
        problems["date"] = problem
    if problem := membership_rules.title_problem(draft.title):
        problems["title"] = problem
    return canonical or "", problems


# Built once (see `members.STANDING_QUERY`): logging runs it while holding the write lock.
INSERT_CONTRIBUTION = insert(cast(Table, Contribution.__table__)).returning(Contribution.id)


def log_contribution(
    db: Database, slack_user_id: str, draft: ContributionDraft, today: date, now: datetime, required: int
) -> LoggedContribution:
    """Store a contribution for the ambassador `slack_user_id`; nothing is stored when a rule is broken.

    `today` is the member's local date (the date picker and "today" are in their time zone). One unit
    of work of three statements: the member's standing, the contribution, its audit record.
    """
    canonical, problems = validate(draft, today)
    link = draft.link.strip()
    with db.transaction() as session:
        before = member_and_standing(session, slack_user_id, today, required)
        if before is None or not before.is_ambassador:
            raise NotAnAmbassador()
        if problems:
            raise ContributionRejected(problems)
        assert draft.occurred_on is not None
        title = draft.title.strip()
        try:
            contribution_id = session.connection().scalar(
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
                    "reach": draft.reach,
                    "audience": (draft.audience or "").strip() or None,
                    "notes": (draft.notes or "").strip() or None,
                    "source": "slack",
                    "logged_by": slack_user_id,
                    "logged_at": now,
                    "updated_at": now,
                },
            )
        except IntegrityError:
            # A link the member already logged: the unique key (member, link) is the check, so a
            # log costs no lookup first; raising rolls the whole unit of work back.
            raise ContributionRejected({"link": Problem.DUPLICATE_LINK}) from None
        assert contribution_id is not None
        insert_audit(
            session,
            slack_user_id,
            "contribution.logged",
            before.member_id,
            at=now,
            contribution_id=contribution_id,
            type=canonical,
            title=title,
            link=link,
            date=draft.occurred_on.isoformat(),
        )
    # The progress after this one, without counting again: the unit of work held the write lock on
    # SQLite; on PostgreSQL a log racing it for the same member shows in the next read.
    counts = bool(before.term and before.term.rule_term.contains(draft.occurred_on))
    after = before
    if counts and before.progress is not None:
        after = replace(before, progress=replace(before.progress, counted=before.progress.counted + 1))
    return LoggedContribution(
        contribution_id=contribution_id,
        type=canonical,
        title=title,
        link=link,
        occurred_on=draft.occurred_on,
        counts_toward_term=counts,
        standing=after,
    )


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


@dataclass(frozen=True)
class EditedContribution:
    contribution_id: int
    title: str
    changed: tuple[str, ...]  # the fields that changed; empty when the member saved it as it was


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
    }


def own_contribution(db: Database, slack_user_id: str, contribution_id: int) -> OwnContribution:
    """One of `slack_user_id`'s contributions, to fill the edit form; `ContributionNotFound` otherwise."""
    with db.read_only() as session:
        row = session.execute(
            select(
                Contribution.id,
                Contribution.type,
                Contribution.title,
                Contribution.link,
                Contribution.occurred_on,
                Contribution.reach,
                Contribution.notes,
            )
            .join(Member, Member.id == Contribution.member_id)
            .where(Contribution.id == contribution_id, Member.slack_user_id == slack_user_id)
        ).one_or_none()
    if row is None:
        raise ContributionNotFound()
    return OwnContribution(*row)


def edit_contribution(
    db: Database,
    slack_user_id: str,
    contribution_id: int,
    draft: ContributionDraft,
    today: date,
    now: datetime,
) -> EditedContribution:
    """Change one of the member's own contributions, by the same rules as logging; audited old → new.

    Fields the form does not show (audience, source, who logged it) are kept. A date left as it was
    keeps its precision, so an imported "March 2024" stays a month in the public export.
    """
    canonical, problems = validate(draft, today)
    with db.transaction() as session:
        contribution = _own(session, slack_user_id, contribution_id)
        if problems:
            raise ContributionRejected(problems)
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
        contribution.reach = draft.reach
        contribution.notes = (draft.notes or "").strip() or None
        after = _snapshot(contribution)
        changes = {
            name: {"old": before[name], "new": after[name]} for name in before if before[name] != after[name]
        }
        if changes:
            contribution.updated_at = now
            try:
                session.flush()
            except IntegrityError:
                raise ContributionRejected({"link": Problem.DUPLICATE_LINK}) from None
            record_audit(
                session,
                slack_user_id,
                "contribution.edited",
                contribution.member_id,
                at=now,
                contribution_id=contribution.id,
                changes=changes,
            )
        return EditedContribution(contribution.id, contribution.title, tuple(changes))


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
