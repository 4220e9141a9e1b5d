"""The first minutes with `ambassador-bot`: --version, usage errors, and databases that cannot be used."""

from __future__ import annotations

import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.e2e.test_cli import COMMAND
from tests.paths import ROOT


def test_version_and_an_unknown_flag_showing_the_usage_of_the_subcommand_it_was_given_to(
    tmp_path: Path,
) -> None:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db",
    }
    # Started together: each is a whole interpreter start.
    asked_version, unknown_flag = (
        subprocess.Popen(
            [COMMAND, *args],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in (["--version"], ["jobs", "run", "reminders", "--bogus"])
    )
    version_out, _ = asked_version.communicate(timeout=60)
    _, usage = unknown_flag.communicate(timeout=60)

    assert (asked_version.returncode, version_out) == (0, f"ambassador-bot {version('ambassador-bot')}\n")
    assert unknown_flag.returncode == 2
    lines = usage.splitlines()
    assert lines[0].startswith("usage: ambassador-bot jobs run [-h]"), usage
    assert lines[-1] == "ambassador-bot jobs run: error: unrecognized arguments: --bogus"
    assert not (tmp_path / "bot.db").exists()


def test_a_database_that_cannot_be_used_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    """Unsupported, unreachable, and unwritable (no such directory): each named on one line."""
    cases = {
        "mysql://bot:secret@localhost/ambassadors": (
            "ambassador-bot: DATABASE_URL: mysql is not supported; use SQLite or PostgreSQL "
            "(sqlite:///ambassador-bot.db or postgresql://user:password@host:5432/db)"
        ),
        # Port 1 on the loopback: nothing listens there, the connection is refused at once.
        "postgresql://bot:secret@127.0.0.1:1/ambassadors": (
            "ambassador-bot: cannot use the database postgresql+psycopg://bot:***@127.0.0.1:1/ambassadors: "
            'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused'
        ),
        f"sqlite:///{tmp_path}/missing/bot.db": (
            f"ambassador-bot: cannot use the database sqlite:///{tmp_path}/missing/bot.db: unable to open "
            f"database file (does {tmp_path}/missing exist, and may this user write there?)"
        ),
    }
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    # Started together: each is a whole interpreter start, and they do not depend on each other.
    processes = {
        url: subprocess.Popen(
            [COMMAND, "db", "upgrade"],
            cwd=tmp_path,
            env={**environment, "DATABASE_URL": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for url in cases
    }
    for url, process in processes.items():
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 2, (url, stderr)
        assert stdout == ""
        assert stderr == cases[url] + "\n"
        assert "secret" not in stderr


def test_a_file_that_is_not_a_database_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bot.db").write_bytes(b"not a database\n" * 100)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///bot.db")

    assert main(["db", "upgrade"]) == 2

    assert capsys.readouterr().err == (
        "ambassador-bot: cannot use the database sqlite:///bot.db: file is not a database "
        "(that file is not a SQLite database)\n"
    )


def test_the_placeholders_of_env_example_are_named_before_slack_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text(example + f"DATABASE_URL=sqlite:///{tmp_path}/bot.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)

    assert main(["serve"]) == 2

    err = capsys.readouterr().err
    assert "  - SLACK_BOT_TOKEN is still the example from .env.example" in err
    assert "  - SLACK_SIGNING_SECRET is still the example from .env.example" in err
    assert not (tmp_path / "bot.db").exists()  # stopped before anything else
