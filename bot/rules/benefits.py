"""The program's rules for benefits (swag packs, event swag, conference tickets), as plain functions.

Nothing here knows about Slack or the database: who may ask, what is left of a limit this term, what
is left of the yearly budget, when shipping details are erased, when a fulfilment is overdue, and
what a request form must hold. Text shown to people lives in the `bot.blocks.benefits` package; this module
returns codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.rules import membership as membership_rules

# Shipping details are kept this long after a request is fulfilled (a parcel lost in the post can
# still be resent), then erased.
SHIPPING_RETENTION_DAYS = 90
# An approved request not fulfilled after this long is listed in the TSC's report.
FULFILMENT_OVERDUE_DAYS = 14
# How far around today an event may be dated: recent events (swag sent afterwards) to next years'.
EVENT_PAST_DAYS = 90
EVENT_FUTURE_DAYS = 2 * 366
MAX_PARTICIPANTS = 100_000
MAX_VALUE = 1_000_000

LIMITS = {
    "event_name": 200,
    "event_link": membership_rules.LINK_MAX_LENGTH,
    "ship_name": 200,
    "ship_address": 500,
    "ship_country": 100,
    "ship_phone": 50,
    "note": 1000,
    "fulfilment_note": 1000,
    "name": 100,
    "description": 500,
}


class BenefitKind(StrEnum):
    SWAG_PACK = "swag_pack"
    EVENT_SWAG = "event_swag"
    CONFERENCE_TICKET = "conference_ticket"
    OTHER = "other"


class RequestStatus(StrEnum):
    PENDING = "pending"  # waiting for the TSC
    APPROVED = "approved"  # waiting for fulfilment
    DECLINED = "declined"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"  # withdrawn by the member before a decision


# Requests that use up a limit and (approved or fulfilled) the budget.
COUNTED_STATUSES = (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.FULFILLED)
COMMITTED_STATUSES = (RequestStatus.APPROVED, RequestStatus.FULFILLED)
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.APPROVED)


@dataclass(frozen=True)
class BenefitSpec:
    """What a benefit on offer asks for; `limit_per_term` None means no limit."""

    kind: str
    value: int
    needs_shipping: bool
    needs_event: bool
    limit_per_term: int | None

    @property
    def needs_participants(self) -> bool:
        return self.kind == BenefitKind.EVENT_SWAG


@dataclass(frozen=True)
class DefaultBenefit:
    key: str
    name: str
    description: str
    spec: BenefitSpec


# The program's benefits (AMBASSADOR_PROGRAM.md, "Ambassador benefits"); the TSC changes them with
# `/ambassador admin benefits`. Values are approximate and include shipping.
DEFAULT_CATALOGUE = (
    DefaultBenefit(
        "swag-pack",
        "Ambassador swag pack",
        "The special swag pack for ambassadors, shipped to you.",
        BenefitSpec(BenefitKind.SWAG_PACK, 150, needs_shipping=True, needs_event=False, limit_per_term=1),
    ),
    DefaultBenefit(
        "event-swag",
        "Swag for your event",
        "Swag for the participants of a conference talk or workshop you run.",
        BenefitSpec(BenefitKind.EVENT_SWAG, 70, needs_shipping=True, needs_event=True, limit_per_term=None),
    ),
    DefaultBenefit(
        "conference-ticket",
        "Conference ticket",
        "Free entry to an AsyncAPI conference.",
        BenefitSpec(
            BenefitKind.CONFERENCE_TICKET, 0, needs_shipping=False, needs_event=True, limit_per_term=None
        ),
    ),
)

# What a new benefit of each kind asks for, unless the TSC says otherwise.
KIND_DEFAULTS: dict[str, tuple[bool, bool, int | None]] = {
    BenefitKind.SWAG_PACK: (True, False, 1),
    BenefitKind.EVENT_SWAG: (True, True, None),
    BenefitKind.CONFERENCE_TICKET: (False, True, None),
    BenefitKind.OTHER: (False, False, None),
}

BENEFIT_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def normalize_kind(raw: str) -> str | None:
    key = "_".join(raw.strip().lower().replace("-", " ").split())
    aliases = {
        "swag": BenefitKind.SWAG_PACK,
        "pack": BenefitKind.SWAG_PACK,
        "ticket": BenefitKind.CONFERENCE_TICKET,
    }
    if key in {kind.value for kind in BenefitKind}:
        return key
    return aliases.get(key)


def is_benefit_key(text: str) -> bool:
    return bool(BENEFIT_KEY.match(text))


# --- who may ask, and how much is left --------------------------------------------------------


class RequestRefusal(StrEnum):
    NOT_AMBASSADOR = "not_ambassador"  # only active ambassadors request benefits
    NOT_OFFERED = "not_offered"  # disabled, or no such benefit
    LIMIT_REACHED = "limit_reached"  # the per-term limit is used up


def left_this_term(spec: BenefitSpec, used_this_term: int) -> int | None:
    """How many more of this benefit the member may ask for this term (None: no limit)."""
    if spec.limit_per_term is None:
        return None
    return max(0, spec.limit_per_term - used_this_term)


def request_refusal(
    is_ambassador: bool, offered: bool, spec: BenefitSpec | None, used_this_term: int
) -> RequestRefusal | None:
    """Why a member may not request this benefit now, or None.

    `used_this_term` counts their requests in the current term that are pending, approved or
    fulfilled (declined and cancelled ones give the allowance back).
    """
    if not is_ambassador:
        return RequestRefusal.NOT_AMBASSADOR
    if not offered or spec is None:
        return RequestRefusal.NOT_OFFERED
    if left_this_term(spec, used_this_term) == 0:
        return RequestRefusal.LIMIT_REACHED
    return None


@dataclass(frozen=True)
class Budget:
    """The yearly benefits budget: `committed` is what approved and fulfilled requests of the year
    are worth. A request over budget may still be approved: the TSC sees the figures and decides."""

    year: int
    total: int  # 0: no budget set
    committed: int

    @property
    def tracked(self) -> bool:
        return self.total > 0

    @property
    def left(self) -> int:
        return self.total - self.committed

    def left_after(self, value: int) -> int:
        return self.left - value

    def exceeded_by(self, value: int) -> bool:
        return self.tracked and self.left_after(value) < 0


def budget_year(day: date) -> int:
    """Budgets are per calendar year (in the program's time zone): the year a request is decided."""
    return day.year


# --- personal data and follow-up --------------------------------------------------------------


def shipping_erasure_due(fulfilled_at: datetime) -> datetime:
    return fulfilled_at + timedelta(days=SHIPPING_RETENTION_DAYS)


def shipping_erasure_is_due(fulfilled_at: datetime | None, now: datetime) -> bool:
    return fulfilled_at is not None and now >= shipping_erasure_due(fulfilled_at)


def fulfilment_overdue(approved_at: datetime | None, now: datetime) -> bool:
    """Approved, not fulfilled, for FULFILMENT_OVERDUE_DAYS or more."""
    return approved_at is not None and now - approved_at >= timedelta(days=FULFILMENT_OVERDUE_DAYS)


def days_waiting(since: datetime, now: datetime) -> int:
    return max(0, (now - since).days)


# --- the request form -------------------------------------------------------------------------


class FieldProblem(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_LINK = "bad_link"
    BAD_DATE = "bad_date"
    DATE_TOO_OLD = "date_too_old"
    DATE_TOO_FAR = "date_too_far"
    BAD_NUMBER = "bad_number"


@dataclass(frozen=True)
class RequestForm:
    """The request form's values as typed (None or "" when left empty)."""

    benefit_id: str | None = None
    event_name: str | None = None
    event_date: str | None = None
    event_link: str | None = None
    participants: str | None = None
    ship_name: str | None = None
    ship_address: str | None = None
    ship_country: str | None = None
    ship_phone: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Shipping:
    name: str
    address: str
    country: str
    phone: str | None


@dataclass(frozen=True)
class RequestDraft:
    """A valid request: only the fields its benefit asks for are kept."""

    benefit_id: int
    event_name: str | None
    event_date: date | None
    event_link: str | None
    participants: int | None
    shipping: Shipping | None
    note: str | None


def _clean(value: str | None) -> str:
    return (value or "").strip()


def validate_request(
    form: RequestForm, spec: BenefitSpec | None, benefit_id: int | None, today: date
) -> tuple[RequestDraft | None, dict[str, FieldProblem]]:
    """The draft, or one problem per field (keyed by the form's block ids)."""
    problems: dict[str, FieldProblem] = {}
    if spec is None or benefit_id is None:
        return None, {"benefit": FieldProblem.REQUIRED}
    values = {name: _clean(getattr(form, name)) for name in LIMITS if hasattr(form, name)}
    wanted = ["note"]
    if spec.needs_event:
        wanted += ["event_name", "event_link"]
    if spec.needs_shipping:
        wanted += ["ship_name", "ship_address", "ship_country", "ship_phone"]
    optional = {"note", "ship_phone"}
    for name in wanted:
        if not values[name] and name not in optional:
            problems[name] = FieldProblem.REQUIRED
        elif len(values[name]) > LIMITS[name]:
            problems[name] = FieldProblem.TOO_LONG
    if (
        spec.needs_event
        and "event_link" not in problems
        and not membership_rules.is_http_link(values["event_link"])
    ):
        problems["event_link"] = FieldProblem.BAD_LINK
    event_date = None
    if spec.needs_event:
        raw = _clean(form.event_date)
        if not raw:
            problems["event_date"] = FieldProblem.REQUIRED
        else:
            try:
                event_date = date.fromisoformat(raw)
            except ValueError:
                problems["event_date"] = FieldProblem.BAD_DATE
            else:
                if event_date < today - timedelta(days=EVENT_PAST_DAYS):
                    problems["event_date"] = FieldProblem.DATE_TOO_OLD
                elif event_date > today + timedelta(days=EVENT_FUTURE_DAYS):
                    problems["event_date"] = FieldProblem.DATE_TOO_FAR
    participants = None
    if spec.needs_participants:
        raw = _clean(form.participants)
        if not raw:
            problems["participants"] = FieldProblem.REQUIRED
        elif not raw.isdigit() or not 1 <= int(raw) <= MAX_PARTICIPANTS:
            problems["participants"] = FieldProblem.BAD_NUMBER
        else:
            participants = int(raw)
    if problems:
        return None, problems
    shipping = (
        Shipping(
            values["ship_name"], values["ship_address"], values["ship_country"], values["ship_phone"] or None
        )
        if spec.needs_shipping
        else None
    )
    return (
        RequestDraft(
            benefit_id=benefit_id,
            event_name=values["event_name"] if spec.needs_event else None,
            event_date=event_date,
            event_link=values["event_link"] if spec.needs_event else None,
            participants=participants,
            shipping=shipping,
            note=values["note"] or None,
        ),
        {},
    )


# --- the TSC's catalogue commands -------------------------------------------------------------


class CatalogueField(StrEnum):
    NAME = "name"
    VALUE = "value"
    LIMIT = "limit"
    SHIPPING = "shipping"
    EVENT = "event"
    DESCRIPTION = "description"
    KIND = "kind"


YES = {"yes", "y", "true", "on", "1"}
NO = {"no", "n", "false", "off", "0"}
NO_LIMIT = {"none", "no", "unlimited", "-", "off"}


def parse_field_value(field: CatalogueField, raw: str) -> object:
    """The typed value for `admin benefits set KEY FIELD VALUE`; ValueError when it does not fit."""
    text = raw.strip()
    if field in (CatalogueField.NAME, CatalogueField.DESCRIPTION):
        if not text or len(text) > LIMITS[field.value]:
            raise ValueError(field)
        return text
    if field is CatalogueField.VALUE:
        if not text.isdigit() or int(text) > MAX_VALUE:
            raise ValueError(field)
        return int(text)
    if field is CatalogueField.LIMIT:
        if text.lower() in NO_LIMIT:
            return None
        if not text.isdigit() or not 1 <= int(text) <= 100:
            raise ValueError(field)
        return int(text)
    if field is CatalogueField.KIND:
        kind = normalize_kind(text)
        if kind is None:
            raise ValueError(field)
        return kind
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise ValueError(field)
