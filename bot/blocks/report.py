"""The program report as Slack shows it: every figure as text (the chart repeats some of them as a
picture, posted beside it), within Block Kit's limits; and the words around the chart."""

from __future__ import annotations

from typing import Any

from bot.blocks import kit
from bot.blocks.emeritus import reason_label
from bot.rules import membership as membership_rules
from bot.rules.report import Period, Series, month_label
from bot.services.report import ProgramReport

LISTED = 10  # lines of a list shown in Slack; the CLI's formats show everything
BEHIND_LISTED = 15

REPORT_REFUSED = (
    "The program report is for the TSC. If you are on the TSC and see this, ask an admin to add you "
    "(`TSC_USER_IDS`, or the TSC flag in the members file)."
)
REPORT_USAGE = (
    "Try `/ambassador report` (this year so far), `/ambassador report 2026` or `/ambassador report 2026-Q3`."
)
WORKING = ":hourglass_flowing_sand: Putting the program report together…"
CHART_FAILED = "The figures are above; the chart could not be posted this time."


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def period_error(message: str) -> str:
    return f"{message}.\n{REPORT_USAGE}"


def headline(report: ProgramReport) -> str:
    reached = f", reaching about {report.audience:,} people" if report.audience else ""
    return (
        f"{plural(report.contributions, 'contribution')} by {plural(report.contributors, 'ambassador')}"
        f"{reached}"
    )


def type_lines(report: ProgramReport, limit: int | None = LISTED) -> list[str]:
    items = list(report.by_type.items())
    return [f"{membership_rules.type_label(kind)}: {count:,}" for kind, count in items[:limit]] + _more(
        items, limit
    )


def month_lines(report: ProgramReport) -> list[str]:
    return [
        f"{month_label(month)}: {plural(count, 'contribution')}, audience {audience:,}"
        for month, count, audience in report.by_month
    ]


def country_lines(report: ProgramReport, limit: int | None = LISTED) -> list[str]:
    items = list(report.by_country.items())
    return [f"{name}: {count:,}" for name, count in items[:limit]] + _more(items, limit)


def emeritus_text(report: ProgramReport) -> str:
    if not report.emeritus:
        return "none"
    reasons = ", ".join(f"{count} {reason_label(reason)}" for reason, count in report.emeritus.items())
    return f"{report.emeritus_moves} ({reasons})"


def _more(items: list[Any], limit: int | None) -> list[str]:
    return [f"…and {len(items) - limit} more"] if limit is not None and len(items) > limit else []


def _name(slack_user_id: str | None, name: str) -> str:
    return kit.mention(slack_user_id, name) if slack_user_id else kit.escape(name)


def report_message(report: ProgramReport) -> dict[str, Any]:
    """The report in one message (about a dozen blocks, each section well under 3,000 characters)."""
    period = report.period
    title = f"Program report: {period.label}"
    fields = [
        f"*Ambassadors in the period*\n{report.ambassadors_in_period:,}",
        f"*Ambassadors now*\n{report.ambassadors_now:,}",
        f"*Contributions*\n{report.contributions:,}"
        + (f" (+{report.upcoming:,} coming up)" if report.upcoming else ""),
        f"*Total audience*\n{report.audience:,}",
        f"*Renewals*\n{report.renewals:,}",
        f"*Moved to emeritus*\n{emeritus_text(report)}",
    ]
    blocks: list[kit.Block] = [
        kit.header(title),
        kit.context(
            f"{period.start.isoformat()} to {period.end.isoformat()}, as of {report.today.isoformat()}"
        ),
        kit.section(headline(report) + "."),
        {"type": "section", "fields": [kit.mrkdwn(kit.truncate(text, 2000)) for text in fields]},
    ]
    lists = [
        ("By type", type_lines(report)),
        ("By month (when it happened)", month_lines(report)),
        ("By country (where it reached people)", country_lines(report)),
        (
            "Top contributors",
            [
                f"{index}. {_name(row.slack_user_id, row.name)}: {plural(row.contributions, 'contribution')}"
                + (f", audience {row.audience:,}" if row.audience else "")
                for index, row in enumerate(report.top, start=1)
            ],
        ),
    ]
    for heading, lines in lists:
        if lines:
            blocks.append(kit.section(f"*{heading}*\n" + "\n".join(lines)))
    behind = report.behind_pace
    if behind:
        names = [
            f"{_name(row.slack_user_id, row.name)} ({row.counted}/{report.required}, "
            f"{row.expected_by_now} expected by now)"
            for row in behind[:BEHIND_LISTED]
        ]
        more = f"\n…and {len(behind) - BEHIND_LISTED} more" if len(behind) > BEHIND_LISTED else ""
        blocks.append(
            kit.section(
                f"*Behind pace today: {len(behind):,} of {report.ambassadors_now:,}*\n"
                + ", ".join(names)
                + more
            )
        )
    else:
        blocks.append(kit.section("*Behind pace today:* nobody :tada:"))
    text = f"{title}: {headline(report)}; {plural(report.renewals, 'renewal')}, {report.emeritus_moves} moved to emeritus."
    return kit.message(text, blocks)


def chart_filename(period: Period) -> str:
    return f"ambassador-program-{period.key}.png"


def chart_comment(series: Series) -> str:
    """The words posted with the chart: what it shows, and its figures as text."""
    return f"*{series.title}* — per month, by type; audience per month\n{series.as_text()}"[
        : kit.MAX_SECTION_TEXT
    ]


def chart_alt_text(series: Series) -> str:
    """For screen readers (Slack takes up to 1,000 characters)."""
    months = "; ".join(
        f"{month_label(month)} {total}" for month, total in zip(series.months, series.totals(), strict=True)
    )
    return kit.truncate(f"Bar chart: {series.title}. Contributions per month: {months}.", 1000)
