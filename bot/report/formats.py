"""The program report as a file: Markdown for people, JSON for tools, CSV with every contribution."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from bot.blocks import report as report_blocks
from bot.rules import impact as impact_rules
from bot.rules import membership as membership_rules
from bot.rules.spreadsheet import safe_cell
from bot.services.report import ContributionLine, ProgramReport

CSV_COLUMNS = (
    "date",
    "member",
    "github",
    "member_country",
    "type",
    "title",
    "link",
    "counted",
    *impact_rules.CSV_FIELDS,
    "source",
)


def as_json(report: ProgramReport) -> dict[str, Any]:
    period = report.period
    return {
        "period": {"label": period.label, "from": period.start.isoformat(), "to": period.end.isoformat()},
        "as_of": report.today.isoformat(),
        "required_per_term": report.required,
        "ambassadors_in_period": report.ambassadors_in_period,
        "ambassadors_now": report.ambassadors_now,
        "contributions": report.contributions,
        "upcoming": report.upcoming,
        "contributors": report.contributors,
        "audience": report.audience,
        "by_type": report.by_type,
        "by_month": [
            {"month": month, "contributions": count, "audience": audience}
            for month, count, audience in report.by_month
        ],
        "by_country": report.by_country,
        "top_contributors": [asdict(row) for row in report.top],
        "behind_pace": [{**asdict(row), "term_end": row.term_end.isoformat()} for row in report.behind_pace],
        "renewals": report.renewals,
        "emeritus": report.emeritus,
        "chart": report.series.to_json(),
    }


def _table(head: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def as_markdown(report: ProgramReport) -> str:
    period = report.period
    lines = [
        f"# Program report: {period.label}",
        "",
        f"{period.start.isoformat()} to {period.end.isoformat()}, as of {report.today.isoformat()}.",
        "",
        f"{report_blocks.headline(report)}.",
        "",
        *_table(
            ("Figure", "Value"),
            [
                ("Ambassadors in the period", f"{report.ambassadors_in_period:,}"),
                ("Ambassadors now", f"{report.ambassadors_now:,}"),
                ("Contributions", f"{report.contributions:,}"),
                ("Coming up (logged ahead)", f"{report.upcoming:,}"),
                ("Total audience", f"{report.audience:,}"),
                ("Renewals", f"{report.renewals:,}"),
                ("Moved to emeritus", report_blocks.emeritus_text(report)),
                ("Behind pace today", f"{len(report.behind_pace):,}"),
            ],
        ),
        "",
        "## By type",
        "",
        *_table(
            ("Type", "Contributions"),
            [(membership_rules.type_label(k), v) for k, v in report.by_type.items()],
        ),
        "",
        "## By month (when it happened)",
        "",
        *_table(("Month", "Contributions", "Audience"), report.by_month),
        "",
        "## By country (where it reached people)",
        "",
        *_table(("Country", "Contributions"), report.by_country.items()),
        "",
        "## Top contributors",
        "",
        *_table(
            ("#", "Ambassador", "Contributions", "Audience"),
            [(i, row.name, row.contributions, row.audience) for i, row in enumerate(report.top, start=1)],
        ),
        "",
        "## Behind pace today",
        "",
    ]
    if report.behind_pace:
        lines += _table(
            ("Ambassador", "Counted", "Expected by now", "Term ends"),
            [
                (row.name, row.counted, row.expected_by_now, row.term_end.isoformat())
                for row in report.behind_pace
            ],
        )
    else:
        lines.append("Nobody.")
    return "\n".join(lines) + "\n"


def csv_rows(lines: Iterable[ContributionLine]) -> Iterator[str]:
    """The CSV, a line at a time (the period may hold tens of thousands of contributions)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for line in lines:
        writer.writerow(
            safe_cell(cell)
            for cell in (
                line.occurred_on.isoformat(),
                line.member,
                line.github or "",
                line.member_country or "",
                line.type,
                line.title,
                line.link,
                "yes" if line.counted else "upcoming",
                line.event_name or "",
                line.city or "",
                line.country or "",
                "yes" if line.online else "",
                line.language or "",
                "" if line.audience is None else line.audience,
                line.recording_link or "",
                line.slides_link or "",
                line.source,
            )
        )
        yield flush()
