"""What every benefits message shares: the kinds' and states' names, money, the privacy notes."""

from __future__ import annotations

from bot.rules import benefits as benefit_rules
from bot.rules.benefits import RequestStatus

KIND_LABELS = {
    benefit_rules.BenefitKind.SWAG_PACK: "Swag pack",
    benefit_rules.BenefitKind.EVENT_SWAG: "Event swag",
    benefit_rules.BenefitKind.CONFERENCE_TICKET: "Conference ticket",
    benefit_rules.BenefitKind.OTHER: "Other",
}
STATUS_TEXT = {
    RequestStatus.PENDING: ":hourglass_flowing_sand: waiting for the TSC",
    RequestStatus.APPROVED: ":white_check_mark: approved, on its way soon",
    RequestStatus.DECLINED: ":heavy_minus_sign: not approved",
    RequestStatus.FULFILLED: ":package: fulfilled",
    RequestStatus.CANCELLED: ":wastebasket: cancelled",
}
PRIVACY_NOTE = (
    ":lock: Only you and the TSC see your shipping details. They are erased "
    f"{benefit_rules.SHIPPING_RETENTION_DAYS} days after your request is fulfilled (at once if it is declined or cancelled)."
)
NOTE_HINT = "The TSC reads this in its review channel: please keep addresses and phone numbers out of it."


def money(value: int, currency: str) -> str:
    return f"{value:,} {currency}"


def value_text(value: int, currency: str) -> str:
    return "free" if value == 0 else f"about {money(value, currency)}"
