"""What contributions reached: a member's term in figures, the verification's figures per term, talks
whose speakers are asked how they went, and what they answer.

Each use case is one transaction; the rules (which fields fit a type, when a talk counts, when its
speaker is asked) are `bot.rules.impact`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.rules import impact as impact_rules
from bot.rules import review as review_rules
from bot.rules.impact import Impact, ImpactFigures, ImpactProblem
from bot.rules.review import ReviewState
from bot.services import counting
from bot.services.contributions import IMPACT_COLUMNS, ContributionNotFound, impact_of
from bot.services.members import record_audit
from bot.store.constants import ACTIVE_TERM
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus, Term


@dataclass(frozen=True)
class UpcomingItem:
    id: int
    type: str
    title: str
    occurred_on: date
    event_name: str | None


@dataclass(frozen=True)
class TermImpact:
    """A member's current term in figures (what counted so far) and the talks still ahead."""

    figures: ImpactFigures
    upcoming: list[UpcomingItem]
    waiting_review: int = 0  # dated inside the term so far, waiting for the TSC (pending or a question)
    not_counted: int = 0  # the TSC said these do not count


def _impact(row: Sequence[object]) -> Impact:
    event_name, city, country, online, language, reach, recording, slides = row
    return Impact(
        event_name=event_name if isinstance(event_name, str) else None,
        city=city if isinstance(city, str) else None,
        country=country if isinstance(country, str) else None,
        online=bool(online),
        language=language if isinstance(language, str) else None,
        reach=reach if isinstance(reach, int) else None,
        recording_link=recording if isinstance(recording, str) else None,
        slides_link=slides if isinstance(slides, str) else None,
    )


def term_impact(db: Database, slack_user_id: str, today: date) -> TermImpact | None:
    """The ambassador's current term: what its counted contributions reached, and the upcoming talks
    (two statements); None without a current term."""
    with db.read_only() as session:
        term = session.execute(
            select(Term.member_id, Term.start_on, Term.end_on)
            .join(Member, Member.id == Term.member_id)
            .where(
                Member.slack_user_id == slack_user_id,
                Member.status == MemberStatus.ACTIVE,
                ACTIVE_TERM,
            )
        ).first()
        if term is None:
            return None
        member_id, start, end = term
        rows = session.execute(
            select(
                Contribution.id,
                Contribution.type,
                Contribution.title,
                Contribution.occurred_on,
                *IMPACT_COLUMNS,
                Contribution.review_state,
            )
            .where(
                Contribution.member_id == member_id,
                Contribution.occurred_on >= start,
                Contribution.occurred_on <= impact_rules.latest_upcoming_date(today),
            )
            .order_by(Contribution.occurred_on, Contribution.id)
        ).all()
    so_far = [row for row in rows if row.occurred_on <= min(end, today)]
    counted = [_impact(row[4:12]) for row in so_far if review_rules.counts(row.review_state)]
    upcoming = [
        UpcomingItem(row.id, row.type, row.title, row.occurred_on, row.event_name)
        for row in rows
        if impact_rules.is_upcoming(row.occurred_on, today)
    ]
    return TermImpact(
        impact_rules.figures(counted),
        upcoming,
        waiting_review=sum(1 for row in so_far if review_rules.is_waiting(row.review_state)),
        not_counted=sum(1 for row in so_far if row.review_state == ReviewState.NOT_COUNTED),
    )


def figures_by_term(session: Session, term_ids: Sequence[int]) -> dict[int, ImpactFigures]:
    """What each term's contributions reached (those dated inside it), in one statement."""
    if not term_ids:
        return {}
    rows = session.execute(
        select(Term.id, *IMPACT_COLUMNS)
        .join(
            Contribution,
            and_(
                Contribution.member_id == Term.member_id,
                Contribution.occurred_on >= Term.start_on,
                Contribution.occurred_on <= Term.end_on,
                counting.counted_by_review(),
            ),
        )
        .where(Term.id.in_(list(term_ids)))
    )
    impacts: dict[int, list[Impact]] = defaultdict(list)
    for row in rows:
        impacts[row[0]].append(_impact(row[1:]))
    return {term_id: impact_rules.figures(items) for term_id, items in impacts.items()}


# --- asking how an upcoming talk went -------------------------------------------------------------


@dataclass(frozen=True)
class Followup:
    """A talk logged ahead whose speaker is asked, now that it is over, what it reached."""

    contribution_id: int
    member_id: int
    slack_user_id: str
    type: str
    title: str
    occurred_on: date
    event_name: str | None


def followup_key(contribution_id: int) -> str:
    return f"talk-followup:{contribution_id}"


def followups_due(session: Session, today: date, zone: ZoneInfo) -> list[Followup]:
    """Talks logged before their day that ended within `FOLLOWUP_WINDOW_DAYS`, without an audience and a
    recording yet, by ambassadors reachable in Slack (one statement over a week of talks).

    `today` and `zone` are the program's: the day a talk was logged is read in that zone.
    """
    rows = session.execute(
        select(
            Contribution.id,
            Contribution.member_id,
            Member.slack_user_id,
            Contribution.type,
            Contribution.title,
            Contribution.occurred_on,
            Contribution.event_name,
            Contribution.logged_at,
            Contribution.reach,
            Contribution.recording_link,
        )
        .join(Member, Member.id == Contribution.member_id)
        .where(
            Member.slack_user_id.is_not(None),
            Member.status == MemberStatus.ACTIVE,
            Contribution.source == "slack",
            Contribution.occurred_on >= today - timedelta(days=impact_rules.FOLLOWUP_WINDOW_DAYS),
            Contribution.occurred_on < today,
        )
        .order_by(Contribution.occurred_on, Contribution.id)
    )
    due = []
    for row in rows:
        has_outcome = row.reach is not None and row.recording_link is not None
        logged_on = row.logged_at.astimezone(zone).date()
        if impact_rules.followup_due(row.type, row.occurred_on, logged_on, today, has_outcome=has_outcome):
            due.append(
                Followup(
                    row.id,
                    row.member_id,
                    str(row.slack_user_id),
                    row.type,
                    row.title,
                    row.occurred_on,
                    row.event_name,
                )
            )
    return due


@dataclass(frozen=True)
class Outcome:
    """What a talk reached, as its speaker tells after it: the audience, the recording, the slides."""

    reach: int | None
    recording_link: str | None
    slides_link: str | None


@dataclass(frozen=True)
class OwnTalk:
    id: int
    type: str
    title: str
    occurred_on: date
    impact: Impact


@dataclass(frozen=True)
class OutcomeSaved:
    title: str
    changed: tuple[str, ...]  # the columns that changed; empty when saved as it was


class OutcomeRejected(Exception):
    def __init__(self, problems: dict[str, ImpactProblem]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def _own(session: Session, slack_user_id: str, contribution_id: int, *, lock: bool) -> Contribution:
    query = (
        select(Contribution)
        .join(Member, Member.id == Contribution.member_id)
        .where(Contribution.id == contribution_id, Member.slack_user_id == slack_user_id)
    )
    contribution = session.scalar(query.with_for_update(of=Contribution) if lock else query)
    if contribution is None:
        raise ContributionNotFound()
    return contribution


def own_talk(db: Database, slack_user_id: str, contribution_id: int) -> OwnTalk:
    """One of the member's own contributions, to fill the "how did it go" form."""
    with db.read_only() as session:
        contribution = _own(session, slack_user_id, contribution_id, lock=False)
        return OwnTalk(
            contribution.id,
            contribution.type,
            contribution.title,
            contribution.occurred_on,
            impact_of(contribution),
        )


def record_outcome(
    db: Database, slack_user_id: str, contribution_id: int, outcome: Outcome, *, now: datetime
) -> OutcomeSaved:
    """Store what the member's talk reached; audited as an edit (old → new)."""
    given = Impact(
        reach=outcome.reach, recording_link=outcome.recording_link, slides_link=outcome.slides_link
    ).cleaned()
    problems = given.problems()
    if problems:
        raise OutcomeRejected(problems)
    with db.transaction() as session:
        contribution = _own(session, slack_user_id, contribution_id, lock=True)
        changes = {}
        for column in ("reach", "recording_link", "slides_link"):
            old, new = getattr(contribution, column), getattr(given, column)
            if old != new:
                changes[column] = {"old": old, "new": new}
                setattr(contribution, column, new)
        if changes:
            contribution.updated_at = now
            record_audit(
                session,
                slack_user_id,
                "contribution.edited",
                contribution.member_id,
                at=now,
                contribution_id=contribution.id,
                changes=changes,
            )
        return OutcomeSaved(contribution.title, tuple(changes))
