"""`ambassador-bot` as a user runs it: the installed console script, in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.store.db import Database, alembic_config
from bot.store.models import Base
from tests import paths
from tests.conftest import POSTGRES_URL

COMMAND = str(Path(sys.executable).parent / "ambassador-bot")
DATA = paths.DATA / "asyncapi"
MEMBERS_JSON = DATA / "AMBASSADORS_MEMBERS.json"
MEMBERS_YAML = DATA / "AMBASSADORS_MEMBERS.yaml"
TABLES = {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
# The newest migration, whichever it is: `db upgrade` names it.
(HEAD,) = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the console script with only the given settings (no inherited SLACK_* or DATABASE_URL)."""
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run(
        [COMMAND, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sqlite_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", **extra}


@pytest.fixture
def fresh_postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty PostgreSQL database (no schema yet), dropped afterwards."""
    if request.config.getoption("--no-postgres"):
        pytest.skip("--no-postgres given")
    admin = make_url(POSTGRES_URL)
    name = f"ambassador_cli_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL is not reachable ({exc.__class__.__name__})", pytrace=False)
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def tables_in(url: str) -> set[str]:
    database = Database(url)
    try:
        return set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


# --- settings -----------------------------------------------------------------------------------


def test_invalid_settings_are_each_named_once_with_exit_status_2(tmp_path: Path) -> None:
    env = sqlite_env(
        tmp_path,
        PORT="eighty",
        TSC_USER_IDS="U0TSC,bob",
        TIMEZONE="Mars/Olympus",
        REVIEW_CHANNEL="#general",
        REQUIRED_CONTRIBUTIONS="0",
    )

    result = run("db", "upgrade", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 5, result.stderr
    for name, detail in (
        ("PORT", "integer"),
        ("TSC_USER_IDS", "bob"),
        ("TIMEZONE", "'Mars/Olympus' is not an IANA time zone"),
        ("REVIEW_CHANNEL", "'#general' is not a Slack channel ID"),
        ("REQUIRED_CONTRIBUTIONS", "greater than or equal to 1"),
    ):
        assert any(line.startswith(f"  - {name}:") and detail in line for line in problems), (name, problems)
    assert not (tmp_path / "bot.db").exists()  # nothing touched


def test_serve_without_slack_credentials_names_what_is_missing(tmp_path: Path) -> None:
    result = run("serve", cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "SLACK_BOT_TOKEN is not set" in result.stderr
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr


def test_settings_are_read_from_a_dotenv_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\nSLACK_SIGNING_SECRET=s\n")

    result = run("serve", cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN must be a bot token starting with xoxb-" in result.stderr
    assert "not-a-bot-token" not in result.stderr + result.stdout


# --- db upgrade ---------------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_and_is_idempotent_on_sqlite(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)

    first = run("db", "upgrade", cwd=tmp_path, env=env)
    second = run("db", "upgrade", cwd=tmp_path, env=env)

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout == f"database migrated to revision {HEAD}\n"
    assert second.stdout == "database is up to date\n"
    assert tables_in(f"sqlite:///{tmp_path}/bot.db") == TABLES


def test_database_url_defaults_to_a_sqlite_file_in_the_working_directory(tmp_path: Path) -> None:
    result = run("db", "upgrade", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert tables_in(f"sqlite:///{tmp_path}/ambassador-bot.db") == TABLES


def test_two_db_upgrades_started_at_once_on_postgres_both_succeed(
    tmp_path: Path, fresh_postgres: str
) -> None:
    env = {"DATABASE_URL": fresh_postgres}
    command = [COMMAND, "db", "upgrade"]
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env}
    processes = [
        subprocess.Popen(
            command, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [process.communicate(timeout=60) for process in processes]

    for process, (_stdout, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr.decode()
    # The advisory lock made one wait for the other: exactly one of them applied the migration.
    assert sorted(stdout.decode() for stdout, _ in results) == [
        "database is up to date\n",
        f"database migrated to revision {HEAD}\n",
    ]
    assert tables_in(fresh_postgres) == TABLES
    assert Database(fresh_postgres).is_up_to_date()


# --- import and export ----------------------------------------------------------------------------


def test_import_then_export_gives_the_website_file_back(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path, TIMEZONE="Europe/Madrid")

    imported = run("import", str(MEMBERS_JSON), "--term-start", "2026-03-01", cwd=tmp_path, env=env)
    again = run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env)
    exported = run("export", cwd=tmp_path, env=env)

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == (
        "Imported AMBASSADORS_MEMBERS.json: 9 members added, 0 updated, 0 unchanged; "
        "63 contributions added, 0 updated.\nNew members are ambassadors from 2026-03-01.\n"
    )
    assert again.stdout == (
        "Imported AMBASSADORS_MEMBERS.yaml: 0 members added, 0 updated, 9 unchanged; "
        "0 contributions added, 0 updated.\n"
    )
    assert exported.returncode == 0, exported.stderr
    website = json.loads(MEMBERS_JSON.read_text(encoding="utf-8"))
    assert canonical(json.loads(exported.stdout)) == canonical(website)


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True)


def test_export_to_files_in_json_and_yaml_and_the_emeritus_list(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env).returncode == 0

    to_yaml = run("export", "-o", "members.yaml", cwd=tmp_path, env=env)
    to_json = run("export", "--format", "json", "-o", "members.out", cwd=tmp_path, env=env)
    emeritus = run("export", "--emeritus", cwd=tmp_path, env=env)

    source = f"sqlite:///{tmp_path}/bot.db"
    assert to_yaml.stdout == f"Wrote 9 ambassadors from {source} to members.yaml (yaml).\n"
    assert to_json.stdout == f"Wrote 9 ambassadors from {source} to members.out (json).\n"
    website = yaml.safe_load(MEMBERS_YAML.read_text(encoding="utf-8"))
    assert canonical(yaml.safe_load((tmp_path / "members.yaml").read_text(encoding="utf-8"))) == canonical(
        website
    )
    assert canonical(json.loads((tmp_path / "members.out").read_text(encoding="utf-8"))) == canonical(website)
    assert (emeritus.returncode, emeritus.stdout) == (0, "emeritus_ambassadors: []\n")
    assert not list(tmp_path.glob(".members*"))  # no temporary files left behind


def test_the_communitys_yaml_exported_as_yaml_is_the_same_file_byte_for_byte(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env).returncode == 0

    to_stdout = subprocess.run(
        [COMMAND, "export", "--format", "yaml"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
        capture_output=True,
        check=False,
        timeout=60,
    )
    to_file = run("export", "-o", "AMBASSADORS_MEMBERS.yaml", cwd=tmp_path, env=env)

    original = MEMBERS_YAML.read_bytes()
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == original  # `name: "Daniel Kocot"`, quoted as the community writes it
    assert to_file.returncode == 0, to_file.stderr
    assert (tmp_path / "AMBASSADORS_MEMBERS.yaml").read_bytes() == original


def test_a_malformed_file_gives_one_line_and_imports_nothing(tmp_path: Path) -> None:
    data = json.loads(MEMBERS_JSON.read_text(encoding="utf-8"))
    data[3]["contributions"][2]["date"] = {"month": "May"}
    bad = tmp_path / "members.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    env = sqlite_env(tmp_path)

    result = run("import", str(bad), cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"ambassador-bot: {bad}: member 4 (ivangsa): contributions[2].date.year is missing; nothing was imported"
    )
    assert "Traceback" not in result.stderr
    # Nothing was written: not even a database was created.
    assert not (tmp_path / "bot.db").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "missing.json: no such file"),
        (
            "broken.json",
            '[{"name": "x",}]',
            "broken.json: not valid JSON (line 1, column 15: Expecting property name",
        ),
        ("broken.yaml", "- name: [x\n", "broken.yaml: not valid YAML (line 2, column 1: expected ',' or ']'"),
    ],
)
def test_unreadable_files_are_refused_clearly(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")

    result = run("import", name, cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert f"ambassador-bot: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_term_start_is_a_usage_error(tmp_path: Path) -> None:
    result = run(
        "import", str(MEMBERS_JSON), "--term-start", "01/03/2026", cwd=tmp_path, env=sqlite_env(tmp_path)
    )

    assert result.returncode == 2
    assert "argument --term-start: '01/03/2026' is not a date like 2026-01-31" in result.stderr


# --- when members joined --------------------------------------------------------------------------


def terms_in(tmp_path: Path, github: str) -> list[tuple[str, str, str]]:
    database = Database(f"sqlite:///{tmp_path}/bot.db")
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT t.start_on, t.end_on, t.status FROM terms t JOIN members m ON m.id = t.member_id "
                    "WHERE m.github = :github ORDER BY t.start_on"
                ),
                {"github": github},
            )
            return [(str(start), str(end), status) for start, end, status in rows]
    finally:
        database.dispose()


def test_import_with_a_term_starts_file_then_terms_set_and_a_reimport_that_says_what_it_ignored(
    tmp_path: Path,
) -> None:
    env = sqlite_env(tmp_path)
    (tmp_path / "starts.csv").write_text("github,start\ndanielkocot,2022-05-05\n", encoding="utf-8")

    imported = run(
        "import",
        str(MEMBERS_YAML),
        "--term-starts",
        "starts.csv",
        "--term-start",
        "2026-03-01",
        cwd=tmp_path,
        env=env,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.endswith(
        "New members are ambassadors from the day starts.csv gives (from 2026-03-01 when it names none).\n"
    )
    daniel = terms_in(tmp_path, "danielkocot")
    assert daniel[0][:2] == ("2022-05-05", "2023-05-04") and daniel[-1][2] == "active"
    assert terms_in(tmp_path, "gvensan")[0][0] == "2026-03-01"

    again = run("import", str(MEMBERS_YAML), "--term-start", "2025-01-01", cwd=tmp_path, env=env)
    assert again.returncode == 0
    assert "9 unchanged" in again.stdout
    assert again.stderr == (
        "ambassador-bot: note: --term-start 2025-01-01 was not applied to the 9 members already on record "
        "(an import keeps their terms); change a member's term with `ambassador-bot terms set GITHUB --start "
        "YYYY-MM-DD` (or `--file STARTS` for many), or `/ambassador admin term @member start YYYY-MM-DD` in "
        "Slack\n"
    )

    changed = run("terms", "set", "gvensan", "--start", "2025-01-01", cwd=tmp_path, env=env)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.startswith("gvensan joined on 2025-01-01: current term ")
    assert changed.stdout.endswith("1 term changed, 0 already so.\n")
    assert terms_in(tmp_path, "gvensan")[0][:2] == ("2025-01-01", "2025-12-31")


def test_starts_that_cannot_be_taken_are_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path, TIMEZONE="UTC")
    (tmp_path / "unknown.csv").write_text("danielkocot,2022-05-05\nnobody,2023-01-01\n", encoding="utf-8")
    (tmp_path / "future.yaml").write_text("danielkocot: 2999-01-01\n", encoding="utf-8")

    unknown = run("import", str(MEMBERS_YAML), "--term-starts", "unknown.csv", cwd=tmp_path, env=env)
    future = run("import", str(MEMBERS_YAML), "--term-starts", "future.yaml", cwd=tmp_path, env=env)
    future_default = run("import", str(MEMBERS_YAML), "--term-start", "2999-01-01", cwd=tmp_path, env=env)

    assert unknown.returncode == 2
    assert unknown.stderr == (
        "ambassador-bot: unknown.csv: line 2 (nobody): no member of the file has the GitHub handle 'nobody'; "
        "nothing was imported\n"
    )
    assert future.returncode == 2
    assert "future.yaml: danielkocot: 2999-01-01 is in the future (today is " in future.stderr
    assert future_default.returncode == 2
    assert "--term-start 2999-01-01 is in the future (today is " in future_default.stderr
    assert not (tmp_path / "bot.db").exists()

    assert run("import", str(MEMBERS_YAML), cwd=tmp_path, env=env).returncode == 0
    refused = run("terms", "set", "--file", "unknown.csv", cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert refused.stderr == (
        "ambassador-bot: no member on record has the GitHub handle nobody; nothing changed (import the "
        "members file first, or check the spelling)\n"
    )
    usage = run("terms", "set", "danielkocot", cwd=tmp_path, env=env)
    assert usage.returncode == 2 and "give GITHUB --start YYYY-MM-DD (one member)" in usage.stderr


# --- which database --------------------------------------------------------------------------------


def test_a_sqlite_url_with_two_slashes_is_one_line_naming_the_right_spelling(tmp_path: Path) -> None:
    for command in (["export"], ["import", str(MEMBERS_JSON)], ["db", "upgrade"]):
        result = run(*command, cwd=tmp_path, env={"DATABASE_URL": "sqlite://ambassador-bot.db"})

        assert result.returncode == 2, command
        assert result.stderr == (
            "ambassador-bot: DATABASE_URL sqlite://ambassador-bot.db has two slashes, so "
            "'ambassador-bot.db' is read as a host and names no file; a SQLite file is "
            "sqlite:///ambassador-bot.db (three slashes; four before an absolute path, "
            "sqlite:////var/lib/ambassador-bot.db)\n"
        )
    assert list(tmp_path.iterdir()) == []


READ_ONLY_COMMANDS = [
    ["export"],
    ["export", "--emeritus"],
    ["export", "-o", "members.yaml"],
    ["benefits", "export"],
    ["jobs", "run", "reminders", "--dry-run"],
    ["db", "repair-escapes"],
]


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=" ".join)
def test_a_read_where_there_is_no_database_says_so_and_creates_none(
    tmp_path: Path, command: list[str]
) -> None:
    result = run(*command, cwd=tmp_path, env={})

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"ambassador-bot: no database at {tmp_path.resolve()}/ambassador-bot.db (DATABASE_URL "
        "sqlite:///ambassador-bot.db, a path relative to where the command runs): nothing to read, and "
        "none was created. Run it where the bot's database is, or set DATABASE_URL; "
        "`ambassador-bot import FILE` starts a new one\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_read_of_a_database_never_set_up_says_it_is_empty_and_writes_nothing(fresh_postgres: str) -> None:
    result = run("export", cwd=Path("/tmp"), env={"DATABASE_URL": fresh_postgres})

    assert result.returncode == 2
    shown = make_url(fresh_postgres).render_as_string(hide_password=True)
    assert result.stderr == (
        f"ambassador-bot: the database {shown} is empty (ambassador-bot never set it up): nothing to "
        "read, and nothing was written. `ambassador-bot import FILE` (or `db upgrade`) starts it\n"
    )
    assert tables_in(fresh_postgres) == set()


def test_an_export_of_a_database_with_nobody_in_it_says_which_database_it_read(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path)
    assert run("db", "upgrade", cwd=tmp_path, env=env).returncode == 0

    result = run("export", cwd=tmp_path, env=env)

    assert (result.returncode, result.stdout) == (0, "[]\n")
    assert result.stderr == (
        f"ambassador-bot: note: the database sqlite:///{tmp_path}/bot.db has no ambassadors yet "
        "(`ambassador-bot import FILE` brings the members file in)\n"
    )


# --- manifest -----------------------------------------------------------------------------------


def test_manifest_prints_json_for_the_given_url(tmp_path: Path) -> None:
    result = run("manifest", "--url", "https://bot.example.org", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    built = json.loads(result.stdout)
    assert built["settings"]["event_subscriptions"]["request_url"] == "https://bot.example.org/slack/events"
    assert built["features"]["slash_commands"][0]["url"] == "https://bot.example.org/slack/events"
    assert not (tmp_path / "ambassador-bot.db").exists()  # no database needed


def test_manifest_refuses_a_plain_http_url(tmp_path: Path) -> None:
    result = run("manifest", "--url", "http://bot.example.org", cwd=tmp_path)

    assert result.returncode == 2
    assert "is not an https URL" in result.stderr
    assert result.stdout == ""
