"""When a member's membership began, and the terms that follow from it: for moving a program in
(a member who joined in 2022 keeps their anniversary) and for correcting a start later.

A start is the day the member became an ambassador. Terms last a year and follow one another
(`membership.next_term`), so the current term is the yearly one that holds today: joined on
2022-05-05, today 2026-03-01 → terms 2022-05-05..2023-05-04, ..., and the current one
2025-05-05..2026-05-04. The yearly verification then falls on the anniversary, as the program says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.rules import membership as membership_rules

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Nobody joined the program before it existed; a year this early is a typing slip (1022 for 2022).
EARLIEST_START = date(2000, 1, 1)


class StartProblem(StrEnum):
    NOT_A_DATE = "not_a_date"  # not written YYYY-MM-DD, or no such day
    FUTURE = "future"  # after today: a term cannot have started yet
    TOO_EARLY = "too_early"  # before EARLIEST_START


def read_start(value: object) -> date | None:
    """A start as a file or a person gives it: a date (YAML reads 2022-05-05 as one) or the text
    `YYYY-MM-DD`; None for anything else (`05/05/2022`, `2022-5-5`, a number)."""
    if isinstance(value, datetime):
        return None  # a time of day is not a start; YAML gives one only when written so
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not ISO_DAY.match(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def start_problem(start: date, today: date) -> StartProblem | None:
    """Why `start` cannot be a member's start on `today`, or None when it can."""
    if start > today:
        return StartProblem.FUTURE
    if start < EARLIEST_START:
        return StartProblem.TOO_EARLY
    return None


def terms_since(start: date, today: date) -> list[membership_rules.Term]:
    """The yearly terms from `start` to the one holding `today` (the last), in order.

    `start` must pass `start_problem` (ValueError otherwise: the caller checks first).
    """
    if start_problem(start, today) is not None:
        raise ValueError(f"{start} cannot start a term on {today}")
    terms = [membership_rules.first_term(start)]
    while terms[-1].end < today:
        terms.append(membership_rules.next_term(terms[-1]))
    return terms


def overlaps(one: membership_rules.Term, other: membership_rules.Term) -> bool:
    return one.start <= other.end and other.start <= one.end


@dataclass(frozen=True)
class StartPlan:
    """What setting a start does to a member's terms: the current term's new dates, the earlier
    years to record as completed terms, and whether anything changes at all."""

    current: membership_rules.Term
    earlier: tuple[membership_rules.Term, ...]
    changes: bool


def plan_start(
    start: date,
    today: date,
    current: membership_rules.Term,
    recorded: tuple[membership_rules.Term, ...],
) -> StartPlan | membership_rules.Term:
    """How a member whose current term is `current` (and whose closed terms are `recorded`) gets the
    start `start`; or, when it would rewrite what the bot itself recorded, the latest recorded term
    it collides with (a renewal the bot made, say: those terms are history and are not rewritten).

    Earlier years already covered by a recorded term are not added again.
    """
    derived = terms_since(start, today)
    new_current = derived[-1]
    clashing = [term for term in recorded if term.end >= new_current.start]
    if clashing:
        return max(clashing, key=lambda term: term.end)
    earlier = tuple(term for term in derived[:-1] if not any(overlaps(term, other) for other in recorded))
    return StartPlan(new_current, earlier, changes=new_current != current or bool(earlier))
