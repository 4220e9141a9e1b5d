"""The treasurer's export: every request in a period, with member, benefit, value, status and dates;
never shipping details or notes."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import Benefit, BenefitRequest, Member

EXPORT_FIELDS = (
    "id",
    "member",
    "slack_user_id",
    "github",
    "benefit",
    "kind",
    "value",
    "currency",
    "status",
    "requested_at",
    "decided_at",
    "decided_by",
    "fulfilled_at",
    "event_name",
    "event_date",
    "participants",
)


def export_requests(
    db: Database,
    currency: str,
    since: date | None = None,
    until: date | None = None,
    zone: tzinfo | None = None,
) -> list[dict[str, Any]]:
    """Every request made between `since` and `until` (both included, in `zone`), oldest first.

    For the treasurer: member, benefit, value, status and dates; never shipping details or notes.
    """
    query = (
        select(BenefitRequest, Member, Benefit)
        .join(Member, Member.id == BenefitRequest.member_id)
        .join(Benefit, Benefit.id == BenefitRequest.benefit_id)
        .order_by(BenefitRequest.requested_at, BenefitRequest.id)
    )
    if since is not None:
        query = query.where(
            BenefitRequest.requested_at >= datetime(since.year, since.month, since.day, tzinfo=zone)
        )
    if until is not None:
        after = date.fromordinal(until.toordinal() + 1)
        query = query.where(
            BenefitRequest.requested_at < datetime(after.year, after.month, after.day, tzinfo=zone)
        )

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    with db.transaction() as session:
        return [
            {
                "id": request.id,
                "member": member.name,
                "slack_user_id": member.slack_user_id,
                "github": member.github,
                "benefit": benefit.key,
                "kind": benefit.kind,
                "value": request.value,
                "currency": currency,
                "status": request.status,
                "requested_at": when(request.requested_at),
                "decided_at": when(request.decided_at),
                "decided_by": request.decided_by,
                "fulfilled_at": when(request.fulfilled_at),
                "event_name": request.event_name,
                "event_date": request.event_date.isoformat() if request.event_date else None,
                "participants": request.participants,
            }
            for request, member, benefit in session.execute(query)
        ]
