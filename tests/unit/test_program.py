"""The program's rules on plain dates, including the examples of AMBASSADOR_PROGRAM.md and the guide."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.rules import membership as membership_rules
from bot.rules.membership import Problem, Term, Verification


def test_a_term_lasts_one_year_from_acceptance() -> None:
    # ambassador-guide.md: accepted on January 11, 2025 → tenure ends on January 10, 2026.
    term = membership_rules.first_term(date(2025, 1, 11))
    assert term == Term(date(2025, 1, 11), date(2026, 1, 10))
    assert term.length_days == 365


def test_example_3_checked_again_a_year_after_acceptance() -> None:
    # "Accepted on the 5th of May 2022 ... on the 5th of May 2023 we check if you qualify again."
    term = membership_rules.first_term(date(2022, 5, 5))
    renewal = membership_rules.next_term(term)
    assert renewal.start == date(2023, 5, 5)
    assert renewal.end == date(2024, 5, 4)


def test_leap_day_acceptance() -> None:
    assert membership_rules.first_term(date(2024, 2, 29)).end == date(2025, 2, 27)
    assert membership_rules.first_term(date(2023, 3, 1)).length_days == 366


@pytest.mark.parametrize(
    "dates",
    [
        # Example 1: three articles and one initiative in eight months.
        [date(2025, 2, 1), date(2025, 4, 1), date(2025, 6, 1), date(2025, 9, 1)],
        # Example 2: one presentation, two articles and one initiative.
        [date(2025, 1, 20), date(2025, 3, 3), date(2025, 7, 7), date(2025, 12, 31)],
    ],
)
def test_examples_1_and_2_meet_the_requirement(dates: list[date]) -> None:
    term = membership_rules.first_term(date(2025, 1, 11))
    current = membership_rules.progress(term, dates, date(2026, 1, 10), required=4)
    assert current.met
    assert membership_rules.verify(current, renewal_requested=True) is Verification.RENEWED
    assert membership_rules.verify(current, renewal_requested=False) is Verification.MET


def test_only_contributions_inside_the_term_count() -> None:
    term = membership_rules.first_term(date(2025, 1, 11))
    dates = [date(2025, 1, 10), date(2025, 1, 11), date(2026, 1, 10), date(2026, 1, 11)]
    assert membership_rules.counted(term, dates) == 2


def test_three_contributions_lapse() -> None:
    term = membership_rules.first_term(date(2025, 1, 11))
    current = membership_rules.progress(term, [date(2025, 3, 1)] * 3, date(2026, 1, 10), required=4)
    assert (current.met, current.remaining) == (False, 1)
    assert membership_rules.verify(current, renewal_requested=True) is Verification.LAPSED


def test_pace_is_the_requirement_times_the_elapsed_share_rounded_down() -> None:
    term = membership_rules.first_term(date(2026, 1, 1))  # 365 days
    assert membership_rules.expected_by_now(term, date(2026, 1, 1), 4) == 0
    assert (
        membership_rules.expected_by_now(term, date(2026, 4, 2), 4) == 0
    )  # 91 days gone: 4 * 91/365 = 0.997
    assert membership_rules.expected_by_now(term, date(2026, 4, 3), 4) == 1  # 92 days gone: 1.008
    assert membership_rules.expected_by_now(term, date(2026, 7, 2), 4) == 1
    assert membership_rules.expected_by_now(term, date(2026, 7, 3), 4) == 2  # half the year gone
    assert (
        membership_rules.expected_by_now(term, date(2027, 6, 1), 4) == 4
    )  # after the end: the whole requirement
    assert membership_rules.expected_by_now(term, date(2025, 6, 1), 4) == 0  # before the start


def test_on_pace_and_behind() -> None:
    term = membership_rules.first_term(date(2026, 3, 2))
    behind = membership_rules.progress(term, [date(2026, 4, 1)], date(2026, 9, 1), required=4)
    assert (behind.expected_by_now, behind.on_pace) == (2, False)
    on_track = membership_rules.progress(
        term, [date(2026, 4, 1), date(2026, 5, 1)], date(2026, 9, 1), required=4
    )
    assert on_track.on_pace
    done = membership_rules.progress(term, [date(2026, 4, 1)] * 4, date(2027, 2, 28), required=4)
    assert done.on_pace and done.met


def test_days_left_and_the_renewal_window() -> None:
    term = Term(date(2026, 3, 2), date(2027, 3, 1))
    assert membership_rules.days_left(term, date(2026, 11, 24)) == 97
    assert membership_rules.days_left(term, date(2027, 3, 1)) == 0
    assert membership_rules.days_left(term, date(2027, 4, 1)) == 0
    met = [date(2026, 4, 1)] * 4
    assert not membership_rules.can_renew(
        membership_rules.progress(term, met, date(2027, 1, 29), 4)
    )  # 31 days left
    assert membership_rules.can_renew(
        membership_rules.progress(term, met, date(2027, 1, 30), 4)
    )  # 30 days left
    assert membership_rules.can_renew(membership_rules.progress(term, met, date(2027, 3, 1), 4))  # last day
    # Ended: still possible in the grace period (RENEWAL_GRACE_DAYS), not after it.
    assert membership_rules.can_renew(membership_rules.progress(term, met, date(2027, 3, 31), 4))
    assert not membership_rules.can_renew(membership_rules.progress(term, met, date(2027, 4, 1), 4))
    assert not membership_rules.can_renew(
        membership_rules.progress(term, met[:3], date(2027, 2, 20), 4)
    )  # not met


def test_renewal_closes_at_the_end_of_the_grace_period() -> None:
    term = Term(date(2026, 3, 2), date(2027, 3, 1))
    met = [date(2026, 4, 1)] * 4
    last_day = membership_rules.renewal_closes_on(term)
    assert last_day == date(2027, 3, 31)
    assert membership_rules.can_renew(membership_rules.progress(term, met, last_day, 4))
    assert not membership_rules.can_renew(
        membership_rules.progress(term, met, last_day + timedelta(days=1), 4)
    )


def test_at_risk_is_behind_pace_or_ending_soon_without_the_requirement() -> None:
    term = Term(date(2026, 3, 2), date(2027, 3, 1))
    three = [date(2026, 4, 1)] * 3
    assert not membership_rules.at_risk(
        membership_rules.progress(term, three, date(2027, 1, 29), 4)
    )  # on pace, 31 days
    assert membership_rules.at_risk(
        membership_rules.progress(term, three, date(2027, 1, 30), 4)
    )  # on pace, 30 days left
    assert membership_rules.at_risk(
        membership_rules.progress(term, three[:1], date(2026, 9, 1), 4)
    )  # behind pace
    assert not membership_rules.at_risk(
        membership_rules.progress(term, three + three, date(2027, 2, 20), 4)
    )  # met


def test_application_eligibility_counts_the_last_twelve_months() -> None:
    today = date(2026, 11, 24)
    recent = [today - timedelta(days=30 * n) for n in range(4)]
    assert membership_rules.meets_requirement_for_application(recent, today, 4)
    assert not membership_rules.meets_requirement_for_application([*recent[:3], date(2025, 11, 24)], today, 4)
    assert membership_rules.meets_requirement_for_application([*recent[:3], date(2025, 11, 25)], today, 4)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("talk", "talk"),
        ("Talks", "talk"),
        ("blog", "article"),
        ("Blog post", "article"),
        ("initiative_driver", "initiative"),
        ("special contribution", "special"),
        ("content-review", "content_review"),
        ("PODCAST", "podcast"),
        ("dance", None),
        ("", None),
    ],
)
def test_contribution_types_and_aliases(raw: str, canonical: str | None) -> None:
    assert membership_rules.normalize_type(raw) == canonical


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("September", (date(2021, 9, 1), "month")),
        ("Jan", (date(2021, 1, 1), "month")),
        ("2022", (date(2021, 1, 1), "year")),  # a real quirk of AMBASSADORS_MEMBERS.json
        (None, (date(2021, 1, 1), "year")),
        (7, (date(2021, 7, 1), "month")),
    ],
)
def test_month_year_dates_from_the_public_file(month: object, expected: tuple[date, str]) -> None:
    assert membership_rules.approximate_date(2021, month) == expected


def test_validation_codes() -> None:
    assert membership_rules.link_problem("https://example.com/a") is None
    assert membership_rules.link_problem("http://example.com") is None
    for bad in ("ftp://example.com", "example.com", "javascript:alert(1)", "https://", "https://a b.com"):
        assert membership_rules.link_problem(bad) is Problem.BAD_LINK, bad
    assert membership_rules.title_problem("  ") is Problem.EMPTY_TITLE
    assert membership_rules.title_problem("x" * 200) is None
    assert membership_rules.title_problem("x" * 201) is Problem.TITLE_TOO_LONG
    assert membership_rules.date_problem(date(2026, 11, 25), today=date(2026, 11, 24)) is Problem.FUTURE_DATE
    assert membership_rules.date_problem(date(2026, 11, 24), today=date(2026, 11, 24)) is None


def test_the_same_link_written_differently() -> None:
    assert membership_rules.same_link("https://YouTu.be/abc/", "https://youtu.be/abc")
    assert not membership_rules.same_link("https://youtu.be/abc?t=1", "https://youtu.be/abc")


def test_only_another_tsc_member_decides_a_request() -> None:
    assert membership_rules.decision_refusal("U0TSC", True, "U0MEMBER") is None
    assert (
        membership_rules.decision_refusal("U0OTHER", False, "U0MEMBER")
        is membership_rules.DecisionRefusal.NOT_TSC
    )
    assert (
        membership_rules.decision_refusal("U0TSC", True, "U0TSC")
        is membership_rules.DecisionRefusal.OWN_REQUEST
    )
    # Not being TSC is the first reason given, even for one's own request.
    assert (
        membership_rules.decision_refusal("U0MEMBER", False, "U0MEMBER")
        is membership_rules.DecisionRefusal.NOT_TSC
    )
    assert membership_rules.decision_refusal("U0TSC", True, None) is None
