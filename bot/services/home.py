"""Everything a person's App Home shows, loaded in one transaction with a fixed number of queries.

The number of statements depends on who is looking (a stranger, an ambassador, a TSC member), never on
how many contributions, members or applications there are: lists are cut in SQL (`LIMIT`) and counted
with aggregates, and per-row facts come from joins or one batched query, never a query per row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules import review as review_rules
from bot.rules.impact import Impact
from bot.rules.review import ReviewSetting, ReviewState
from bot.services import counting
from bot.services import review as review_service
from bot.services.benefits.budget import BudgetSetting
from bot.services.benefits.open_requests import OpenRequests, open_requests_in
from bot.services.contributions import IMPACT_COLUMNS
from bot.services.members import pause_running, with_current_term_counts
from bot.services.membership.proposals import ProposalView, open_proposals
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
# blocks in a Home tab, and each contribution or application row takes two).
CONTRIBUTIONS_SHOWN = 15
EMERITUS_CONTRIBUTIONS_SHOWN = 5
PENDING_SHOWN = 10
AT_RISK_SHOWN = 20
PROPOSALS_SHOWN = 10


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
class PendingApplication:
    """What the TSC needs to decide: the public profile and whether the requirement is met."""

    id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    country: str | None
    submitted_at: datetime | None
    recent_contributions: int  # in the twelve months before today
    meets_requirement: bool


@dataclass(frozen=True)
class AtRiskAmbassador:
    slack_user_id: str | None
    name: str
    progress: membership_rules.Progress

    @property
    def behind_pace(self) -> bool:
        return not self.progress.on_pace


@dataclass(frozen=True)
class ProgramFigures:
    active_ambassadors: int
    renewals_due: int  # current terms ending within 30 days
    renewals_due_met: int  # of those, how many met the requirement
    renewals_requested: int
    this_month_by_type: dict[str, int] = field(default_factory=dict)  # canonical type → count
    this_year_by_type: dict[str, int] = field(default_factory=dict)
    audience_this_month: int = 0  # the audiences the contributions gave, added up
    audience_this_year: int = 0

    @property
    def this_month(self) -> int:
        return sum(self.this_month_by_type.values())

    @property
    def this_year(self) -> int:
        return sum(self.this_year_by_type.values())


@dataclass(frozen=True)
class TscHome:
    pending: list[PendingApplication]
    pending_total: int
    at_risk: list[AtRiskAmbassador]
    at_risk_total: int
    figures: ProgramFigures
    proposals: list[ProposalView] = field(default_factory=list)  # emeritus proposals to decide
    proposals_total: int = 0
    # CONTRIBUTION_REVIEW=tsc: contributions waiting for a TSC member's decision (None: the review is off).
    review_pending: int | None = None


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
        tsc = _tsc(session, today, required, review) if is_tsc else None
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


def _tsc(session: Session, today: date, required: int, review: str = ReviewSetting.OFF) -> TscHome:
    # The first applications and how many there are, in one statement (a window count).
    pending_rows = session.execute(
        select(
            Application.id,
            Application.member_id,
            Application.submitted_at,
            Member.slack_user_id,
            Member.name,
            Member.title,
            Member.company,
            Member.country,
            func.count().over().label("total"),
        )
        .join(Member, Member.id == Application.member_id)
        .where(Application.status == ApplicationStatus.PENDING)
        .order_by(Application.submitted_at, Application.id)
        .limit(PENDING_SHOWN)
    ).all()
    pending_total = pending_rows[0].total if pending_rows else 0
    # The requirement is judged by the program's rule on the applicants' contribution dates in its
    # application window, fetched for all the listed applicants at once.
    window = membership_rules.application_window(today)
    dates: dict[int, list[date]] = {row.member_id: [] for row in pending_rows}
    if dates:
        for member_id, occurred_on in session.execute(
            select(Contribution.member_id, Contribution.occurred_on).where(
                Contribution.member_id.in_(list(dates)),
                Contribution.occurred_on >= window.start,
                Contribution.occurred_on <= window.end,
                counting.counted_by_review(),
            )
        ):
            dates[member_id].append(occurred_on)
    pending = [
        PendingApplication(
            id=row.id,
            slack_user_id=row.slack_user_id,
            name=row.name,
            title=row.title,
            company=row.company,
            country=row.country,
            submitted_at=row.submitted_at,
            recent_contributions=len(dates[row.member_id]),
            meets_requirement=membership_rules.meets_requirement_for_application(
                dates[row.member_id], today, required
            ),
        )
        for row in pending_rows
    ]

    ambassadors = session.execute(
        with_current_term_counts(
            Member.slack_user_id,
            Member.name,
            Term.start_on,
            Term.end_on,
            Term.renewal_requested_at,
            today=today,
        )
    ).all()
    at_risk: list[AtRiskAmbassador] = []
    renewals_due = renewals_due_met = renewals_requested = 0
    for row in ambassadors:
        progress = membership_rules.Progress(
            membership_rules.Term(row.start_on, row.end_on), today, int(row[5]), required
        )
        if membership_rules.at_risk(progress):
            at_risk.append(AtRiskAmbassador(row.slack_user_id, row.name, progress))
        if progress.in_renewal_window:
            renewals_due += 1
            renewals_due_met += progress.met
            renewals_requested += row.renewal_requested_at is not None
    at_risk.sort(key=lambda item: (item.progress.days_left, item.progress.counted, item.name.lower()))

    year_start = date(today.year, 1, 1)
    month_start = today.replace(day=1)
    this_month: Counter[str] = Counter()
    this_year: Counter[str] = Counter()
    audience_month = audience_year = 0
    in_this_month = Contribution.occurred_on >= month_start
    for type_, in_year, in_month, reached_year, reached_month in session.execute(
        select(
            Contribution.type,
            func.count(Contribution.id),
            func.coalesce(func.sum(case((in_this_month, 1), else_=0)), 0),
            func.coalesce(func.sum(Contribution.reach), 0),
            func.coalesce(func.sum(case((in_this_month, Contribution.reach), else_=0)), 0),
        )
        .join(Member, Member.id == Contribution.member_id)
        # Ambassadors' work, current and former; an applicant's record is not the program's yet.
        .where(
            Member.status != MemberStatus.CANDIDATE,
            Contribution.occurred_on >= year_start,
            counting.counts(today),
        )
        .group_by(Contribution.type)
    ):
        canonical = membership_rules.normalize_type(type_) or "other"
        audience_year += int(reached_year or 0)
        audience_month += int(reached_month or 0)
        this_year[canonical] += int(in_year)
        if in_month:
            this_month[canonical] += int(in_month)

    proposals, proposals_total = open_proposals(session, PROPOSALS_SHOWN)
    review_pending = review_service.pending_total(session) if review == ReviewSetting.TSC else None
    return TscHome(
        proposals=proposals,
        proposals_total=proposals_total,
        review_pending=review_pending,
        pending=pending,
        pending_total=int(pending_total),
        at_risk=at_risk[:AT_RISK_SHOWN],
        at_risk_total=len(at_risk),
        figures=ProgramFigures(
            active_ambassadors=len(ambassadors),
            renewals_due=renewals_due,
            renewals_due_met=renewals_due_met,
            renewals_requested=renewals_requested,
            this_month_by_type=dict(this_month),
            this_year_by_type=dict(this_year),
            audience_this_month=audience_month,
            audience_this_year=audience_year,
        ),
    )


def tsc_slack_ids(db: Database, configured: list[str]) -> list[str]:
    """Everyone whose Home has the TSC part: `TSC_USER_IDS` and members flagged `isTscMember`."""
    with db.read_only() as session:
        flagged = session.scalars(
            select(Member.slack_user_id).where(
                Member.is_tsc_member.is_(True), Member.slack_user_id.is_not(None)
            )
        ).all()
    return list(dict.fromkeys([*configured, *(user for user in flagged if user)]))


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
