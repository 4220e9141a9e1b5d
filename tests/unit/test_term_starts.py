"""When members joined: the rules on plain dates, the term starts file, and what the TSC reads."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.blocks import term_starts as term_starts_blocks
from bot.rules import membership as membership_rules
from bot.rules import term_starts as start_rules
from bot.services.members import TermView
from bot.services.membership.term_starts import StartChange, StartStatus
from bot.services.registry.file_format import MembersFileError, TermStart, parse_term_starts

Term = membership_rules.Term
TODAY = date(2026, 3, 1)


def test_a_start_is_a_real_day_written_yyyy_mm_dd_or_a_yaml_date() -> None:
    assert start_rules.read_start("2022-05-05") == date(2022, 5, 5)
    assert start_rules.read_start(" 2022-05-05 ") == date(2022, 5, 5)
    assert start_rules.read_start(date(2022, 5, 5)) == date(2022, 5, 5)
    for value in ("05/05/2022", "2022-5-5", "2022-02-30", "", 20220505, None, datetime(2022, 5, 5, 10)):
        assert start_rules.read_start(value) is None, value


def test_a_start_may_not_be_in_the_future_nor_before_the_program() -> None:
    assert start_rules.start_problem(date(2026, 3, 2), TODAY) is start_rules.StartProblem.FUTURE
    assert start_rules.start_problem(date(1022, 5, 5), TODAY) is start_rules.StartProblem.TOO_EARLY
    assert start_rules.start_problem(TODAY, TODAY) is None
    assert start_rules.start_problem(date(2022, 5, 5), TODAY) is None
    with pytest.raises(ValueError):
        start_rules.terms_since(date(2026, 3, 2), TODAY)


def test_the_terms_since_a_start_end_with_the_one_holding_today() -> None:
    # AsyncAPI's example: accepted on 5 May 2022, checked on the anniversary.
    assert start_rules.terms_since(date(2022, 5, 5), TODAY) == [
        Term(date(2022, 5, 5), date(2023, 5, 4)),
        Term(date(2023, 5, 5), date(2024, 5, 4)),
        Term(date(2024, 5, 5), date(2025, 5, 4)),
        Term(date(2025, 5, 5), date(2026, 5, 4)),
    ]
    assert start_rules.terms_since(TODAY, TODAY) == [Term(TODAY, date(2027, 2, 28))]
    # Exactly a year ago: that term ended yesterday, the next one holds today.
    assert start_rules.terms_since(date(2025, 3, 1), TODAY)[-1] == Term(TODAY, date(2027, 2, 28))


def test_a_plan_moves_the_current_term_and_records_the_years_before_once() -> None:
    imported = Term(TODAY, date(2027, 2, 28))

    plan = start_rules.plan_start(date(2024, 5, 5), TODAY, imported, ())

    assert isinstance(plan, start_rules.StartPlan) and plan.changes
    assert plan.current == Term(date(2025, 5, 5), date(2026, 5, 4))
    assert plan.earlier == (Term(date(2024, 5, 5), date(2025, 5, 4)),)
    again = start_rules.plan_start(date(2024, 5, 5), TODAY, plan.current, plan.earlier)
    assert isinstance(again, start_rules.StartPlan) and not again.changes and again.earlier == ()


def test_a_plan_never_rewrites_terms_the_bot_recorded() -> None:
    renewed = Term(date(2025, 3, 1), date(2026, 2, 28))  # a renewal the bot made
    current = Term(TODAY, date(2027, 2, 28))

    assert start_rules.plan_start(date(2024, 5, 5), TODAY, current, (renewed,)) == renewed
    later = start_rules.plan_start(TODAY, TODAY, current, (renewed,))
    assert isinstance(later, start_rules.StartPlan) and not later.changes


def test_the_starts_file_as_csv_or_yaml() -> None:
    expected = (
        TermStart("line 2 (janedoe)", "janedoe", date(2022, 5, 5)),
        TermStart("line 3 (olek)", "olek", date(2023, 1, 1)),
    )
    assert parse_term_starts("github,start\njanedoe,2022-05-05\nolek, 2023-01-01\n", TODAY) == expected
    assert parse_term_starts("# moved in\n\njanedoe,2022-05-05,\n", TODAY) == (
        TermStart("line 3 (janedoe)", "janedoe", date(2022, 5, 5)),
    )
    assert parse_term_starts('janedoe: 2022-05-05\nolek: "2023-01-01"\n', TODAY) == (
        TermStart("janedoe", "janedoe", date(2022, 5, 5)),
        TermStart("olek", "olek", date(2023, 1, 1)),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("janedoe,05/05/2022\n", "line 1 (janedoe): '05/05/2022' is not a date written YYYY-MM-DD"),
        ("janedoe,2026-03-02\n", "line 1 (janedoe): 2026-03-02 is in the future (today is 2026-03-01)"),
        ("janedoe: 1022-05-05\n", "janedoe: 1022-05-05 is before 2000; check the year"),
        ("jane doe,2022-05-05\n", "line 1 (jane doe): 'jane doe' is not a GitHub handle"),
        ("janedoe,2022-05-05\nJaneDoe,2023-01-01\n", "line 2 (JaneDoe): JaneDoe is also line 1 (janedoe)"),
        ("janedoe 2022-05-05\nolek 2023\n", "line 1: expected `github,YYYY-MM-DD`"),
        ("- janedoe\n- olek\n", "a term starts file is a mapping of GitHub handle to date"),
    ],
)
def test_a_bad_starts_file_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(MembersFileError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_term_starts(text, TODAY)


def test_what_the_tsc_reads() -> None:
    before = TermView(7, TODAY, date(2027, 2, 28))
    after = TermView(7, date(2025, 5, 5), date(2026, 5, 4))
    progress = membership_rules.Progress(after.rule_term, TODAY, 5, 4)
    done = StartChange(
        StartStatus.SET, date(2024, 5, 5), "Jane", "U0JANE", "janedoe", before, after,
        (Term(date(2024, 5, 5), date(2025, 5, 4)),), None, progress,
    )  # fmt: skip

    assert term_starts_blocks.admin_term_reply(done, "U0JANE") == (
        ":calendar: <@U0JANE> joined on 2024-05-05: current term 2025-05-05 to 2026-05-04 (was 2026-03-01 to "
        "2027-02-28), 1 earlier term recorded; 5 contributions this term (4 required) ✓. Their App Home "
        "shows the new dates."
    )
    clash = StartChange(
        StartStatus.RECORDED_HISTORY,
        date(2024, 5, 5),
        before=before,
        clash=Term(date(2025, 3, 1), date(2026, 2, 28)),
    )
    assert "would rewrite <@U0JANE>'s term 2025-03-01 to 2026-02-28, which the bot recorded itself" in (
        term_starts_blocks.admin_term_reply(clash, "U0JANE")
    )
    future = StartChange(StartStatus.FUTURE, date(2027, 1, 1))
    assert term_starts_blocks.start_result(future, "janedoe") == (
        "2027-01-01 is in the future: a term cannot have started yet. Nothing changed."
    )
