"""Access that follows the roster, end to end: a TSC member approves and later moves someone to
emeritus through signed Slack requests, the jobs follow in the fake Slack and the fake GitHub, and
`ambassador-bot access [--dry-run]` as a user runs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import ids
from bot.store.db import Database
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.e2e.test_cli import run, sqlite_env
from tests.e2e.test_review import apply, as_clicked
from tests.fakes.github import TOKEN, FakeGitHub
from tests.fakes.slack import BOT_TOKEN, BOT_USER_ID, FakeSlack
from tests.helpers.factories import enrol
from tests.helpers.jobs import at, job_context
from tests.helpers.membership import dm_texts, settle  # noqa: F401 (fixture)

NOW = at("2026-03-15T12:00:00+00:00")
CHANNEL = "C0AMBASSADORS"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(users={"janedoe", "olek"}, memberships={"janedoe": "active", "olek": "active"}).start()
    fake.add_team("ambassadors")
    yield fake
    fake.stop()


def places(github: FakeGitHub) -> dict[str, Any]:
    return {
        "slack_ambassadors_group": "ambassadors",
        "slack_ambassadors_channel": CHANNEL,
        "github_org": "asyncapi",
        "github_team": "ambassadors",
        "github_token": TOKEN,
        "github_api_url": github.url,
    }


def test_approval_and_emeritus_in_slack_are_followed_by_the_group_the_channel_and_the_team(
    make_bot: Any, github: FakeGitHub
) -> None:
    bot: Bot = make_bot(**places(github))
    group = bot.fake.add_usergroup("ambassadors", (OTHER,))
    bot.fake.add_private_channel(CHANNEL, (TSC, OTHER))
    enrol(bot.db, OTHER, NOW.date(), "Olek Other", github="olek")
    bot.clock.set("2026-03-15T12:00:00")
    application_id, post = apply(bot)  # Jane's form gives the GitHub handle janedoe
    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))
    bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "Welcome" in t])
    ctx = job_context(bot.db, bot.fake, **places(github))

    run_job(ctx, "access-changes", NOW)

    assert bot.fake.group_members(group) == [MEMBER, OTHER]
    assert bot.fake.channel_members(CHANNEL) == {BOT_USER_ID, TSC, OTHER, MEMBER}
    assert github.teams["ambassadors"].members == {"janedoe": "member"}

    response = bot.slack.command("admin emeritus <@U0MEMBER|jane> Stepping down", TSC)
    assert response.status == 200
    run_job(ctx, "access-changes", NOW + timedelta(minutes=1))
    run_job(ctx, "sender", NOW + timedelta(minutes=2))

    assert bot.fake.group_members(group) == [OTHER]
    assert bot.fake.channel_members(CHANNEL) == {BOT_USER_ID, TSC, OTHER}
    assert github.teams["ambassadors"].members == {}
    assert github.memberships["janedoe"] == "active"  # the organization keeps them
    notes = [m.text for m in bot.fake.messages_in(REVIEW_CHANNEL) if "Access:" in m.text]
    assert len(notes) == 6
    assert [note.split("Access: ", 1)[1].split(" ")[0] for note in notes] == ["Added"] * 3 + ["Removed"] * 3


def prepared(tmp_path: Path, fake: FakeSlack, github: FakeGitHub) -> dict[str, str]:
    env = sqlite_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.url,
        REVIEW_CHANNEL=REVIEW_CHANNEL,
        TSC_USER_IDS=TSC,
        SLACK_AMBASSADORS_GROUP="@ambassadors",
        SLACK_AMBASSADORS_CHANNEL=CHANNEL,
        GITHUB_ORG="asyncapi",
        GITHUB_TEAM="ambassadors",
        GITHUB_TOKEN=TOKEN,
        GITHUB_API_URL=github.url,
    )
    assert run("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    db = Database(env["DATABASE_URL"])
    enrol(db, MEMBER, NOW.date(), "Jane Doe", github="janedoe")
    enrol(db, OTHER, NOW.date(), "Olek Other", github="olek")
    db.dispose()
    fake.add_usergroup("ambassadors", (MEMBER, "U0FORMER"), group_id="S0AMB")
    fake.add_user("U0FORMER", "Fay Former")
    fake.add_private_channel(CHANNEL, (TSC, MEMBER))
    github.teams["ambassadors"].members["olek"] = "member"
    return env


def test_the_command_shows_the_differences_then_fixes_them_and_tells_the_review_channel(
    tmp_path: Path, fake_slack: FakeSlack, github: FakeGitHub
) -> None:
    env = prepared(tmp_path, fake_slack, github)

    dry = run("access", "--dry-run", cwd=tmp_path, env=env)

    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "access (dry run: nothing changed)\n"
        "SLACK_AMBASSADORS_GROUP ambassadors:\n"
        "  + would add Olek Other (U0OTHER)\n"
        "  - would remove U0FORMER\n"
        f"SLACK_AMBASSADORS_CHANNEL {CHANNEL}:\n"
        "  + would add Olek Other (U0OTHER)\n"
        "  = keeps U0TSC (not an ambassador, never removed)\n"
        "GITHUB_TEAM asyncapi/ambassadors:\n"
        "  + would add Jane Doe (janedoe)\n"
    )
    assert github.writes() == [] and fake_slack.messages == []

    fixed = run("access", cwd=tmp_path, env=env)

    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.splitlines()[0] == "4 changes queued by the daily check"
    assert fake_slack.group_members("S0AMB") == [MEMBER, OTHER]
    assert fake_slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, MEMBER, OTHER}
    assert github.teams["ambassadors"].members == {"janedoe": "member", "olek": "member"}
    notes = [message.text for message in fake_slack.messages_in(REVIEW_CHANNEL)]
    assert len(notes) == 4 and all(note.startswith(":busts_in_silhouette: Access: ") for note in notes)
    assert TOKEN not in fixed.stdout + fixed.stderr

    again = run("access", "--dry-run", cwd=tmp_path, env=env)
    assert again.stdout.count("in step with the ambassadors") == 3


def test_the_command_with_no_place_set_up_says_how_to_turn_it_on(tmp_path: Path) -> None:
    result = run("access", "--dry-run", cwd=tmp_path, env=sqlite_env(tmp_path))

    assert result.returncode == 2
    assert (
        "access is off: set SLACK_AMBASSADORS_GROUP, SLACK_AMBASSADORS_CHANNEL or GITHUB_TEAM"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
