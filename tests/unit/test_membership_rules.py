"""The program's membership rules (bot.rules.membership): renewal window and grace, verification, extensions."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rules import membership as membership_rules
from bot.rules.membership import RenewalRefusal, Verification

TERM = membership_rules.first_term(date(2025, 1, 11))  # 2025-01-11 → 2026-01-10


def at(today: date, counted: int = 4, required: int = 4) -> membership_rules.Progress:
    return membership_rules.Progress(TERM, today, counted, required)


def test_renewal_opens_thirty_days_before_the_end_and_stays_open_through_the_grace_period() -> None:
    assert membership_rules.renewal_opens_on(TERM) == date(2025, 12, 11)
    assert membership_rules.renewal_refusal(at(date(2025, 12, 10))) is RenewalRefusal.TOO_EARLY
    assert membership_rules.renewal_refusal(at(date(2025, 12, 11))) is None
    assert membership_rules.renewal_refusal(at(date(2026, 1, 10))) is None  # the last day
    assert membership_rules.renewal_refusal(at(date(2026, 2, 9))) is None  # 30 days after the end
    assert membership_rules.renewal_refusal(at(date(2026, 2, 10))) is RenewalRefusal.TOO_LATE
    assert membership_rules.can_renew(at(date(2026, 1, 20)))
    assert not membership_rules.can_renew(at(date(2026, 2, 10)))


def test_renewal_needs_the_requirement_met() -> None:
    assert membership_rules.renewal_refusal(at(date(2026, 1, 1), counted=3)) is RenewalRefusal.NOT_MET
    assert not membership_rules.can_renew(at(date(2026, 1, 1), counted=3))
    # After the grace period, "too late" is the answer whatever the count.
    assert membership_rules.renewal_refusal(at(date(2026, 3, 1), counted=3)) is RenewalRefusal.TOO_LATE


def test_verification_falls_on_the_anniversary_the_day_after_the_last_day() -> None:
    # AMBASSADOR_PROGRAM.md example 3: accepted 5 May 2022, checked on 5 May 2023.
    term = membership_rules.first_term(date(2022, 5, 5))
    assert term.end == date(2023, 5, 4)
    assert not membership_rules.verification_due(term, date(2023, 5, 4))
    assert membership_rules.verification_due(term, date(2023, 5, 5))


@pytest.mark.parametrize(
    ("today", "counted", "requested", "expected"),
    [
        (date(2026, 1, 10), 4, True, None),  # the last day: not due yet
        (date(2026, 1, 11), 4, True, Verification.RENEWED),
        (date(2026, 1, 11), 3, True, Verification.LAPSED),  # asked, but the requirement is not met
        (date(2026, 1, 11), 2, False, Verification.LAPSED),
        (date(2026, 1, 11), 5, False, Verification.MET),  # may still renew
        (date(2026, 2, 9), 5, False, Verification.MET),  # last day of the grace period
        (date(2026, 2, 10), 5, False, Verification.NOT_RENEWED),
    ],
)
def test_outcome_at_term_end(
    today: date, counted: int, requested: bool, expected: Verification | None
) -> None:
    assert membership_rules.outcome_at_term_end(at(today, counted), requested) is expected


def test_an_extension_counts_from_the_normal_end_and_replaces_the_previous_one() -> None:
    extended = membership_rules.with_extension(TERM, 30)
    assert extended == membership_rules.Term(date(2025, 1, 11), date(2026, 2, 9))
    assert membership_rules.with_extension(extended, 30) == extended
    assert membership_rules.with_extension(extended, 0) == TERM
    assert membership_rules.valid_extension(0) and membership_rules.valid_extension(365)
    assert not membership_rules.valid_extension(-1) and not membership_rules.valid_extension(366)


def test_profile_rules() -> None:
    assert membership_rules.is_github_handle("derberg") and membership_rules.is_github_handle("a-b-9")
    for bad in ("", "-x", "x-", "a--b", "x" * 40, "jane doe", "https://github.com/x"):
        assert not membership_rules.is_github_handle(bad), bad
    assert membership_rules.is_social_handle_or_link("ludovic-dussart-846a8063")
    assert membership_rules.is_social_handle_or_link("http://linkedin.com/in/nareshjain/")
    assert not membership_rules.is_social_handle_or_link("javascript:alert(1)")
    assert not membership_rules.is_social_handle_or_link("two words")
    assert membership_rules.github_avatar("derberg") == "https://github.com/derberg.png"


def test_an_application_counts_the_twelve_months_ending_today() -> None:
    window = membership_rules.application_window(date(2026, 11, 24))
    assert (window.start, window.end) == (date(2025, 11, 25), date(2026, 11, 24))
    # 29 February has no twin a year later or earlier: the window still spans a whole year.
    assert membership_rules.application_window(date(2028, 2, 29)).start == date(2027, 3, 1)
    assert membership_rules.meets_application_requirement(4, 4)
    assert not membership_rules.meets_application_requirement(3, 4)
