"""What counts toward a term, written once in SQL.

A contribution counts from its day on (an upcoming talk logged ahead is listed, not counted, until it
has happened), and only once the TSC's review lets it (`bot.rules.review`: verified, or never under
review). Every query that counts contributions toward the program's requirement (the member's
progress, the jobs, the Home, the verification, the report) filters with `counts(today)`, so a new
condition is added here and holds everywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select

from bot.rules import review as review_rules
from bot.store.constants import COUNTED_OUT, review_state_is
from bot.store.models import Contribution, Term

COUNTING_STATES = [str(state) for state in review_rules.COUNTING_STATES]
WAITING_STATES = [str(state) for state in review_rules.WAITING_STATES]


def counts(today: date | Any) -> ColumnElement[bool]:
    """True for a contribution that counts by `today` (a date, or a bound parameter standing for one)."""
    return and_(Contribution.occurred_on <= today, counted_by_review())


def counted_by_review() -> ColumnElement[bool]:
    """The review's part of `counts`: verified, or never under review."""
    return one_of(COUNTING_STATES)


def one_of(states: list[str]) -> ColumnElement[bool]:
    """`review_state IN (...)` for a fixed list, as comparisons with constants: an IN list is rendered
    anew at every execution (SQLAlchemy's "expanding" parameter), and a bound state makes SQLite plan
    the statement again every time (bot.store.constants); `/ambassador log` counts while it holds the
    write lock."""
    return or_(*(review_state_is(state) for state in states))


def waiting(today: date | Any) -> ColumnElement[bool]:
    """Dated by `today` and waiting for the TSC (pending, or a question to the member): what the member
    sees as "waiting for review", next to what counts."""
    return and_(Contribution.occurred_on <= today, one_of(WAITING_STATES))


def is_activity(today: date | Any) -> ColumnElement[bool]:
    """Activity, for the inactivity steps: anything dated by `today` the TSC did not rule out. A
    contribution waiting for the TSC is activity already: the member is not told they have been quiet
    because the TSC has not looked yet."""
    return and_(Contribution.occurred_on <= today, ~COUNTED_OUT)


def in_term(condition: ColumnElement[bool]) -> ScalarSelect[Any]:
    """How many contributions of a term's member, dated inside that term, meet `condition`: a count
    correlated with the enclosing query's `Term` (one statement for any number of terms)."""
    return (
        select(func.count(Contribution.id))
        .where(
            Contribution.member_id == Term.member_id,
            Contribution.occurred_on >= Term.start_on,
            Contribution.occurred_on <= Term.end_on,
            condition,
        )
        .correlate(Term)
        .scalar_subquery()
    )
