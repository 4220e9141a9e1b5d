"""Everything a person's App Home shows, loaded in one transaction with a fixed number of queries.

The number of statements depends on who is looking (a stranger, an ambassador, a TSC member), never on
how many contributions, members or applications there are: lists are cut in SQL (`LIMIT`) and counted
with aggregates, and per-row facts come from joins or one batched query, never a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.impact import Impact
from bot.rules.review import ReviewSetting, ReviewState
from bot.services import counting
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.open_requests import OpenRequests, open_requests_in
from bot.services.contributions import IMPACT_COLUMNS
from bot.services.home_tsc import TscHome, load_tsc_part
from bot.services.members import pause_running
from bot.services.pauses import PauseView, pause_view
from bot.store.db import Database
from bot.store.models import (
    Application,
    ApplicationStatus,
    Contribution,
    Member,
    MemberStatus,
    Pause,
    Term,
    TermStatus,
)

# How much of each list the Home shows; the rest is counted and pointed to (Block Kit allows 100
# blocks in a Home tab, and each contribution row takes two).
CONTRIBUTIONS_SHOWN = 15
EMERITUS_CONTRIBUTIONS_SHOWN = 5


@dataclass(frozen=True)
class ContributionItem:
    id: int
    type: str
    title: str
    link: str
    occurred_on: date
    date_precision: str
    counts_toward_term: bool
    impact: Impact = field(default_factory=Impact)
    upcoming: bool = False  # dated after today: shown, not counted yet
    review_state: str = ReviewState.NONE  # the TSC's review (bot.rules.review), shown to the member
    review_note: str | None = None  # the TSC's question, or why it does not count


@dataclass(frozen=True)
class TermItem:
    id: int
    start: date
    end: date
    status: str
    renewal_requested: bool


@dataclass(frozen=True)
class ApplicationItem:
    """The person's latest application, as they may see it (their own)."""

    id: int
    status: str
    nominated_by: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_reason: str | None


@dataclass(frozen=True)
class PersonalHome:
    """The viewer's own record. Only their own data: nobody else's appears here."""

    member_id: int
    name: str
    status: str
    current_term: TermItem | None
    progress: membership_rules.Progress | None
    terms: list[TermItem]
    # This term's contributions and upcoming talks (all of the member's for someone without a term),
    # latest date first, cut.
    contributions: list[ContributionItem]
    contributions_listed_total: int  # how many the list above would hold uncut
    contributions_total: int  # every contribution on record
    earlier_contributions: int  # dated before the current term (the history beyond this term)
    application: ApplicationItem | None
    snoozed_until: datetime | None
    pause: PauseView | None = None  # the pause running today
    # An emeritus member: since when, why (a rules.emeritus.EmeritusReason) and the note.
    status_changed_at: datetime | None = None
    emeritus_reason: str | None = None
    status_reason: str | None = None
    audience_this_term: int = 0  # the audiences of this term's counted contributions, added up
    waiting_review: int = 0  # this term's contributions so far still waiting for the TSC's review

    @property
    def is_ambassador(self) -> bool:
        return self.status == MemberStatus.ACTIVE and self.current_term is not None

    @property
    def can_renew(self) -> bool:
        return bool(
            self.progress is not None
            and self.current_term is not None
            and not self.current_term.renewal_requested
            and membership_rules.can_renew(self.progress)
        )

    @property
    def open_application(self) -> ApplicationItem | None:
        if self.application and self.application.status in (
            ApplicationStatus.NOMINATED,
            ApplicationStatus.PENDING,
        ):
            return self.application
        return None

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now


@dataclass(frozen=True)
class Home:
    slack_user_id: str
    today: date  # in the viewer's time zone
    now: datetime
    required: int
    personal: PersonalHome | None  # None: the bot has no record of this person
    tsc: TscHome | None  # only for TSC members
    benefits: OpenRequests | None = None  # only for TSC members: benefit requests to decide or fulfil


def load_home(
    db: Database,
    slack_user_id: str,
    today: date,
    now: datetime,
    required: int,
    *,
    is_tsc: bool | None,
    benefits_setting: BudgetSetting | None = None,
    review: str = ReviewSetting.OFF,
) -> Home:
    """What `slack_user_id`'s App Home shows; `today` is their local date.

    `is_tsc`: whether they see the TSC part; None decides from their record (`isTscMember`), read in
    the same transaction, for someone not in `TSC_USER_IDS`. `review` (CONTRIBUTION_REVIEW): with
    `tsc`, the TSC part says how many contributions wait for their review.
    """
    with db.read_only() as session:
        # The member and the pause they are on, in one statement.
        row = session.execute(
            select(Member, Pause)
            .outerjoin(Pause, and_(Pause.member_id == Member.id, pause_running(today)))
            .where(Member.slack_user_id == slack_user_id)
        ).first()
        member, pause = (row[0], row[1]) if row else (None, None)
        if is_tsc is None:
            is_tsc = bool(member and member.is_tsc_member)
        personal = _personal(session, member, pause, today, required) if member else None
        tsc = load_tsc_part(session, today, required, review) if is_tsc else None
        benefits = open_requests_in(session, now, benefits_setting) if is_tsc and benefits_setting else None
    return Home(slack_user_id, today, now, required, personal, tsc, benefits)


def _personal(
    session: Session, member: Member, pause: Pause | None, today: date, required: int
) -> PersonalHome:
    terms = [
        TermItem(term.id, term.start_on, term.end_on, term.status, term.renewal_requested_at is not None)
        for term in session.scalars(
            select(Term).where(Term.member_id == member.id).order_by(Term.start_on, Term.id)
        )
    ]
    current = None
    if member.status == MemberStatus.ACTIVE:
        current = next((term for term in terms if term.status == TermStatus.ACTIVE), None)

    mine = Contribution.member_id == member.id
    if current is not None:
        in_term = and_(Contribution.occurred_on >= current.start, Contribution.occurred_on <= current.end)
        counting_now = and_(in_term, counting.counts(today))
        this_term_or_ahead = or_(in_term, Contribution.occurred_on > today)
        before_term = Contribution.occurred_on < current.start
        waiting_now = and_(in_term, counting.waiting(today))
        total, counted, listed_count, earlier, audience, waiting = session.execute(
            select(
                func.count(Contribution.id),
                func.coalesce(func.sum(case((counting_now, 1), else_=0)), 0),
                func.coalesce(func.sum(case((this_term_or_ahead, 1), else_=0)), 0),
                func.coalesce(func.sum(case((before_term, 1), else_=0)), 0),
                func.coalesce(func.sum(case((counting_now, Contribution.reach), else_=0)), 0),
                func.coalesce(func.sum(case((waiting_now, 1), else_=0)), 0),
            ).where(mine)
        ).one()
        listed = and_(mine, this_term_or_ahead)
        listed_total = int(listed_count)
        shown = CONTRIBUTIONS_SHOWN
    else:
        total = session.scalar(select(func.count(Contribution.id)).where(mine)) or 0
        counted, earlier, audience, waiting = 0, total, 0, 0
        listed, listed_total = mine, int(total)
        shown = EMERITUS_CONTRIBUTIONS_SHOWN

    rule_term = membership_rules.Term(current.start, current.end) if current else None
    contributions = contribution_items(session, listed, rule_term, today, limit=shown)

    latest = session.scalar(
        select(Application)
        .where(Application.member_id == member.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(1)
    )
    application = (
        ApplicationItem(
            latest.id,
            latest.status,
            latest.nominated_by,
            latest.submitted_at,
            latest.decided_at,
            latest.decision_reason,
        )
        if latest
        else None
    )
    return PersonalHome(
        member_id=member.id,
        name=member.name,
        status=member.status,
        current_term=current,
        progress=membership_rules.Progress(rule_term, today, int(counted), required) if rule_term else None,
        terms=terms,
        contributions=contributions,
        contributions_listed_total=listed_total,
        contributions_total=int(total),
        earlier_contributions=int(earlier),
        application=application,
        snoozed_until=member.snoozed_until,
        pause=pause_view(pause, member, current.end if current else None) if pause and current else None,
        status_changed_at=member.status_changed_at,
        emeritus_reason=member.emeritus_reason,
        status_reason=member.status_reason,
        audience_this_term=int(audience or 0),
        waiting_review=int(waiting or 0),
    )


@dataclass(frozen=True)
class History:
    """Every contribution a member has on record, newest first, and their terms (their own data)."""

    name: str
    terms: list[TermItem]
    contributions: list[ContributionItem]


def history(db: Database, slack_user_id: str, today: date) -> History | None:
    """`slack_user_id`'s whole record, or None when the bot does not know them (two queries)."""
    with db.read_only() as session:
        member = session.scalar(select(Member).where(Member.slack_user_id == slack_user_id))
        if member is None:
            return None
        terms = [
            TermItem(term.id, term.start_on, term.end_on, term.status, term.renewal_requested_at is not None)
            for term in session.scalars(
                select(Term).where(Term.member_id == member.id).order_by(Term.start_on, Term.id)
            )
        ]
        current = next(
            (
                membership_rules.Term(term.start, term.end)
                for term in terms
                if term.status == TermStatus.ACTIVE and member.status == MemberStatus.ACTIVE
            ),
            None,
        )
        contributions = contribution_items(session, Contribution.member_id == member.id, current, today)
        return History(member.name, terms, contributions)


def contribution_items(
    session: Session,
    which: ColumnElement[bool],
    current: membership_rules.Term | None,
    today: date,
    limit: int | None = None,
) -> list[ContributionItem]:
    """Contributions matching `which`, latest date first, each marked if it counts toward `current`
    (dated inside it, and not after `today`) or is still upcoming."""
    query = (
        select(
            Contribution.id,
            Contribution.type,
            Contribution.title,
            Contribution.link,
            Contribution.occurred_on,
            Contribution.date_precision,
            *IMPACT_COLUMNS,
            Contribution.review_state,
            Contribution.review_note,
        )
        .where(which)
        .order_by(Contribution.occurred_on.desc(), Contribution.id.desc())
        .limit(limit)
    )
    return [
        ContributionItem(
            row.id,
            row.type,
            row.title,
            row.link,
            row.occurred_on,
            row.date_precision,
            bool(current and current.contains(row.occurred_on))
            and row.occurred_on <= today
            and review_rules.counts(row.review_state),
            Impact(
                event_name=row.event_name,
                city=row.city,
                country=row.country,
                online=bool(row.online),
                language=row.language,
                reach=row.reach,
                recording_link=row.recording_link,
                slides_link=row.slides_link,
            ),
            row.occurred_on > today,
            row.review_state,
            row.review_note,
        )
        for row in session.execute(query)
    ]
