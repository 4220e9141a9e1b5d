"""What counts toward a term, written once in SQL.

A contribution counts from its day on (an upcoming talk logged ahead is listed, not counted, until it
has happened). Every query that counts contributions toward the program's requirement (the member's
progress, the jobs, the Home, the verification, the report) filters with `counts(today)`, so a new
condition (such as a review the TSC must pass first) is added here and holds everywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement

from bot.store.models import Contribution


def counts(today: date | Any) -> ColumnElement[bool]:
    """True for a contribution that counts by `today` (a date, or a bound parameter standing for one)."""
    return Contribution.occurred_on <= today
