"""Benefits' part of the daily `renewals` run: erase shipping details that are due, and find the
approved requests still not fulfilled, for the TSC report.

Erasure: shipping details of a request fulfilled `SHIPPING_RETENTION_DAYS` (90) days ago or more are
set to NULL, each with an audit row (`benefit.shipping_erased`). Overdue fulfilments: approved
`FULFILMENT_OVERDUE_DAYS` (14) days ago or more and not fulfilled; they are listed in the TSC report
on the day they become overdue and every week after, so the report nudges without nagging daily.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.rules import benefits as benefit_rules
from bot.services.benefits.open_requests import OverdueItem, overdue_fulfilments
from bot.services.benefits.shipping import erase_shipping_details
from jobs.runner import JobContext, JobResult

ACTOR = "scheduler"
REMIND_EVERY_DAYS = 7


def erase_due_shipping(ctx: JobContext, now: datetime, dry_run: bool, result: JobResult) -> None:
    if dry_run:
        return
    erased = erase_shipping_details(ctx.db, now=now, actor=ACTOR)
    if erased:
        result.notes.append(f"benefits: erased the shipping details of {len(erased)} fulfilled request(s)")


def overdue(session: Session, now: datetime) -> list[OverdueItem]:
    return overdue_fulfilments(session, now)


def remind_today(items: list[OverdueItem]) -> bool:
    """True on a day one of them became overdue, or a whole week more overdue."""
    return any((item.days - benefit_rules.FULFILMENT_OVERDUE_DAYS) % REMIND_EVERY_DAYS == 0 for item in items)
