"""The report's chart and its texts: a PNG readable at Slack's preview size, drawn without loading
matplotlib at start, and the message within Block Kit's limits."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from datetime import date

from bot.blocks import report as report_blocks
from bot.report import drawing, formats
from bot.rules import report as report_rules
from bot.rules.report import Series
from bot.services.report import BehindPace, Contributor, ProgramReport
from tests.fakes.slack import check_message
from tests.paths import ROOT

SERIES = Series(
    "Contributions in 2026",
    [f"2026-{month:02d}" for month in range(1, 13)],
    {"talk": [3] * 12, "article": [5] * 12, "other": [1] * 12},
    [1200] * 12,
)


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    return width, height


def test_starting_the_bot_does_not_load_matplotlib() -> None:
    code = (
        "import sys, bot.cli.main, handlers, jobs.scheduler, bot.outbox.sender, bot.report.drawing; "
        "bot.cli.main.build_parser(); print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_chart_is_a_png_made_for_the_preview() -> None:
    data = drawing.png(SERIES)

    assert data[:8] == drawing.PNG_SIGNATURE
    assert png_size(data) == (800, 640)
    assert 5_000 < len(data) < 500_000
    assert drawing.CHART_MODULE in sys.modules


def test_an_empty_year_still_draws() -> None:
    empty = Series("Contributions in 2027", ["2027-01"], {}, [0])
    assert drawing.png(empty)[:8] == drawing.PNG_SIGNATURE


def report(behind: int = 2, types: int = 3) -> ProgramReport:
    by_type = {f"type{index}": 100 - index for index in range(types)}
    return ProgramReport(
        period=report_rules.quarter(2026, 1),
        today=date(2026, 3, 15),
        required=4,
        ambassadors_in_period=120,
        ambassadors_now=110,
        contributions=sum(by_type.values()),
        upcoming=3,
        contributors=80,
        audience=12345,
        by_type=by_type,
        by_month=[("2026-01", 100, 5000), ("2026-02", 80, 7000), ("2026-03", 20, 345)],
        by_country={f"Country {index}": 40 - index for index in range(30)},
        top=[Contributor(index, f"Member {index}", f"U{index:08d}", 20 - index, 100) for index in range(10)],
        behind_pace=[
            BehindPace(index, f"Slow {index}", f"U9{index:07d}", 0, 1, date(2026, 9, 1))
            for index in range(behind)
        ],
        renewals=7,
        emeritus={"stepped_down": 2, "term_ended": 1},
        series=SERIES,
    )


def test_the_message_has_every_figure_as_text_within_slacks_limits() -> None:
    message = report_blocks.report_message(report(behind=400, types=40))

    check_message(message)  # the fake's Block Kit checks: block count, section text, fields
    text = json.dumps(message["blocks"])
    for figure in (
        "*Ambassadors in the period*\\n120",
        "*Total audience*\\n12,345",
        "3 (2 stepped down, 1 term ended)",
    ):
        assert figure in text
    assert "Behind pace today: 400 of 110" in text and "and 385 more" in text
    assert "and 20 more" in text  # more countries than listed
    assert message["text"].startswith("Program report: 2026-Q1: 3,220 contributions by 80 ambassadors")


def test_nobody_behind_pace_is_said() -> None:
    assert "nobody" in json.dumps(report_blocks.report_message(report(behind=0))["blocks"])


def test_the_chart_comment_and_alt_text_carry_its_data() -> None:
    assert report_blocks.chart_comment(SERIES).splitlines()[1] == "Jan 2026: 9 contributions, audience 1,200"
    alt = report_blocks.chart_alt_text(SERIES)
    assert (
        alt.startswith("Bar chart: Contributions in 2026. Contributions per month: Jan 2026 9;")
        and len(alt) <= 1000
    )


def test_markdown_and_json() -> None:
    markdown = formats.as_markdown(report())
    assert markdown.startswith("# Program report: 2026-Q1\n")
    assert "| Total audience | 12,345 |" in markdown and "| Slow 1 | 0 | 1 | 2026-09-01 |" in markdown
    data = formats.as_json(report())
    assert data["period"] == {"label": "2026-Q1", "from": "2026-01-01", "to": "2026-03-31"}
    assert data["emeritus"] == {"stepped_down": 2, "term_ended": 1} and data["chart"]["audience"][0] == 1200
    json.dumps(data)
