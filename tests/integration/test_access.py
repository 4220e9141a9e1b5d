"""Access that follows the roster: the ambassadors' Slack user group, private channel and GitHub team
kept equal to the current ambassadors, each change made once (reruns, crashes, replicas), told to the
review channel once, and failures retried or said once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.rules.access import Place
from bot.services import access
from bot.services import access_changes as access_changes_service
from bot.services.access import Target
from bot.services.membership import emeritus, terms
from bot.slack.client import jobs_client
from bot.store.db import Database
from bot.store.models import AccessChange, AccessChangeStatus, AccessRequest, OutboxMessage
from jobs import access_changes
from jobs.runner import JobContext
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC, make_settings
from tests.fakes.github import TOKEN, FakeGitHub
from tests.fakes.slack import BOT_TOKEN, BOT_USER_ID, FakeSlack
from tests.helpers.factories import add_member, enrol
from tests.helpers.jobs import at, job_context, outbox

NOW = at("2026-03-15T12:00:00+00:00")
GROUP_ID = "S0AMB"
CHANNEL = "C0AMBASSADORS"
TEAM = "ambassadors"
TEAM_PATH = f"/orgs/asyncapi/teams/{TEAM}/memberships/"
PLACES = {
    "slack_ambassadors_group": "ambassadors",
    "slack_ambassadors_channel": CHANNEL,
    "github_org": "asyncapi",
    "github_team": TEAM,
    "github_token": TOKEN,
}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    logins = ["janedoe", "olek", "tess"] + [f"member{number}" for number in range(6)]
    fake = FakeGitHub(users=set(logins), memberships=dict.fromkeys(logins, "active")).start()
    fake.add_team(TEAM, {"tess": "maintainer"})
    yield fake
    fake.stop()


@pytest.fixture
def slack(fake_slack: FakeSlack) -> FakeSlack:
    fake_slack.add_usergroup("ambassadors", group_id=GROUP_ID)
    fake_slack.add_private_channel(CHANNEL, (TSC,))
    return fake_slack


def context(db: Database, fake: FakeSlack, github: FakeGitHub, **overrides: Any) -> JobContext:
    return job_context(db, fake, **{**PLACES, "github_api_url": github.url, **overrides})


def impatient(db: Database, fake: FakeSlack, github: FakeGitHub) -> JobContext:
    """A context whose Slack client does not wait out 429s itself: the change waits instead."""
    settings = make_settings(db.url, fake.url, **{**PLACES, "github_api_url": github.url})
    plain = WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=2, retry_handlers=[])
    return JobContext.create(settings, db, client=plain)


def enrol_now(db: Database, slack_user_id: str | None, name: str, github_login: str | None) -> int:
    """A new ambassador through the program's own path (what an approval or `admin add` does)."""
    member_id = add_member(db, slack_user_id, name, github=github_login)
    with db.transaction() as session:
        terms.enrol(session, member_id, today=NOW.date(), now=NOW, actor=TSC)
    return member_id


def to_emeritus(db: Database, member_id: int) -> None:
    with db.transaction() as session:
        emeritus.move_to_emeritus(session, member_id, "Stepping down", now=NOW, actor=TSC)


def changes(db: Database) -> list[tuple[str, str, str, str]]:
    with db.transaction() as session:
        return [
            (row.system, row.action, row.subject, row.status)
            for row in session.scalars(select(AccessChange).order_by(AccessChange.id))
        ]


def team_writes(github: FakeGitHub) -> list[tuple[str, str]]:
    return [(call.method, call.path.rsplit("/", 1)[-1]) for call in github.writes() if "/teams/" in call.path]


def review_notes(db: Database, fake: FakeSlack, ctx: JobContext) -> list[str]:
    run_job(ctx, "sender", NOW + timedelta(hours=2))
    return [message.text for message in fake.messages_in(REVIEW_CHANNEL)]


def test_a_new_ambassador_is_added_to_every_place_once_and_the_tsc_is_told(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = context(db, slack, github)

    first = run_job(ctx, "access-changes", NOW)
    again = run_job(ctx, "access-changes", NOW + timedelta(hours=1))

    assert first.notes[0] == "3 changes queued after roster changes"
    assert again.notes == []
    assert slack.group_members(GROUP_ID) == [MEMBER]
    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, MEMBER}
    assert github.teams[TEAM].members == {"tess": "maintainer", "janedoe": "member"}
    assert slack.calls_to("usergroups.users.update") == [{"usergroup": GROUP_ID, "users": MEMBER}]
    assert slack.calls_to("conversations.invite") == [{"channel": CHANNEL, "users": MEMBER}]
    assert team_writes(github) == [("PUT", "janedoe")]
    assert github.calls_to("PUT", TEAM_PATH)[0].body == {"role": "member"}
    assert {status for *_rest, status in changes(db)} == {AccessChangeStatus.DONE}
    notes = review_notes(db, slack, ctx)
    assert notes == [
        ":busts_in_silhouette: Access: Added <@U0MEMBER> to the @ambassadors user group: now an ambassador.",
        f":busts_in_silhouette: Access: Added <@U0MEMBER> to the private channel <#{CHANNEL}>: now an ambassador.",
        ":busts_in_silhouette: Access: Added *Jane Doe* (`janedoe`) to the `asyncapi/ambassadors` team on "
        "GitHub: now an ambassador.",
    ]


def test_someone_not_in_the_organization_is_invited_with_the_team(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    github.users.add("newcomer")
    enrol_now(db, MEMBER, "Jane Doe", "NewComer")  # GitHub logins compare without case
    ctx = context(db, slack, github)

    run_job(ctx, "access-changes", NOW)

    assert github.teams[TEAM].pending == {"newcomer"}
    assert github.memberships["newcomer"] == "pending"
    assert "GitHub e-mailed them an invitation to it, with the team." in review_notes(db, slack, ctx)[-1]


def test_leaving_removes_them_everywhere_but_never_from_the_organization(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    member_id = enrol(db, MEMBER, NOW.date(), "Jane Doe", github="janedoe")
    slack.usergroups[GROUP_ID]["users"] = [MEMBER]
    slack.private_channels[CHANNEL].add(MEMBER)
    github.teams[TEAM].members["janedoe"] = "member"
    ctx = context(db, slack, github)

    to_emeritus(db, member_id)
    run_job(ctx, "access-changes", NOW)

    # Slack refuses an empty list: the group is disabled instead, and nobody is reached by it.
    assert slack.calls_to("usergroups.users.update") == []
    assert slack.calls_to("usergroups.disable") == [{"usergroup": GROUP_ID}]
    assert slack.usergroups[GROUP_ID]["date_delete"] != 0
    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC}
    assert slack.calls_to("conversations.kick") == [{"channel": CHANNEL, "user": MEMBER}]
    assert github.teams[TEAM].members == {"tess": "maintainer"}
    assert team_writes(github) == [("DELETE", "janedoe")]
    assert github.memberships["janedoe"] == "active"
    assert not [call for call in github.writes() if call.path.startswith("/orgs/asyncapi/memberships/")]
    notes = review_notes(db, slack, ctx)
    assert len(notes) == 3 and all("Removed" in note and "no longer an ambassador" in note for note in notes)


def test_a_disabled_group_gets_exactly_the_new_ambassadors_and_is_enabled_again(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    # The last ambassador who left is still on the disabled group's list: they must not come back.
    slack.usergroups[GROUP_ID].update(users=[OTHER], date_delete=1773576000)
    enrol_now(db, MEMBER, "Jane Doe", None)

    run_job(context(db, slack, github), "access-changes", NOW)

    assert slack.group_members(GROUP_ID) == [MEMBER]
    assert slack.usergroups[GROUP_ID]["date_delete"] == 0
    assert [call for call in slack.methods() if call.startswith("usergroups.")] == [
        "usergroups.list",
        "usergroups.users.update",
        "usergroups.enable",
    ]


def test_the_daily_check_fixes_both_ways_and_its_dry_run_only_shows(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    enrol(db, MEMBER, NOW.date(), "Jane Doe", github="janedoe")
    enrol(db, "U0PENDING", NOW.date(), "Pat Pending", github="member1")
    former = enrol(db, OTHER, NOW.date(), "Olek Other", github="olek")
    to_emeritus(db, former)
    with db.transaction() as session:  # the daily check alone, not the roster change
        session.query(AccessRequest).delete()
    slack.add_user("U0PENDING", "Pat Pending")
    slack.add_user("U0STRANGER", "Sam Stranger")
    slack.add_user("U0APP", "Zapier")
    slack.users["U0APP"]["is_bot"] = True
    slack.usergroups[GROUP_ID]["users"] = [OTHER, "U0PENDING"]
    slack.private_channels[CHANNEL] |= {OTHER, "U0STRANGER", "U0APP", "U0PENDING"}
    github.teams[TEAM].members["olek"] = "member"
    github.teams[TEAM].pending.add("member1")  # invited with the team, not accepted yet
    ctx = context(db, slack, github)

    dry = run_job(ctx, "access", NOW, dry_run=True)

    assert dry.notes == [
        "SLACK_AMBASSADORS_GROUP ambassadors:",
        "  + would add Jane Doe (U0MEMBER)",
        "  - would remove Olek Other (U0OTHER)",
        f"SLACK_AMBASSADORS_CHANNEL {CHANNEL}:",
        "  + would add Jane Doe (U0MEMBER)",
        "  - would remove Olek Other (U0OTHER)",
        "  - would remove U0STRANGER",
        "  = keeps U0APP (not an ambassador, never removed)",
        "  = keeps U0TSC (not an ambassador, never removed)",
        "GITHUB_TEAM asyncapi/ambassadors:",
        "  + would add Jane Doe (janedoe)",
        "  - would remove Olek Other (olek)",
        "  = keeps tess (not an ambassador, never removed)",
    ]
    writes = ("usergroups.users.update", "usergroups.disable", "conversations.invite", "conversations.kick")
    assert not [method for method in slack.methods() if method in writes]
    assert github.writes() == [] and changes(db) == [] and outbox(db) == []

    run_job(ctx, "access", NOW)
    rerun = run_job(ctx, "access", NOW + timedelta(hours=3))

    assert slack.group_members(GROUP_ID) == [MEMBER, "U0PENDING"]
    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, "U0APP", "U0PENDING", MEMBER}
    assert github.teams[TEAM].members == {"tess": "maintainer", "janedoe": "member"}
    assert github.teams[TEAM].pending == {"member1"}  # not invited again
    assert rerun.notes == []
    assert len(changes(db)) == 7
    assert sorted(Counter(method for method in slack.methods() if method in writes).items()) == [
        ("conversations.invite", 1),
        ("conversations.kick", 2),
        ("usergroups.users.update", 1),
    ]
    notes = review_notes(db, slack, ctx)
    assert len(notes) == 7
    assert ":busts_in_silhouette: Access: Removed <@U0STRANGER> from the private channel" in notes[4]
    assert notes[4].endswith(": not a current ambassador (daily check).")


def test_roster_changes_with_no_place_set_up_are_let_go(db: Database, slack: FakeSlack) -> None:
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = job_context(db, slack)

    assert run_job(ctx, "access-changes", NOW).notes == []
    assert run_job(ctx, "access", NOW).notes == []
    with db.transaction() as session:
        assert [row.expanded_at for row in session.scalars(select(AccessRequest))] == [NOW]
    assert changes(db) == [] and slack.calls == []


def test_joining_and_leaving_before_the_job_runs_changes_nothing(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    member_id = enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    to_emeritus(db, member_id)

    run_job(context(db, slack, github), "access-changes", NOW)

    assert {(action, status) for _place, action, _subject, status in changes(db)} == {
        ("remove", AccessChangeStatus.UNCHANGED)
    }
    assert slack.group_members(GROUP_ID) == [] and MEMBER not in slack.channel_members(CHANNEL)
    assert team_writes(github) == [] and outbox(db) == []


def test_a_change_queued_then_undone_is_skipped_when_its_turn_comes(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    member_id = enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = context(db, slack, github)
    access.expand_requests(db, access_changes.targets(ctx.settings), NOW)
    with db.transaction() as session:  # the emeritus move, without its own request yet
        emeritus.move_to_emeritus(session, member_id, "Stepping down", now=NOW, actor=TSC)
        session.query(AccessRequest).filter(AccessRequest.expanded_at.is_(None)).delete()

    run_job(ctx, "access-changes", NOW)

    assert {status for *_rest, status in changes(db)} == {AccessChangeStatus.SKIPPED}
    assert slack.calls_to("conversations.invite") == [] and team_writes(github) == []


def test_the_team_s_maintainers_and_the_tsc_in_the_channel_are_never_removed(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    tess = enrol(db, TSC, NOW.date(), "Tess Council", github="tess")
    slack.usergroups[GROUP_ID]["users"] = [TSC, MEMBER]
    enrol(db, MEMBER, NOW.date(), "Jane Doe", github="janedoe")

    to_emeritus(db, tess)
    run_job(context(db, slack, github), "access-changes", NOW)

    assert slack.group_members(GROUP_ID) == [MEMBER]  # the user group is the ambassadors alone
    assert TSC in slack.channel_members(CHANNEL)
    assert github.teams[TEAM].members == {"tess": "maintainer"}
    assert team_writes(github) == [] and slack.calls_to("conversations.kick") == []
    assert sorted((place, status) for place, _action, _subject, status in changes(db)) == [
        ("github_team", AccessChangeStatus.SKIPPED),
        ("slack_channel", AccessChangeStatus.SKIPPED),
        ("slack_group", AccessChangeStatus.DONE),
    ]


@pytest.mark.parametrize("error", ["paid_teams_only", "plan_upgrade_required"])
def test_without_a_paid_plan_the_group_is_said_once_and_the_rest_is_kept(
    db: Database, slack: FakeSlack, github: FakeGitHub, error: str
) -> None:
    slack.paid_plan, slack.usergroups_error = False, error
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = context(db, slack, github)

    run_job(ctx, "access-changes", NOW)
    run_job(ctx, "access", NOW)
    enrol_now(db, OTHER, "Olek Other", "olek")
    run_job(ctx, "access-changes", NOW + timedelta(minutes=5))
    run_job(ctx, "access", NOW + timedelta(days=1))

    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, MEMBER, OTHER}
    assert set(github.teams[TEAM].members) == {"tess", "janedoe", "olek"}
    problems = outbox(db, "access_problem")
    assert [(row.key, row.channel) for row in problems] == [
        (f"access-problem:slack_group:ambassadors:{error}", REVIEW_CHANNEL)
    ]
    assert "Slack user groups need a paid Slack plan" in problems[0].text
    assert "Empty `SLACK_AMBASSADORS_GROUP` to stop trying" in problems[0].text
    group_rows = [status for place, *_rest, status in changes(db) if place == "slack_group"]
    assert group_rows == [AccessChangeStatus.FAILED, AccessChangeStatus.FAILED]


def test_a_missing_scope_is_said_once_with_the_scope_named(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    slack.missing_scopes = {"usergroups:write"}
    enrol(db, MEMBER, NOW.date(), "Jane Doe", github="janedoe")
    ctx = context(db, slack, github)

    run_job(ctx, "access", NOW)
    run_job(ctx, "access", NOW + timedelta(days=1))

    problems = outbox(db, "access_problem")
    assert len(problems) == 1
    assert "the app lacks the `usergroups:write` scope" in problems[0].text
    assert MEMBER in slack.channel_members(CHANNEL) and "janedoe" in github.teams[TEAM].members


def test_the_bot_outside_the_private_channel_is_said_once(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    slack.add_private_channel(CHANNEL, (TSC,), bot_member=False)
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = context(db, slack, github)

    run_job(ctx, "access-changes", NOW)
    dry = run_job(ctx, "access", NOW, dry_run=True)
    run_job(ctx, "access", NOW)

    assert "  ! cannot be read: channel_not_found" in dry.notes
    problems = outbox(db, "access_problem")
    assert len(problems) == 1 and f"I am not in <#{CHANNEL}>: invite me there" in problems[0].text
    assert slack.group_members(GROUP_ID) == [MEMBER]


def test_a_guest_slack_will_not_add_is_reported_once(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    slack.users[MEMBER]["is_restricted"] = True
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = context(db, slack, github)

    run_job(ctx, "access-changes", NOW)
    run_job(ctx, "access-changes", NOW + timedelta(hours=1))

    channel_rows = [status for place, *_rest, status in changes(db) if place == "slack_channel"]
    assert channel_rows == [AccessChangeStatus.FAILED]
    refusals = [note for note in review_notes(db, slack, ctx) if "could not" in note]
    assert refusals == [
        f":warning: Access: I could not add <@U0MEMBER> to the private channel <#{CHANNEL}>: a guest "
        "account may not join this channel. Please do it by hand if it should be done."
    ]


def test_slack_429_and_500_are_retried_later_and_each_change_is_made_once(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    enrol_now(db, MEMBER, "Jane Doe", None)
    ctx = impatient(db, slack, github)
    slack.fail("conversations.invite", status=429, retry_after=120)
    slack.fail("usergroups.users.update", status=500)

    first = run_job(ctx, "access-changes", NOW)

    assert first.notes == [
        "2 changes queued after roster changes",
        "slack_group add U0MEMBER: will retry",
        "slack_channel add U0MEMBER: will retry",
    ]
    with db.transaction() as session:
        waits = {row.system: row.next_attempt_at - NOW for row in session.scalars(select(AccessChange))}
    assert waits["slack_channel"] >= timedelta(seconds=120)  # Retry-After, not sooner
    assert waits["slack_group"] == timedelta(minutes=1)
    assert run_job(ctx, "access-changes", NOW + timedelta(seconds=90)).notes == [
        "slack_group add U0MEMBER: done"
    ]
    assert run_job(ctx, "access-changes", NOW + timedelta(minutes=3)).notes == [
        "slack_channel add U0MEMBER: done"
    ]
    assert slack.group_members(GROUP_ID) == [MEMBER] and MEMBER in slack.channel_members(CHANNEL)
    assert len(review_notes(db, slack, ctx)) == 2


def test_a_short_429_is_waited_out_within_the_run(db: Database, slack: FakeSlack, github: FakeGitHub) -> None:
    enrol_now(db, MEMBER, "Jane Doe", None)
    slack.fail("conversations.invite", status=429, retry_after=1)

    result = run_job(context(db, slack, github), "access-changes", NOW)

    assert "slack_channel add U0MEMBER: done" in result.notes
    assert len(slack.calls_to("conversations.invite")) == 2  # the 429, then the invitation


@pytest.mark.parametrize("failure", ["rate limit", "server error"])
def test_github_rate_limits_and_errors_are_retried_later(
    db: Database, slack: FakeSlack, github: FakeGitHub, failure: str
) -> None:
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    if failure == "rate limit":
        github.rate_limit("PUT", "teams/ambassadors/memberships/janedoe", retry_after=None, status=429)
    else:
        github.fail("PUT", "teams/ambassadors/memberships/janedoe", 502, times=2)  # githubkit retries once
    ctx = context(db, slack, github)

    assert "github_team add janedoe: will retry" in run_job(ctx, "access-changes", NOW).notes
    assert github.teams[TEAM].members == {"tess": "maintainer"}
    assert run_job(ctx, "access-changes", NOW + timedelta(minutes=2)).notes == [
        "github_team add janedoe: done"
    ]
    assert github.teams[TEAM].members == {"tess": "maintainer", "janedoe": "member"}
    assert len([note for note in review_notes(db, slack, ctx) if "team on GitHub" in note]) == 1


def test_a_team_github_does_not_show_is_said_once(db: Database, slack: FakeSlack, github: FakeGitHub) -> None:
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    ctx = context(db, slack, github, github_team="ambassadorz")

    run_job(ctx, "access-changes", NOW)
    run_job(ctx, "access", NOW)

    problems = outbox(db, "access_problem")
    assert len(problems) == 1
    assert "GitHub has no team `asyncapi/ambassadorz`, or the token cannot see it" in problems[0].text
    assert slack.group_members(GROUP_ID) == [MEMBER]


def test_a_runner_that_died_after_changing_slack_is_not_followed_by_a_second_change(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    enrol_now(db, MEMBER, "Jane Doe", None)
    ctx = context(db, slack, github)
    places = access_changes.targets(ctx.settings)
    access.expand_requests(db, places, NOW)
    assert len(access_changes_service.claim(db, Target(Place.SLACK_CHANNEL, CHANNEL), NOW)) == 1
    ctx.client.conversations_invite(channel=CHANNEL, users=MEMBER)  # ... and the runner dies here

    assert (
        "slack_channel add U0MEMBER: done"
        not in run_job(ctx, "access-changes", NOW + timedelta(minutes=5)).notes
    )
    later = run_job(ctx, "access-changes", NOW + timedelta(minutes=11))

    assert later.notes == ["slack_channel add U0MEMBER: done"]
    assert [args for args in slack.calls_to("conversations.invite")] == [
        {"channel": CHANNEL, "users": MEMBER}
    ] * 2
    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, MEMBER}
    assert len([note for note in review_notes(db, slack, ctx) if "private channel" in note]) == 1


def test_a_token_slack_refuses_holds_slack_changes_and_github_carries_on(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    enrol_now(db, MEMBER, "Jane Doe", "janedoe")
    slack.token = "xoxb-another-token"

    run_job(context(db, slack, github), "access-changes", NOW)

    assert "janedoe" in github.teams[TEAM].members
    assert sorted((place, status) for place, _action, _subject, status in changes(db)) == [
        ("github_team", AccessChangeStatus.DONE),
        ("slack_channel", AccessChangeStatus.PENDING),
        ("slack_group", AccessChangeStatus.PENDING),
    ]


def test_two_replicas_make_each_change_once(db: Database, slack: FakeSlack, github: FakeGitHub) -> None:
    people = [(f"U0R{number}", f"member{number}") for number in range(6)]
    for user, login in people:
        slack.add_user(user, login.title())
        enrol_now(db, user, login.title(), login)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def replica() -> None:
        own = Database(db.url)  # its own engine and pool, as another process would have
        try:
            settings = make_settings(own.url, slack.url, **{**PLACES, "github_api_url": github.url})
            ctx = JobContext.create(settings, own, client=jobs_client(settings, timeout=20))
            start.wait()
            for _ in range(3):  # reruns too; the advisory lock is left out, the claims are the guard
                access_changes.run(ctx, NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    users = sorted(user for user, _login in people)
    assert slack.group_members(GROUP_ID) == users
    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, *users}
    invited = Counter(args["users"] for args in slack.calls_to("conversations.invite"))
    assert invited == Counter(users)
    assert Counter(login for _method, login in team_writes(github)) == Counter(
        login for _user, login in people
    )
    assert {status for *_rest, status in changes(db)} == {AccessChangeStatus.DONE}
    assert len(changes(db)) == 18
    notes = review_notes(db, slack, context(db, slack, github))
    assert len(notes) == 18 == len(set(notes))
    with db.transaction() as session:
        keys = list(session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "access_change")))
    assert len(keys) == 18


def test_a_slack_timeout_is_retried_and_a_change_slack_made_meanwhile_is_told_once(
    db: Database, slack: FakeSlack, github: FakeGitHub
) -> None:
    enrol_now(db, MEMBER, "Jane Doe", None)
    ctx = context(db, slack, github)  # its client gives up after 1 s
    slack.fail("conversations.invite", delay=1.5)  # Slack answers late, but does invite

    first = run_job(ctx, "access-changes", NOW)
    later = run_job(ctx, "access-changes", NOW + timedelta(minutes=2))

    assert "slack_channel add U0MEMBER: will retry" in first.notes
    assert later.notes == ["slack_channel add U0MEMBER: done"]
    assert slack.channel_members(CHANNEL) == {BOT_USER_ID, TSC, MEMBER}
    assert len([note for note in review_notes(db, slack, ctx) if "private channel" in note]) == 1
