"""Publishing the public list to GitHub through one pull request, against the fake GitHub REST API,
with AsyncAPI's real files in the fake repository; every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.github import public_files
from bot.github.client import GitHubClient
from bot.services import publishing
from bot.services.registry import exporting, file_format, importing
from bot.store.db import Database
from bot.store.models import AuditEvent, Member, MemberStatus
from jobs.scheduler import run_job
from tests import paths
from tests.fakes.github import TOKEN, FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import job_context

DATA = paths.DATA / "asyncapi"
MEMBERS_YAML = (DATA / "AMBASSADORS_MEMBERS.yaml").read_text(encoding="utf-8")
EMERITUS_YAML = (DATA / "Emeritus.yaml").read_text(encoding="utf-8")
MEMBERS = "AMBASSADORS_MEMBERS.yaml"
EMERITUS = "Emeritus.yaml"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
CONFIG = publishing.PublishConfig(repo="asyncapi/community", members_path=MEMBERS, emeritus_path=EMERITUS)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    fake.commit_on("master", {MEMBERS: MEMBERS_YAML, EMERITUS: EMERITUS_YAML, "README.md": "# community\n"})
    yield fake
    fake.stop()


def client(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(TOKEN, fake.url, "asyncapi/community")


def import_real_files(db: Database) -> None:
    parsed = file_format.parse_members(public_files.parse_text(MEMBERS_YAML))
    importing.import_members(db, parsed, term_start=date(2026, 3, 1), now=NOW)
    importing.import_emeritus(db, file_format.parse_emeritus(public_files.parse_text(EMERITUS_YAML)), now=NOW)


def publish(db: Database, fake: FakeGitHub, **kwargs: Any) -> publishing.PublishResult:
    with client(fake) as github:
        return publishing.publish(db, github, CONFIG, now=NOW, **kwargs)


def member_id(db: Database, github: str) -> int:
    with db.transaction() as session:
        found = session.scalar(select(Member.id).where(Member.github == github))
        assert found is not None
        return found


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_the_imported_files_publish_as_they_are_so_nothing_is_opened(
    db: Database, github: FakeGitHub
) -> None:
    import_real_files(db)

    result = publish(db, github)

    assert result.status == publishing.PublishStatus.UNCHANGED
    assert github.writes() == []
    assert github.pulls == []


def test_first_publish_opens_one_pull_request_whose_files_equal_the_export(
    db: Database, github: FakeGitHub
) -> None:
    import_real_files(db)
    add_contribution(
        db,
        member_id(db, "gvensan"),
        date(2026, 3, 10),
        type_="talk",
        title="EDA with AsyncAPI",
        link="https://youtu.be/eda",
    )
    enrol(db, "U0NEW", date(2026, 3, 15), "Nora New", github="noranew", title="Engineer", company="Acme")

    result = publish(db, github)

    assert result.status == publishing.PublishStatus.OPENED
    assert [(p.number, p.head, p.base, p.state) for p in github.pulls] == [
        (1, publishing.BRANCH, "master", "open")
    ]
    on_branch = github.file(publishing.BRANCH, MEMBERS)
    assert on_branch is not None
    assert public_files.parse_text(on_branch) == exporting.export_members(db)
    # The repository's own style: only the new contribution and the new member show in the diff.
    changes = changed_lines(MEMBERS_YAML, on_branch)
    assert all(line.startswith("+") for line in changes)
    assert '+      - type: "talk"' in changes and '+  - name: "Nora New"' in changes
    assert github.file(publishing.BRANCH, EMERITUS) == EMERITUS_YAML  # unchanged, not in the commit
    assert github.file("master", MEMBERS) == MEMBERS_YAML  # the base branch is not touched
    pull = github.pulls[0]
    assert pull.title == "Ambassadors: 1 joined, 1 new contribution"
    assert (
        "### Joined\n\n- **Nora New** ([@\u200bnoranew](https://github.com/noranew)): approved" in pull.body
    )
    assert "- **Giri Venkatesan** ([@\u200bgvensan](https://github.com/gvensan)): 1" in pull.body
    assert "  - talk: [EDA with AsyncAPI](https://youtu.be/eda) (March 2026)" in pull.body
    with db.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "website.published")).one()
        assert event.details["pull"] == 1 and event.details["files"] == [MEMBERS]


def test_a_second_change_updates_the_same_pull_request_and_a_rerun_changes_nothing(
    db: Database, github: FakeGitHub
) -> None:
    import_real_files(db)
    daniel = member_id(db, "danielkocot")
    add_contribution(db, daniel, date(2026, 3, 1), type_="talk", title="First", link="https://x.org/1")
    assert publish(db, github).status == publishing.PublishStatus.OPENED
    add_contribution(db, daniel, date(2026, 3, 2), type_="article", title="Second", link="https://x.org/2")

    second = publish(db, github)

    assert second.status == publishing.PublishStatus.UPDATED
    assert second.pull is not None and second.pull.number == 1
    assert len(github.pulls) == 1 and github.pulls[0].state == "open"
    on_branch = github.file(publishing.BRANCH, MEMBERS) or ""
    assert "https://x.org/1" in on_branch and "https://x.org/2" in on_branch
    assert github.pulls[0].title == "Ambassadors: 2 new contributions"

    writes = len(github.writes())
    third = publish(db, github)
    assert third.status == publishing.PublishStatus.UP_TO_DATE
    assert len(github.writes()) == writes


def test_entries_the_bot_does_not_manage_are_kept(db: Database, github: FakeGitHub) -> None:
    members = public_files.parse_text(MEMBERS_YAML)
    members[0]["mastodon"] = "@daniel@example.social"  # a key the bot does not keep
    members.append({"name": "Stranger", "github": "stranger", "contributions": []})  # not in the bot
    style = public_files.detect_style(MEMBERS_YAML, MEMBERS)
    github.commit_on("master", {MEMBERS: public_files.render(members, style)})
    import_real_files(db)  # warns that `mastodon` is not kept, and knows nothing of `stranger`
    with db.transaction() as session:
        leaving = session.scalars(select(Member).where(Member.github == "gvensan")).one()
        leaving.status = MemberStatus.EMERITUS
        leaving.status_reason = "Stepping down"
        leaving.status_changed_at = NOW

    result = publish(db, github)

    assert result.status == publishing.PublishStatus.OPENED
    published = public_files.parse_text(github.file(publishing.BRANCH, MEMBERS) or "")
    handles = [entry["github"] for entry in published]
    assert "gvensan" not in handles and handles[-1] == "stranger"
    assert published[0]["mastodon"] == "@daniel@example.social"
    assert list(published[0])[:3] == ["name", "img", "bio"]
    emeritus = github.file(publishing.BRANCH, EMERITUS) or ""
    assert emeritus.startswith("# This file lists individuals who were previously Ambassadors")
    assert changed_lines(EMERITUS_YAML, emeritus) == ["+  - gvensan"]
    assert (
        public_files.parse_text(emeritus)["emeritus_tsc"]
        == public_files.parse_text(EMERITUS_YAML)["emeritus_tsc"]
    )
    body = github.pulls[0].body
    assert "### Left (now emeritus)\n\n- **Giri Venkatesan**" in body and "Stepping down" in body
    assert "### Emeritus list\n\n- added **Giri Venkatesan**" in body


def test_after_a_merge_the_next_change_opens_a_new_pull_request(db: Database, github: FakeGitHub) -> None:
    import_real_files(db)
    daniel = member_id(db, "danielkocot")
    add_contribution(db, daniel, date(2026, 3, 1), type_="talk", title="First", link="https://x.org/1")
    publish(db, github)
    github.merge(1)
    assert publish(db, github).status == publishing.PublishStatus.UNCHANGED

    add_contribution(db, daniel, date(2026, 3, 2), type_="article", title="Second", link="https://x.org/2")
    result = publish(db, github)

    assert result.status == publishing.PublishStatus.OPENED
    assert [(p.number, p.state, p.merged) for p in github.pulls] == [(1, "closed", True), (2, "open", False)]
    assert (
        changed_lines(github.file("master", MEMBERS) or "", github.file(publishing.BRANCH, MEMBERS) or "")[-1]
        == '+        link: "https://x.org/2"'
    )


def test_a_dry_run_writes_nothing_and_shows_the_diff_and_the_text(db: Database, github: FakeGitHub) -> None:
    import_real_files(db)
    add_contribution(db, member_id(db, "danielkocot"), date(2026, 3, 1), title="Dry", link="https://x.org/d")

    result = publish(db, github, dry_run=True)

    assert result.status == publishing.PublishStatus.DRY_RUN
    assert github.writes() == [] and github.pulls == []
    assert result.plan is not None
    diff = result.plan.diff()
    assert diff.startswith(f"--- a/{MEMBERS}\n+++ b/{MEMBERS}\n@@ ")
    assert '+        title: "Dry"\n' in diff
    assert result.plan.title == "Ambassadors: 1 new contribution"


def test_a_preview_against_local_copies_is_the_dry_run_against_github(
    db: Database, github: FakeGitHub
) -> None:
    import_real_files(db)
    add_contribution(db, member_id(db, "danielkocot"), date(2026, 3, 1), title="Dry", link="https://x.org/d")
    online = publish(db, github, dry_run=True)
    github.calls.clear()

    local = publishing.preview(db, CONFIG, MEMBERS_YAML, EMERITUS_YAML, "/src/community")

    assert github.calls == []
    assert online.plan is not None and local.plan is not None
    assert (local.plan.diff(), local.plan.title, local.plan.body) == (
        online.plan.diff(),
        online.plan.title,
        online.plan.body,
    )
    assert local.summary().endswith(f"would propose {MEMBERS} against /src/community")
    current = publishing.preview(db, CONFIG, local.plan.files[MEMBERS], EMERITUS_YAML, "/src/community")
    assert current.status == publishing.PublishStatus.UNCHANGED


def test_the_job_rides_out_a_secondary_rate_limit_and_a_refusal_is_retried_next_run(
    db: Database, github: FakeGitHub, fake_slack: FakeSlack
) -> None:
    import_real_files(db)
    add_contribution(db, member_id(db, "danielkocot"), date(2026, 3, 1), title="Job", link="https://x.org/j")
    ctx = job_context(
        db, fake_slack, github_repo="asyncapi/community", github_token=TOKEN, github_api_url=github.url
    )
    github.rate_limit("GET", "/contents/", retry_after=1)  # waited out by the client
    github.fail("POST", "/pulls$", 403, "Resource not accessible by personal access token")

    first = run_job(ctx, "publish", NOW)

    assert github.pulls == []
    assert any("publishing failed" in note and "403" in note for note in first.notes)
    second = run_job(ctx, "publish", NOW)
    assert [pull.number for pull in github.open_pulls()] == [1]
    assert any("opened pull request #1" in note for note in second.notes)


def test_publishing_is_off_without_a_repository(db: Database, fake_slack: FakeSlack) -> None:
    result = run_job(job_context(db, fake_slack), "publish", NOW)
    assert result.notes == ["publishing is off (GITHUB_REPO is not set)"]


def test_an_ambassador_without_a_github_handle_is_left_out_and_named(
    db: Database, github: FakeGitHub
) -> None:
    import_real_files(db)
    enrol(db, "U0NOGH", date(2026, 3, 15), "No Handle")

    first = publish(db, github, dry_run=True)
    assert first.status == publishing.PublishStatus.UNCHANGED
    assert first.notes == ["not listed on the website, the bot has no GitHub handle for them: No Handle"]


def test_the_websites_json_file_is_written_in_its_own_style(db: Database, github: FakeGitHub) -> None:
    website = (DATA / "AMBASSADORS_MEMBERS.json").read_text(encoding="utf-8")
    github.commit_on("master", {"config/AMBASSADORS_MEMBERS.json": website})
    import_real_files(db)
    add_contribution(db, member_id(db, "danielkocot"), date(2026, 3, 1), title="Über", link="https://x.org/u")
    config = publishing.PublishConfig(
        repo="asyncapi/community", members_path="config/AMBASSADORS_MEMBERS.json"
    )

    with client(github) as github_client:
        result = publishing.publish(db, github_client, config, now=NOW)

    assert result.status == publishing.PublishStatus.OPENED
    on_branch = github.file(publishing.BRANCH, "config/AMBASSADORS_MEMBERS.json") or ""
    assert public_files.parse_text(on_branch) == exporting.export_members(db)
    assert not on_branch.endswith("\n") and '"title": "\\u00dcber"' in on_branch  # json.dump's ways
    assert all(line.startswith("+") for line in changed_lines(website, on_branch)[1:])
