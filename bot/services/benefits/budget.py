"""The year's benefits budget: what is set aside, and what approved and fulfilled requests commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.rules import benefits as benefit_rules
from bot.settings import Settings
from bot.store.models import BenefitRequest


@dataclass(frozen=True)
class BudgetSetting:
    """BENEFITS_YEARLY_BUDGET (0: not tracked), BENEFITS_CURRENCY and the program's time zone."""

    total: int
    currency: str
    zone: tzinfo

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetSetting:
        return cls(settings.benefits_yearly_budget, settings.benefits_currency, settings.zone)


def budget_in(session: Session, now: datetime, setting: BudgetSetting) -> benefit_rules.Budget:
    """The year's budget: what approved and fulfilled requests decided this year are worth."""
    year = benefit_rules.budget_year(now.astimezone(setting.zone).date())
    start = datetime(year, 1, 1, tzinfo=setting.zone)
    end = datetime(year + 1, 1, 1, tzinfo=setting.zone)
    committed = session.scalar(
        select(func.coalesce(func.sum(BenefitRequest.value), 0)).where(
            BenefitRequest.status.in_(benefit_rules.COMMITTED_STATUSES),
            BenefitRequest.decided_at >= start,
            BenefitRequest.decided_at < end,
        )
    )
    return benefit_rules.Budget(year, setting.total, int(committed or 0))
