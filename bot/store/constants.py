"""The program's fixed words (a term's status, a review state) written into SQL as constants.

SQLite plans a statement again at every execution when a bound parameter is compared with a column
that a partial index is limited by: the value decides whether the index may be used. Three such
columns are asked about on busy paths: `terms.status` (one active term per member),
`contributions.review_state` (the review's pending queue) and `applications.status` (one open
application per member). Bound, `/ambassador log`'s standing query was planned anew on every log
(in SQLite alone 77 µs instead of 13); as constants, each statement is planned once and stays in
the connection's statement cache. PostgreSQL reads them the same way. A member's status is written
the same way where it sits beside them, so those statements bind only what varies.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, String, literal_column

from bot.rules.review import ReviewState
from bot.store.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Contribution,
    Member,
    MemberStatus,
    Term,
    TermStatus,
)

PLAIN_WORD = re.compile(r"[a-z][a-z_]*")


def constant(word: str) -> ColumnElement[str]:
    """`word` as a string literal in the SQL, not a bound parameter. For the program's own fixed
    words only (they are checked to be plain words, so nothing needs quoting)."""
    if not PLAIN_WORD.fullmatch(word):
        raise ValueError(f"only a plain lowercase word may be written into SQL as a constant: {word!r}")
    return literal_column(f"'{word}'", String)


def review_state_is(state: str) -> ColumnElement[bool]:
    return Contribution.review_state == constant(state)


ACTIVE_TERM: ColumnElement[bool] = Term.status == constant(TermStatus.ACTIVE)
ACTIVE_MEMBER: ColumnElement[bool] = Member.status == constant(MemberStatus.ACTIVE)
PENDING_REVIEW: ColumnElement[bool] = review_state_is(ReviewState.PENDING)
PENDING_APPLICATION: ColumnElement[bool] = Application.status == constant(ApplicationStatus.PENDING)
OPEN_APPLICATION: ColumnElement[bool] = Application.status.in_(
    [constant(status) for status in OPEN_APPLICATION_STATUSES]
)
COUNTED_OUT: ColumnElement[bool] = review_state_is(ReviewState.NOT_COUNTED)
