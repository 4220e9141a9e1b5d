"""Inviting new ambassadors to the GitHub organization: queued with the approval (or `admin add`), told
in the welcome DM, sent once by the `invitations` job whatever reruns, crashes and replicas do, and a
failure reported once to the review channel."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.cli.main import main
from bot.services import invitations
from bot.store.db import Database
from bot.store.models import AuditEvent, GitHubInvitation, InvitationStatus
from jobs import invitations as invitations_job
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, Bot
from tests.e2e.test_review import apply, as_clicked
from tests.fakes.github import TOKEN, FakeGitHub
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.helpers.factories import add_member
from tests.helpers.jobs import at, job_context, outbox
from tests.helpers.membership import dm_texts, settle  # noqa: F401 (fixture)

NOW = at("2026-03-15T12:00:00+00:00")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(
        users={"janedoe", "olek", "member1", "member2", "member3", "member4", "member5"}
    ).start()
    yield fake
    fake.stop()


def github_settings(fake: FakeGitHub) -> dict[str, Any]:
    return {"github_org": "asyncapi", "github_token": TOKEN, "github_api_url": fake.url}


def rows(db: Database) -> list[tuple[str, str, int]]:
    with db.transaction() as session:
        return [
            (row.login, row.status, row.attempts)
            for row in session.scalars(select(GitHubInvitation).order_by(GitHubInvitation.id))
        ]


def invites(fake: FakeGitHub) -> list[str]:
    return [call.path.rsplit("/", 1)[-1] for call in fake.calls_to("PUT", "^/orgs/asyncapi/memberships/")]


def queue(db: Database, logins: list[str]) -> None:
    for login in logins:
        member_id = add_member(db, None, login.title(), github=login)
        with db.transaction() as session:
            invitations.queue_invitation(session, member_id, "asyncapi", now=NOW)


def test_an_approval_invites_once_and_the_welcome_says_so(make_bot: Any, github: FakeGitHub) -> None:
    bot: Bot = make_bot(**github_settings(github))
    bot.clock.set("2026-03-15T12:00:00")
    application_id, post = apply(bot)  # Jane's form gives the GitHub handle janedoe

    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))

    welcome = bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "Welcome" in t])[0]
    assert "I am inviting you (`janedoe`) to the *asyncapi* organization on GitHub" in welcome
    assert rows(bot.db) == [("janedoe", "pending", 0)]
    ctx = job_context(bot.db, bot.fake, **github_settings(github))

    first = run_job(ctx, "invitations", NOW)
    again = run_job(ctx, "invitations", NOW + timedelta(hours=2))

    assert first.notes == ["janedoe: invited"] and again.notes == []
    assert invites(github) == ["janedoe"]
    assert github.calls_to("PUT", "memberships/janedoe")[0].body == {"role": "member"}
    assert github.memberships == {"janedoe": "pending"}
    assert rows(bot.db) == [("janedoe", "invited", 1)]
    with bot.db.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "github.invited")).one()
        assert (event.actor, event.details) == ("scheduler", {"org": "asyncapi", "login": "janedoe"})


def test_admin_add_of_a_known_member_invites_them(make_bot: Any, github: FakeGitHub) -> None:
    bot: Bot = make_bot(**github_settings(github))
    add_member(bot.db, OTHER, "Olek Other", github="olek")

    bot.slack.command("admin add <@U0OTHER|olek>", TSC)

    welcome = bot.fake.wait_for(lambda: dm_texts(bot, OTHER))[0]
    assert "inviting you (`olek`)" in welcome
    assert rows(bot.db) == [("olek", "pending", 0)]


def test_without_an_organization_nothing_is_queued_or_said(bot: Bot) -> None:
    add_member(bot.db, OTHER, "Olek Other", github="olek")
    bot.slack.command("admin add <@U0OTHER|olek>", TSC)
    welcome = bot.fake.wait_for(lambda: dm_texts(bot, OTHER))[0]
    assert "GitHub" not in welcome
    assert rows(bot.db) == []


def test_a_member_already_in_the_organization_is_not_invited(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub
) -> None:
    github.memberships["member1"] = "active"
    queue(db, ["member1"])

    result = run_job(job_context(db, fake_slack, **github_settings(github)), "invitations", NOW)

    assert result.notes == ["member1: already a member"]
    assert invites(github) == []
    assert rows(db) == [("member1", "already_member", 1)]


def test_a_runner_that_died_after_inviting_is_not_followed_by_a_second_invitation(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub
) -> None:
    queue(db, ["member1"])
    claimed = invitations.claim(db, invitations.due(db, NOW)[0], NOW)
    assert claimed is not None
    with invitations_job.GitHubClient(TOKEN, github.url) as client:
        client.invite_to_org("asyncapi", "member1")  # ... and the runner dies before recording it
    ctx = job_context(db, fake_slack, **github_settings(github))

    assert run_job(ctx, "invitations", NOW + timedelta(minutes=5)).notes == []  # its lease holds
    later = run_job(ctx, "invitations", NOW + timedelta(minutes=11))

    assert later.notes == ["member1: already invited"]
    assert invites(github) == ["member1"]


def test_an_invitation_someone_else_sent_first_is_taken_as_done(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub
) -> None:
    # The community's own workflow (PUT /orgs/asyncapi/memberships/member1 with its token) was first.
    with invitations_job.GitHubClient("ghp_the-community-workflow", github.url) as workflow:
        github.token = "ghp_the-community-workflow"
        workflow.invite_to_org("asyncapi", "member1")
        github.token = TOKEN
    github.calls.clear()
    queue(db, ["member1"])

    result = run_job(job_context(db, fake_slack, **github_settings(github)), "invitations", NOW)

    assert result.notes == ["member1: already invited"]
    assert invites(github) == []  # the bot only looked
    assert rows(db) == [("member1", "invited", 1)]


def test_jobs_run_invitations_says_when_it_is_off_and_delivers_the_report_it_queued(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub, tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    off = run_job(job_context(db, fake_slack), "invitations", NOW)
    assert off.reasons == ["invitations are off (GITHUB_ORG is not set); nothing is queued or sent"]
    assert off.notes == []  # the scheduler's log stays quiet at every tick

    queue(db, ["ghost"])  # no such GitHub user: a permanent failure, reported to the review channel
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DATABASE_URL": db.url,
        "SLACK_API_URL": fake_slack.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "REVIEW_CHANNEL": REVIEW_CHANNEL,
        "GITHUB_ORG": "asyncapi",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": github.url,
        "SEND_RATE_PER_SECOND": "0",
    }.items():
        monkeypatch.setenv(name, value)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert main(["jobs", "run", "invitations", "--now", NOW.isoformat(), "--yes"]) == 0
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)

    printed = capsys.readouterr().out
    assert "invitations: 0 due, 0 new, 1 queued, 1 sent" in printed and "ghost: failed" in printed
    posted = fake_slack.messages_in(REVIEW_CHANNEL)
    assert len(posted) == 1 and "GitHub has no user `ghost`" in posted[0].text
    assert [row.status for row in outbox(db, "github_invite_failed")] == ["sent"]


def test_a_rate_limit_is_waited_out_and_github_errors_are_retried_later(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub
) -> None:
    queue(db, ["member1"])
    ctx = job_context(db, fake_slack, **github_settings(github))
    github.rate_limit("GET", "memberships/member1", retry_after=1)
    github.fail("PUT", "memberships/member1", 502, times=2)

    first = run_job(ctx, "invitations", NOW)

    assert first.notes == ["member1: will retry"]
    assert rows(db) == [("member1", "pending", 1)]
    assert run_job(ctx, "invitations", NOW + timedelta(seconds=30)).notes == []  # not due yet
    assert run_job(ctx, "invitations", NOW + timedelta(minutes=2)).notes == ["member1: invited"]
    assert rows(db) == [("member1", "invited", 2)]


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_rate_limit_without_retry_after_is_retried_later_not_failed(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub, status: int
) -> None:
    # GitHub does not always send Retry-After, and the primary limit's headers then show requests
    # remaining: only the message tells it from a refusal.
    queue(db, ["member1"])
    ctx = job_context(db, fake_slack, **github_settings(github))
    github.rate_limit("PUT", "memberships/member1", retry_after=None, status=status)

    assert run_job(ctx, "invitations", NOW).notes == ["member1: will retry"]
    assert rows(db) == [("member1", "pending", 1)]
    assert run_job(ctx, "invitations", NOW + timedelta(minutes=2)).notes == ["member1: invited"]
    assert outbox(db) == []


@pytest.mark.parametrize(
    ("login", "set_up", "expected"),
    [
        ("ghost", lambda fake: None, "GitHub has no user `ghost`"),
        ("member2", lambda fake: setattr(fake, "can_invite", False), "*Members: read and write*"),
        (
            "member3",
            lambda fake: fake.uninvitable.add("member3"),
            "GitHub said: Validation Failed; Invitee is blocked.",
        ),
    ],
)
def test_a_permanent_failure_is_reported_once_to_the_review_channel(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub, login: str, set_up: Any, expected: str
) -> None:
    set_up(github)
    queue(db, [login])
    ctx = job_context(db, fake_slack, **github_settings(github))

    assert run_job(ctx, "invitations", NOW).notes == [f"{login}: failed"]
    run_job(ctx, "invitations", NOW + timedelta(hours=1))
    run_job(ctx, "sender", NOW + timedelta(hours=1))

    assert rows(db)[0][1] == "failed"
    reports = outbox(db, "github_invite_failed")
    assert [(row.channel, row.status) for row in reports] == [(REVIEW_CHANNEL, "sent")]
    posted = fake_slack.messages_in(REVIEW_CHANNEL)
    assert len(posted) == 1 and expected in posted[0].text
    assert f"`{login}`" in posted[0].text and "https://github.com/orgs/asyncapi/people" in posted[0].text


@pytest.mark.postgres_only
def test_two_replicas_running_the_job_at_once_invite_each_member_once(
    db: Database, fake_slack: FakeSlack, github: FakeGitHub
) -> None:
    logins = ["member1", "member2", "member3", "member4", "member5"]
    queue(db, logins)
    contexts = [job_context(db, fake_slack, **github_settings(github)) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def replica(index: int) -> None:
        try:
            start.wait()
            for _ in range(3):  # reruns too; the advisory lock is left out, the claims are the guard
                invitations_job.run(contexts[index], NOW, False)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=replica, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(invites(github)) == logins
    assert {status for _login, status, _attempts in rows(db)} == {InvitationStatus.INVITED}
    assert {attempts for _login, _status, attempts in rows(db)} == {1}


def test_the_approval_is_published_with_a_link_to_the_decision_in_slack(
    make_bot: Any, github: FakeGitHub
) -> None:
    # (Here rather than in test_publish: this module has the Slack application flow at hand.)
    bot: Bot = make_bot(**github_settings(github))
    bot.clock.set("2026-03-15T12:00:00")
    application_id, post = apply(bot)
    bot.slack.click(ids.APPROVE, TSC, value=str(application_id), message=as_clicked(post))
    bot.fake.wait_for(lambda: [t for t in dm_texts(bot, MEMBER) if "Welcome" in t])
    github.commit_on(
        "master", {"AMBASSADORS_MEMBERS.yaml": "", "Emeritus.yaml": "emeritus_ambassadors: []\n"}
    )
    ctx = job_context(bot.db, bot.fake, github_repo="asyncapi/community", **github_settings(github))

    result = run_job(ctx, "publish", NOW)

    assert result.notes == [
        "publish: opened pull request #1 https://github.com/asyncapi/community/pull/1 (AMBASSADORS_MEMBERS.yaml)"
    ]
    body = github.pulls[0].body
    permalink = f"https://example.slack.com/archives/{REVIEW_CHANNEL}/p{post.ts.replace('.', '')}"
    assert (
        f"- **Jane Doe** ([@\u200bjanedoe](https://github.com/janedoe)): approved on 2026-03-15 ([the decision in Slack]({permalink}))"
        in body
    )
    published = github.file("ambassador-bot/public-list", "AMBASSADORS_MEMBERS.yaml") or ""
    assert published.startswith("- name: Jane Doe\n  img: https://github.com/janedoe.png\n")
