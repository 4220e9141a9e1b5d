"""Benefit texts: the budget line, refusals, and the overdue lines added to the TSC report."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.blocks import renewals as renewals_blocks
from bot.blocks.benefits import admin as benefit_admin_blocks
from bot.blocks.benefits import review as benefit_review_blocks
from bot.rules import membership as membership_rules
from bot.rules.benefits import Budget
from bot.services.benefits.open_requests import OverdueItem

LATE = OverdueItem(
    7, "U0MEMBER", "Jane <Doe>", "Ambassador swag pack", "U0TSC", datetime(2026, 3, 1, tzinfo=UTC), 21
)


def test_budget_lines() -> None:
    assert benefit_review_blocks.budget_text(Budget(2026, 2000, 450), "USD", 150) == (
        "*Budget 2026*: 2,000 USD · approved 450 USD · left 1,550 USD · after this request 1,400 USD."
    )
    assert benefit_review_blocks.budget_text(Budget(2026, 500, 450), "EUR", 150).endswith(
        "-100 EUR :warning: over budget."
    )
    assert "none set (`BENEFITS_YEARLY_BUDGET`)" in benefit_review_blocks.budget_text(
        Budget(2026, 0, 70), "USD", 150
    )


def test_refusals_say_who_can_decide() -> None:
    assert (
        benefit_review_blocks.refusal_text(membership_rules.DecisionRefusal.NOT_TSC, 3)
        == benefit_review_blocks.NOT_TSC
    )
    alone = benefit_review_blocks.refusal_text(membership_rules.DecisionRefusal.OWN_REQUEST, 1)
    assert "another TSC member decides it" in alone and "only TSC member" in alone
    assert "only TSC member" not in benefit_review_blocks.refusal_text(
        membership_rules.DecisionRefusal.OWN_REQUEST, 2
    )


def test_overdue_lines_join_the_verification_report() -> None:
    report = renewals_blocks.verification_report_message(
        date(2026, 3, 22), [], [], [], lambda item: date(2026, 4, 1)
    )
    joined = benefit_admin_blocks.with_overdue(report, [LATE])
    assert joined["blocks"][:-1] == report["blocks"]
    last = joined["blocks"][-1]["text"]["text"]
    assert "*Benefits approved but not fulfilled for 14+ days* (1)" in last
    assert (
        "*Jane &lt;Doe&gt;* (<@U0MEMBER>): Ambassador swag pack (#7), approved by <@U0TSC> 21 days ago"
        in last
    )
    assert joined["text"].endswith("1 benefit request(s) waiting for fulfilment.")
    assert benefit_admin_blocks.with_overdue(report, []) == report
