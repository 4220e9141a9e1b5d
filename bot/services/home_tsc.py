"""The TSC's part of the App Home: applications to decide, ambassadors at risk, emeritus proposals,
the program's figures, and who sees it. Loaded in the Home's transaction, with a fixed number of
statements whatever the program's size (see bot.services.home).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.rules import membership as membership_rules
from bot.rules.review import ReviewSetting
from bot.services import counting
from bot.services import review as review_service
from bot.services.members import with_current_term_counts
from bot.services.membership.proposals import ProposalView, open_proposals
from bot.store.constants import PENDING_APPLICATION
from bot.store.db import Database
from bot.store.models import (
    Application,
    Contribution,
    Member,
    MemberStatus,
    Term,
)

# How much of each list the TSC part shows; the rest is counted and pointed to (Block Kit allows 100
# blocks in a Home tab, and each application row takes two).
PENDING_SHOWN = 10
AT_RISK_SHOWN = 20
PROPOSALS_SHOWN = 10


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


def load_tsc_part(session: Session, today: date, required: int, review: str = ReviewSetting.OFF) -> TscHome:
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
        .where(PENDING_APPLICATION)
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
