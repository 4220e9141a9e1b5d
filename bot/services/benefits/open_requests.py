"""The TSC's lists: requests waiting for a decision or for fulfilment (the TSC's Home, `/ambassador
admin benefits`), and approved requests left unfulfilled too long (the TSC report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.rules import benefits as benefit_rules
from bot.rules.benefits import RequestStatus
from bot.services.benefits.budget import BudgetSetting, budget_in
from bot.store.db import Database
from bot.store.models import Benefit, BenefitRequest, Member

OPEN_SHOWN = 8


@dataclass(frozen=True)
class OpenItem:
    id: int
    status: str
    slack_user_id: str | None
    member_name: str
    benefit_name: str
    value: int
    requested_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class OpenRequests:
    """Requests waiting for the TSC (pending) and for fulfilment (approved), oldest first, cut."""

    items: list[OpenItem]
    pending_total: int
    approved_total: int
    budget: benefit_rules.Budget
    currency: str


def open_requests_in(
    session: Session, now: datetime, setting: BudgetSetting, limit: int = OPEN_SHOWN
) -> OpenRequests:
    """Two queries whatever the number of requests: the rows (cut in SQL, with the totals per status)
    and the budget. At most `limit` of each status are fetched; pending ones are shown first."""
    ranked = (
        select(
            BenefitRequest.id,
            BenefitRequest.status,
            Member.slack_user_id,
            Member.name.label("member_name"),
            Benefit.name.label("benefit_name"),
            BenefitRequest.value,
            BenefitRequest.requested_at,
            BenefitRequest.decided_at,
            func.count(BenefitRequest.id).over(partition_by=BenefitRequest.status).label("total"),
            func.row_number()
            .over(
                partition_by=BenefitRequest.status, order_by=(BenefitRequest.requested_at, BenefitRequest.id)
            )
            .label("rank"),
        )
        .join(Member, Member.id == BenefitRequest.member_id)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .where(BenefitRequest.status.in_(benefit_rules.OPEN_STATUSES))
        .subquery()
    )
    rows = session.execute(
        select(*[column for column in ranked.c if column.name != "rank"])
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.status.desc(), ranked.c.requested_at, ranked.c.id)
    ).all()
    totals = {row[1]: int(row[8]) for row in rows}
    pending = [row for row in rows if row[1] == RequestStatus.PENDING][:limit]
    approved = [row for row in rows if row[1] == RequestStatus.APPROVED][: max(0, limit - len(pending))]
    items = [OpenItem(*row[:8]) for row in [*pending, *approved]]
    return OpenRequests(
        items,
        totals.get(RequestStatus.PENDING, 0),
        totals.get(RequestStatus.APPROVED, 0),
        budget_in(session, now, setting),
        setting.currency,
    )


def open_requests(
    db: Database, now: datetime, setting: BudgetSetting, limit: int = OPEN_SHOWN
) -> OpenRequests:
    with db.transaction() as session:
        return open_requests_in(session, now, setting, limit)


@dataclass(frozen=True)
class OverdueItem:
    id: int
    slack_user_id: str | None
    member_name: str
    benefit_name: str
    decided_by: str | None
    decided_at: datetime
    days: int


def overdue_fulfilments(session: Session, now: datetime) -> list[OverdueItem]:
    """Approved requests not fulfilled for FULFILMENT_OVERDUE_DAYS or more, oldest first."""
    rows = session.execute(
        select(
            BenefitRequest.id,
            Member.slack_user_id,
            Member.name,
            Benefit.name,
            BenefitRequest.decided_by,
            BenefitRequest.decided_at,
        )
        .join(Member, Member.id == BenefitRequest.member_id)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .where(BenefitRequest.status == RequestStatus.APPROVED)
        .order_by(BenefitRequest.decided_at, BenefitRequest.id)
    ).all()
    return [
        OverdueItem(row[0], row[1], row[2], row[3], row[4], row[5], benefit_rules.days_waiting(row[5], now))
        for row in rows
        if row[5] is not None and benefit_rules.fulfilment_overdue(row[5], now)
    ]
