"""The fake GitHub answers with GitHub's real shapes: every answer the bot's calls get parses with
githubkit's models, which are generated from GitHub's OpenAPI description (github/rest-api-description)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from githubkit import GitHub

from tests.fakes.github import TOKEN, FakeGitHub


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    github = FakeGitHub(users={"alice", "carol"}, memberships={"bob": "active"}).start()
    github.commit_on("master", {"members.yaml": "- name: Bob\n"})
    github.add_team("ambassadors", {"bob": "maintainer"})
    yield github
    github.stop()


def test_every_answer_parses_with_the_models_of_github_s_openapi_description(fake: FakeGitHub) -> None:
    owner, repo = "asyncapi", "community"
    with GitHub(TOKEN, base_url=fake.url, http_cache=False) as github:
        rest: Any = github.rest
        parsed = [rest.repos.get(owner, repo).parsed_data]
        ref = rest.git.get_ref(owner, repo, "heads/master").parsed_data
        commit = rest.git.get_commit(owner, repo, ref.object_.sha).parsed_data
        parsed += [ref, commit, rest.repos.get_content(owner, repo, "members.yaml", ref="master").parsed_data]
        tree = rest.git.create_tree(
            owner,
            repo,
            data={
                "base_tree": commit.tree.sha,
                "tree": [{"path": "members.yaml", "mode": "100644", "type": "blob", "content": "[]\n"}],
            },
        ).parsed_data
        created = rest.git.create_commit(
            owner, repo, data={"message": "m", "tree": tree.sha, "parents": [commit.sha]}
        ).parsed_data
        parsed += [tree, created]
        parsed.append(
            rest.git.create_ref(owner, repo, data={"ref": "refs/heads/bot", "sha": created.sha}).parsed_data
        )
        parsed.append(
            rest.git.update_ref(
                owner, repo, "heads/bot", data={"sha": created.sha, "force": True}
            ).parsed_data
        )
        pull = rest.pulls.create(
            owner, repo, data={"title": "t", "head": "bot", "base": "master", "body": ""}
        ).parsed_data
        assert pull.body is None  # GitHub stores an empty description as null
        parsed.append(rest.pulls.update(owner, repo, pull.number, data={"body": "b"}).parsed_data)
        parsed.append(rest.pulls.list(owner, repo, state="open", head="asyncapi:bot").parsed_data)
        fake.merge(pull.number)
        parsed.append(rest.pulls.list(owner, repo, state="closed").parsed_data)
        parsed.append(rest.orgs.get_membership_for_user("asyncapi", "bob").parsed_data)
        parsed.append(
            rest.orgs.set_membership_for_user("asyncapi", "alice", data={"role": "member"}).parsed_data
        )
        teams = rest.teams
        added = teams.add_or_update_membership_for_user_in_org(
            "asyncapi", "ambassadors", "carol", data={"role": "member"}
        ).parsed_data
        assert added.state == "pending"  # not in the organization yet: invited with the team
        parsed += [added, teams.get_membership_for_user_in_org("asyncapi", "ambassadors", "bob").parsed_data]
        parsed.append(teams.list_members_in_org("asyncapi", "ambassadors", role="all").parsed_data)
        invited = teams.list_pending_invitations_in_org("asyncapi", "ambassadors").parsed_data
        assert [invitation.login for invitation in invited] == ["carol"]
        removed = teams.remove_membership_for_user_in_org("asyncapi", "ambassadors", "carol")
        assert removed.status_code == 204
        parsed += [invited]
    assert all(parsed)
