"""`ambassador-bot contributions import FILE` as a user runs it: the console script, a CSV or YAML file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from bot.store.db import Database
from bot.store.models import Contribution
from tests.conftest import MEMBER
from tests.e2e.test_cli import run, sqlite_env
from tests.helpers.factories import enrol

CSV = """member,type,title,link,date,event_name,city,country,online,language,audience,recording_link,slides_link
janedoe,talk,AsyncAPI at KubeCon,https://example.org/talk,2026-11-20,KubeCon EU,Paris,France,no,English,300,https://youtu.be/x,https://speakerdeck.com/x
U0MEMBER,article,Event-driven APIs,https://dev.to/jane/eda,2026-10,,,,,English,1200,,
janedoe,talk,Same talk,https://EXAMPLE.org/talk/,2026-11-20,,,,,,,,
"""
YAML = """- member: janedoe
  type: podcast
  title: An episode
  link: https://podcasts.apple.com/x/id1
  date: 2026-09-01
  language: Spanish
  audience: 800
"""


def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path}/bot.db")
    db.upgrade()
    enrol(db, MEMBER, date(2026, 3, 2), github="janedoe")
    return db


def contributions(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count(Contribution.id))) or 0


def test_a_dry_run_then_the_import(tmp_path: Path) -> None:
    db = database(tmp_path)
    (tmp_path / "talks.csv").write_text(CSV)

    dry = run("contributions", "import", "talks.csv", "--dry-run", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert dry.returncode == 0, dry.stderr
    assert "talks.csv: 3 rows" in dry.stdout
    assert "would add 2 contributions for 1 member" in dry.stdout
    assert "line 2: Jane Doe — talk “AsyncAPI at KubeCon” 2026-11-20" in dry.stdout
    assert "line 4: same link as line 2 (https://EXAMPLE.org/talk/)" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert contributions(db) == 0

    done = run("contributions", "import", "talks.csv", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "added 2 contributions for 1 member" in done.stdout
    assert contributions(db) == 2

    (tmp_path / "more.yaml").write_text(YAML)
    more = run("contributions", "import", "more.yaml", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert more.returncode == 0, more.stderr
    assert "added 1 contribution for 1 member" in more.stdout
    again = run("contributions", "import", "talks.csv", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert "added 0 contributions" in again.stdout and "already on Jane Doe's record" in again.stdout
    assert contributions(db) == 3
    db.dispose()


def test_a_file_with_a_problem_exits_2_and_changes_nothing(tmp_path: Path) -> None:
    db = database(tmp_path)
    (tmp_path / "bad.csv").write_text(CSV.replace("janedoe,talk,AsyncAPI", "nobody,talk,AsyncAPI"))
    bad = run("contributions", "import", "bad.csv", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert bad.returncode == 2
    assert "1 problem; nothing was imported:" in bad.stdout
    assert "line 2: no member 'nobody'" in bad.stdout
    assert contributions(db) == 0
    missing = run("contributions", "import", "nope.csv", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert (missing.returncode, missing.stderr.strip()) == (2, "ambassador-bot: nope.csv: no such file")
    (tmp_path / "list.yaml").write_text("member: janedoe\n")
    shape = run("contributions", "import", "list.yaml", cwd=tmp_path, env=sqlite_env(tmp_path))
    assert shape.returncode == 2 and "a YAML list of contributions was expected" in shape.stderr
    db.dispose()
