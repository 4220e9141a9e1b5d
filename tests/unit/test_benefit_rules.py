"""The benefit rules as plain functions: who may ask, limits, the budget, the form, erasure dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.rules import benefits as benefit_rules
from bot.rules.benefits import (
    BenefitKind,
    BenefitSpec,
    CatalogueField,
    FieldProblem,
    RequestForm,
    RequestRefusal,
)

SWAG = BenefitSpec(BenefitKind.SWAG_PACK, 150, needs_shipping=True, needs_event=False, limit_per_term=1)
EVENT_SWAG = BenefitSpec(
    BenefitKind.EVENT_SWAG, 70, needs_shipping=True, needs_event=True, limit_per_term=None
)
TICKET = BenefitSpec(
    BenefitKind.CONFERENCE_TICKET, 0, needs_shipping=False, needs_event=True, limit_per_term=None
)
TODAY = date(2026, 3, 15)


def test_the_defaults_match_the_program() -> None:
    by_key = {item.key: item.spec for item in benefit_rules.DEFAULT_CATALOGUE}
    assert by_key == {"swag-pack": SWAG, "event-swag": EVENT_SWAG, "conference-ticket": TICKET}


def test_who_may_ask_and_what_is_left_this_term() -> None:
    assert benefit_rules.request_refusal(False, True, SWAG, 0) is RequestRefusal.NOT_AMBASSADOR
    assert benefit_rules.request_refusal(True, False, SWAG, 0) is RequestRefusal.NOT_OFFERED
    assert benefit_rules.request_refusal(True, True, None, 0) is RequestRefusal.NOT_OFFERED
    assert benefit_rules.request_refusal(True, True, SWAG, 1) is RequestRefusal.LIMIT_REACHED
    assert benefit_rules.request_refusal(True, True, SWAG, 0) is None
    assert benefit_rules.request_refusal(True, True, EVENT_SWAG, 12) is None
    assert (benefit_rules.left_this_term(SWAG, 0), benefit_rules.left_this_term(SWAG, 3)) == (1, 0)
    assert benefit_rules.left_this_term(EVENT_SWAG, 5) is None


def test_the_budget() -> None:
    budget = benefit_rules.Budget(2026, total=1000, committed=900)
    assert (budget.left, budget.left_after(150), budget.exceeded_by(150), budget.exceeded_by(100)) == (
        100,
        -50,
        True,
        False,
    )
    untracked = benefit_rules.Budget(2026, total=0, committed=900)
    assert not untracked.tracked and not untracked.exceeded_by(10_000)
    assert benefit_rules.budget_year(date(2026, 12, 31)) == 2026


def test_erasure_and_overdue_dates() -> None:
    fulfilled = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert benefit_rules.shipping_erasure_due(fulfilled) == datetime(2026, 5, 30, 12, tzinfo=UTC)
    assert not benefit_rules.shipping_erasure_is_due(fulfilled, fulfilled + timedelta(days=90, seconds=-1))
    assert benefit_rules.shipping_erasure_is_due(fulfilled, fulfilled + timedelta(days=90))
    assert not benefit_rules.shipping_erasure_is_due(None, fulfilled)
    assert not benefit_rules.fulfilment_overdue(fulfilled, fulfilled + timedelta(days=13, hours=23))
    assert benefit_rules.fulfilment_overdue(fulfilled, fulfilled + timedelta(days=14))
    assert benefit_rules.days_waiting(fulfilled, fulfilled + timedelta(days=20, hours=5)) == 20


SHIPPING = {"ship_name": "Jane Doe", "ship_address": "Calle Falsa 123", "ship_country": "Spain"}


def test_a_valid_form_keeps_only_what_its_benefit_asks_for() -> None:
    form = RequestForm(
        benefit_id="1",
        event_name="  Ignored ",
        event_date="2026-04-01",
        participants="12",
        note="  Size M ",
        **SHIPPING,
    )
    draft, problems = benefit_rules.validate_request(form, SWAG, 1, TODAY)
    assert problems == {} and draft is not None
    assert (draft.event_name, draft.event_date, draft.participants, draft.note) == (
        None,
        None,
        None,
        "Size M",
    )
    assert draft.shipping == benefit_rules.Shipping("Jane Doe", "Calle Falsa 123", "Spain", None)

    ticket = RequestForm(event_name="Conf", event_date="2026-09-20", event_link="https://conf.example.org")
    draft, problems = benefit_rules.validate_request(ticket, TICKET, 3, TODAY)
    assert draft is not None and draft.shipping is None and draft.event_date == date(2026, 9, 20)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"event_name": ""}, {"event_name": FieldProblem.REQUIRED}),
        ({"event_link": "conf.example.org"}, {"event_link": FieldProblem.BAD_LINK}),
        ({"event_date": "2025-12-01"}, {"event_date": FieldProblem.DATE_TOO_OLD}),
        ({"event_date": "2029-01-01"}, {"event_date": FieldProblem.DATE_TOO_FAR}),
        ({"event_date": "soon"}, {"event_date": FieldProblem.BAD_DATE}),
        ({"participants": "0"}, {"participants": FieldProblem.BAD_NUMBER}),
        ({"participants": "12.5"}, {"participants": FieldProblem.BAD_NUMBER}),
        ({"participants": None}, {"participants": FieldProblem.REQUIRED}),
        ({"ship_address": "  "}, {"ship_address": FieldProblem.REQUIRED}),
        ({"ship_country": "x" * 101}, {"ship_country": FieldProblem.TOO_LONG}),
        ({"note": "x" * 1001}, {"note": FieldProblem.TOO_LONG}),
    ],
)
def test_form_problems_name_the_field(
    changes: dict[str, str | None], expected: dict[str, FieldProblem]
) -> None:
    values: dict[str, str | None] = {
        "event_name": "Workshop",
        "event_date": "2026-04-01",
        "event_link": "https://conf.example.org",
        "participants": "30",
        **SHIPPING,
        **changes,
    }
    draft, problems = benefit_rules.validate_request(RequestForm(**values), EVENT_SWAG, 2, TODAY)
    assert (draft, problems) == (None, expected)


def test_no_benefit_chosen() -> None:
    assert benefit_rules.validate_request(RequestForm(), None, None, TODAY) == (
        None,
        {"benefit": FieldProblem.REQUIRED},
    )


def test_catalogue_values_the_tsc_types() -> None:
    assert benefit_rules.parse_field_value(CatalogueField.VALUE, "160") == 160
    assert benefit_rules.parse_field_value(CatalogueField.LIMIT, "none") is None
    assert benefit_rules.parse_field_value(CatalogueField.LIMIT, "2") == 2
    assert benefit_rules.parse_field_value(CatalogueField.SHIPPING, "Yes") is True
    assert benefit_rules.parse_field_value(CatalogueField.EVENT, "off") is False
    assert benefit_rules.parse_field_value(CatalogueField.KIND, "ticket") == BenefitKind.CONFERENCE_TICKET
    for field, raw in [
        (CatalogueField.VALUE, "-3"),
        (CatalogueField.LIMIT, "0"),
        (CatalogueField.SHIPPING, "maybe"),
        (CatalogueField.KIND, "cake"),
        (CatalogueField.NAME, ""),
    ]:
        with pytest.raises(ValueError):
            benefit_rules.parse_field_value(field, raw)
    assert benefit_rules.is_benefit_key("swag-pack") and not benefit_rules.is_benefit_key("Swag Pack")
