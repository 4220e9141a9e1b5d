"""Several contributions at once (`ambassador-bot contributions import FILE`): rows of member, type,
title, link, date and optional impact fields, checked by the same rules as logging one, with the
duplicates (a link already on the member's record, or twice in the file) skipped.

All or nothing: a file with a problem writes nothing, and a dry run says what would happen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from bot.rules import impact as impact_rules
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.rules import review as review_rules
from bot.rules.impact import Impact
from bot.rules.review import ReviewSetting, ReviewState
from bot.services.contributions import ContributionDraft, impact_columns, validate
from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import Contribution, Member

# The columns a file may have (CSV header, YAML keys); `audience` and `reach` are the same.
COLUMNS = (
    "member",
    "type",
    "title",
    "link",
    "date",
    *impact_rules.CSV_FIELDS,
)
REQUIRED = ("member", "type", "title", "link", "date")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "online", "x"})
FALSE_WORDS = frozenset({"", "false", "no", "n", "0"})


@dataclass(frozen=True)
class Problem:
    line: int  # the row's line in the file (its CSV line, or its YAML item's number)
    text: str


@dataclass(frozen=True)
class Planned:
    line: int
    member_id: int
    member_name: str
    type: str
    title: str
    link: str
    occurred_on: date
    precision: str
    impact: Impact


@dataclass(frozen=True)
class Duplicate:
    line: int
    member_name: str
    link: str
    same_as_line: int | None  # the earlier row of the file with this link; None: already on record


@dataclass
class ImportSummary:
    rows: int
    added: list[Planned] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    review_state: str = ReviewState.NONE  # PENDING under CONTRIBUTION_REVIEW=tsc: they wait for the TSC

    @property
    def members(self) -> int:
        return len({item.member_id for item in self.added})


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None and name == "audience":
        value = row.get("reach")
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(text: str) -> tuple[date, str] | None:
    """`2026-11-20` (a day) or `2026-11` (a month, as the public file records them)."""
    parsed = parsing.parse_month_or_day(text)
    if parsed is None:
        return None
    day, has_day = parsed
    precision = membership_rules.DatePrecision.DAY if has_day else membership_rules.DatePrecision.MONTH
    return day, precision


def _row_problems(row: Mapping[str, Any], line: int) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems = [Problem(line, f"{name} is missing") for name in REQUIRED if not _text(row, name)]
    unknown = sorted(str(key) for key in row if str(key) not in COLUMNS and str(key) != "reach")
    if unknown:
        problems.append(Problem(line, f"unknown column(s): {', '.join(unknown)}"))
    if problems:
        return None, problems
    when = _date(_text(row, "date"))
    if when is None:
        problems.append(Problem(line, f"date {_text(row, 'date')!r} is not YYYY-MM-DD or YYYY-MM"))
    audience_text = _text(row, "audience").replace(",", "").replace("_", "")
    audience = parsing.whole_number(audience_text) if audience_text else None
    if audience_text and audience is None:
        problems.append(Problem(line, f"audience {_text(row, 'audience')!r} is not a whole number"))
    online_text = _text(row, "online").lower()
    if online_text not in TRUE_WORDS | FALSE_WORDS:
        problems.append(Problem(line, f"online {_text(row, 'online')!r} is not yes or no"))
    if problems:
        return None, problems
    assert when is not None
    impact = Impact(
        event_name=_text(row, "event_name"),
        city=_text(row, "city"),
        country=_text(row, "country"),
        online=online_text in TRUE_WORDS,
        language=_text(row, "language"),
        reach=audience,
        recording_link=_text(row, "recording_link"),
        slides_link=_text(row, "slides_link"),
    ).cleaned()
    return {
        "member": _text(row, "member"),
        "draft": ContributionDraft(
            type=_text(row, "type"),
            title=_text(row, "title"),
            link=_text(row, "link"),
            occurred_on=when[0],
            reach=audience,
            impact=impact,
        ),
        "precision": when[1],
    }, []


RULE_TEXT = {
    membership_rules.Problem.UNKNOWN_TYPE: "unknown type (use one of "
    + ", ".join(membership_rules.CONTRIBUTION_TYPES)
    + ")",
    membership_rules.Problem.BAD_LINK: "the link must be a full http:// or https:// address",
    membership_rules.Problem.LINK_TOO_LONG: "the link is too long",
    membership_rules.Problem.FUTURE_DATE: "the date is in the future (only talks and workshops may be ahead)",
    membership_rules.Problem.TOO_FAR_AHEAD: "the date is more than twelve months ahead",
    membership_rules.Problem.BAD_DATE: "the date is not a real date",
    membership_rules.Problem.EMPTY_TITLE: "the title is empty",
    membership_rules.Problem.TITLE_TOO_LONG: "the title is too long",
    membership_rules.Problem.CONTROL_CHARACTERS: "the title contains control characters",
}


def _members_by_key(db: Database, keys: set[str]) -> dict[str, list[tuple[int, str]]]:
    """Members a file names, by Slack user ID, GitHub handle or full name (case aside), in one read."""
    lowered = {key.lower() for key in keys}
    found: dict[str, list[tuple[int, str]]] = {}
    with db.read_only() as session:
        rows = session.execute(
            select(Member.id, Member.name, Member.slack_user_id, Member.github).where(
                or_(
                    Member.slack_user_id.in_(keys),
                    func.lower(Member.github).in_(lowered),
                    func.lower(Member.name).in_(lowered),
                )
            )
        )
        for member_id, name, slack_id, github in rows:
            for key in {slack_id or "", (github or "").lower(), name.lower()} - {""}:
                found.setdefault(key, []).append((member_id, name))
    return found


def import_contributions(
    db: Database,
    rows: Sequence[Mapping[str, Any]],
    *,
    today: date,
    now: datetime,
    actor: str = "cli",
    dry_run: bool = False,
    first_line: int = 2,
    review: str = ReviewSetting.OFF,
) -> ImportSummary:
    """Check every row, then (unless `dry_run` or a problem) add the new ones in one transaction.

    `first_line` is the file line of the first row (2 for a CSV file under its header, 1 for YAML).
    Members are named by Slack user ID, GitHub handle or full name; talks may be ahead (up to twelve
    months) like in Slack; a row whose link the member already has, or an earlier row had, is skipped.
    With `review="tsc"` (CONTRIBUTION_REVIEW) the imported contributions wait for the TSC like logged ones.
    """
    summary = ImportSummary(rows=len(rows), review_state=review_rules.initial_state(review))
    parsed: list[tuple[int, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        line = first_line + index
        if not isinstance(row, Mapping):
            summary.problems.append(Problem(line, "not a row of named columns"))
            continue
        values, problems = _row_problems(row, line)
        summary.problems += problems
        if values is not None:
            parsed.append((line, values))
    members = _members_by_key(db, {values["member"] for _, values in parsed})
    candidates: list[Planned] = []
    for line, values in parsed:
        draft: ContributionDraft = values["draft"]
        key = values["member"]
        matches = members.get(key) or members.get(key.lower()) or []
        if not matches:
            summary.problems.append(
                Problem(line, f"no member {key!r} (give a Slack user ID, GitHub handle or name)")
            )
            continue
        if len({member_id for member_id, _ in matches}) > 1:
            summary.problems.append(Problem(line, f"{key!r} names several members; give a GitHub handle"))
            continue
        canonical, rule_problems = validate(draft, today)
        impact = draft.full_impact
        for problem in rule_problems.values():
            summary.problems.append(Problem(line, RULE_TEXT.get(problem, str(problem))))
        for column, impact_problem in impact.problems().items():
            summary.problems.append(Problem(line, f"{column}: {impact_problem.replace('_', ' ')}"))
        if rule_problems or impact.problems():
            continue
        assert draft.occurred_on is not None
        member_id, name = matches[0]
        candidates.append(
            Planned(
                line,
                member_id,
                name,
                canonical,
                draft.title.strip(),
                draft.link.strip(),
                draft.occurred_on,
                values["precision"],
                impact,
            )
        )
    _split_duplicates(db, candidates, summary)
    if summary.problems or dry_run or not summary.added:
        return summary
    _write(db, summary, now, actor, today)
    return summary


def _split_duplicates(db: Database, candidates: list[Planned], summary: ImportSummary) -> None:
    """The duplicates by normalized link: already on the member's record, or an earlier row's."""
    member_ids = {item.member_id for item in candidates}
    on_record: set[tuple[int, str]] = set()
    if member_ids:
        with db.read_only() as session:
            on_record = {
                (member_id, str(link_key))
                for member_id, link_key in session.execute(
                    select(Contribution.member_id, Contribution.link_key).where(
                        Contribution.member_id.in_(member_ids), Contribution.link_key.is_not(None)
                    )
                )
            }
    seen: dict[tuple[int, str], int] = {}
    for item in candidates:
        key = (item.member_id, membership_rules.normalize_link(item.link))
        if key in on_record:
            summary.duplicates.append(Duplicate(item.line, item.member_name, item.link, None))
        elif key in seen:
            summary.duplicates.append(Duplicate(item.line, item.member_name, item.link, seen[key]))
        else:
            seen[key] = item.line
            summary.added.append(item)


class ImportConflict(Exception):
    """Someone logged one of these links meanwhile: nothing was imported; run it again."""


def _write(db: Database, summary: ImportSummary, now: datetime, actor: str, today: date) -> None:
    try:
        with db.transaction() as session:
            for item in summary.added:
                contribution = Contribution(
                    member_id=item.member_id,
                    type=item.type,
                    title=item.title,
                    link=item.link,
                    link_key=membership_rules.normalize_link(item.link),
                    year=item.occurred_on.year,
                    month=membership_rules.month_label(item.occurred_on),
                    occurred_on=item.occurred_on,
                    date_precision=item.precision,
                    source="import",
                    review_state=summary.review_state,
                    logged_by=actor,
                    logged_at=now,
                    updated_at=now,
                    **impact_columns(item.impact),
                )
                session.add(contribution)
                session.flush()
                record_audit(
                    session,
                    actor,
                    "contribution.imported",
                    item.member_id,
                    at=now,
                    contribution_id=contribution.id,
                    type=item.type,
                    title=item.title,
                    link=item.link,
                    date=item.occurred_on.isoformat(),
                    upcoming=impact_rules.is_upcoming(item.occurred_on, today),
                )
    except IntegrityError:
        raise ImportConflict() from None
    summary.written = True
