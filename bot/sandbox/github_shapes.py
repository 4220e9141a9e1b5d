"""GitHub's response shapes, as GitHub's REST API description (github/rest-api-description) gives
them: users, repositories, refs, commits, pull requests and organization memberships."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pull:
    number: int
    head: str
    base: str
    title: str
    body: str
    state: str = "open"
    merged: bool = False
    merged_at: str | None = None


@dataclass
class Team:
    """A team of the organization: its members by login ({login: "member" | "maintainer"}) and the
    people invited with it who have not accepted yet."""

    slug: str
    members: dict[str, str] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    # Synchronized with an identity provider: GitHub refuses membership changes through the API (403).
    synced: bool = False


class GitHubShapes:
    """The shapes of the answers, for the repository `owner/repo` served at `base_url`."""

    base_url: str
    owner: str
    repo: str
    org: str
    default_branch: str
    refs: dict[str, str]
    commits: dict[str, dict[str, Any]]
    memberships: dict[str, str]

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    def _api(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _repo_api(self, path: str = "") -> str:
        return self._api(f"/repos/{self.full_name}{path}")

    def _user(self, login: str) -> dict[str, Any]:
        number = int(hashlib.sha1(login.lower().encode()).hexdigest()[:6], 16)
        return {
            "login": login,
            "id": number,
            "node_id": f"U_{number}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?v=4",
            "gravatar_id": "",
            "url": self._api(f"/users/{login}"),
            "html_url": f"https://github.com/{login}",
            "followers_url": self._api(f"/users/{login}/followers"),
            "following_url": self._api(f"/users/{login}/following{{/other_user}}"),
            "gists_url": self._api(f"/users/{login}/gists{{/gist_id}}"),
            "starred_url": self._api(f"/users/{login}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": self._api(f"/users/{login}/subscriptions"),
            "organizations_url": self._api(f"/users/{login}/orgs"),
            "repos_url": self._api(f"/users/{login}/repos"),
            "events_url": self._api(f"/users/{login}/events{{/privacy}}"),
            "received_events_url": self._api(f"/users/{login}/received_events"),
            "type": "User",
            "site_admin": False,
        }

    def _repository(self) -> dict[str, Any]:
        """The `repository` shape (`full-repository` adds counts and flags, see `_get_repo`)."""
        api = self._repo_api()
        templated = {
            "archive_url": "/{archive_format}{/ref}",
            "assignees_url": "/assignees{/user}",
            "blobs_url": "/git/blobs{/sha}",
            "branches_url": "/branches{/branch}",
            "collaborators_url": "/collaborators{/collaborator}",
            "comments_url": "/comments{/number}",
            "commits_url": "/commits{/sha}",
            "compare_url": "/compare/{base}...{head}",
            "contents_url": "/contents/{+path}",
            "contributors_url": "/contributors",
            "deployments_url": "/deployments",
            "downloads_url": "/downloads",
            "events_url": "/events",
            "forks_url": "/forks",
            "git_commits_url": "/git/commits{/sha}",
            "git_refs_url": "/git/refs{/sha}",
            "git_tags_url": "/git/tags{/sha}",
            "hooks_url": "/hooks",
            "issue_comment_url": "/issues/comments{/number}",
            "issue_events_url": "/issues/events{/number}",
            "issues_url": "/issues{/number}",
            "keys_url": "/keys{/key_id}",
            "labels_url": "/labels{/name}",
            "languages_url": "/languages",
            "merges_url": "/merges",
            "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}",
            "pulls_url": "/pulls{/number}",
            "releases_url": "/releases{/id}",
            "stargazers_url": "/stargazers",
            "statuses_url": "/statuses/{sha}",
            "subscribers_url": "/subscribers",
            "subscription_url": "/subscription",
            "tags_url": "/tags",
            "teams_url": "/teams",
            "trees_url": "/git/trees{/sha}",
        }
        return {
            "id": 1,
            "node_id": "R_1",
            "name": self.repo,
            "full_name": self.full_name,
            "owner": self._user(self.owner) | {"type": "Organization"},
            "private": False,
            "html_url": f"https://github.com/{self.full_name}",
            "description": None,
            "fork": False,
            "url": api,
            **{key: f"{api}{suffix}" for key, suffix in templated.items()},
            "git_url": f"git://github.com/{self.full_name}.git",
            "ssh_url": f"git@github.com:{self.full_name}.git",
            "clone_url": f"https://github.com/{self.full_name}.git",
            "svn_url": f"https://github.com/{self.full_name}",
            "mirror_url": None,
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 1,
            "default_branch": self.default_branch,
            "open_issues_count": 0,
            "open_issues": 0,
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "public",
            "pushed_at": "2026-03-15T12:00:00Z",
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2026-03-15T12:00:00Z",
            "license": None,
        }

    def _ref(self, branch: str) -> dict[str, Any]:
        sha = self.refs[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": f"REF_{branch}",
            "url": self._repo_api(f"/git/refs/heads/{branch}"),
            "object": {"type": "commit", "sha": sha, "url": self._repo_api(f"/git/commits/{sha}")},
        }

    def _commit(self, sha: str) -> dict[str, Any]:
        commit = self.commits[sha]
        person = {"name": "ambassador-bot", "email": "bot@example.org", "date": "2026-03-15T12:00:00Z"}
        return {
            "sha": sha,
            "node_id": f"C_{sha[:8]}",
            "url": self._repo_api(f"/git/commits/{sha}"),
            "html_url": f"https://github.com/{self.full_name}/commit/{sha}",
            "author": person,
            "committer": person,
            "message": commit["message"],
            "tree": {"sha": commit["tree"], "url": self._repo_api(f"/git/trees/{commit['tree']}")},
            "parents": [
                {
                    "sha": parent,
                    "url": self._repo_api(f"/git/commits/{parent}"),
                    "html_url": f"https://github.com/{self.full_name}/commit/{parent}",
                }
                for parent in commit["parents"]
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }

    def _pull(self, pull: Pull, *, full: bool = True) -> dict[str, Any]:
        """`pull-request` (create, update) or, with `full=False`, `pull-request-simple` (list)."""

        def side(branch: str) -> dict[str, Any]:
            return {
                "label": f"{self.owner}:{branch}",
                "ref": branch,
                "sha": self.refs.get(branch, "0" * 40),
                "user": self._user(self.owner) | {"type": "Organization"},
                "repo": self._repository(),
            }

        api = self._repo_api(f"/pulls/{pull.number}")
        issue = self._repo_api(f"/issues/{pull.number}")
        html = f"https://github.com/{self.full_name}/pull/{pull.number}"
        statuses = self._repo_api(f"/statuses/{self.refs.get(pull.head, '0' * 40)}")
        answer: dict[str, Any] = {
            "url": api,
            "id": 1000 + pull.number,
            "node_id": f"PR_{pull.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue,
            "commits_url": f"{api}/commits",
            "review_comments_url": f"{api}/comments",
            "review_comment_url": self._repo_api("/pulls/comments{/number}"),
            "comments_url": f"{issue}/comments",
            "statuses_url": statuses,
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "user": self._user("ambassador-bot"),
            # GitHub stores an empty description as null.
            "body": pull.body or None,
            "labels": [],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": "2026-03-15T12:00:00Z",
            "updated_at": "2026-03-15T12:00:00Z",
            "closed_at": pull.merged_at,
            "merged_at": pull.merged_at,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": side(pull.head),
            "base": side(pull.base),
            "_links": {
                "self": {"href": api},
                "html": {"href": html},
                "issue": {"href": issue},
                "comments": {"href": f"{issue}/comments"},
                "review_comments": {"href": f"{api}/comments"},
                "review_comment": {"href": self._repo_api("/pulls/comments{/number}")},
                "commits": {"href": f"{api}/commits"},
                "statuses": {"href": statuses},
            },
            "author_association": "NONE",
            "auto_merge": None,
            "draft": False,
        }
        if full:
            answer |= {
                "merged": pull.merged,
                "mergeable": None,
                "rebaseable": None,
                "mergeable_state": "unknown",
                "merged_by": self._user("maintainer") if pull.merged else None,
                "comments": 0,
                "review_comments": 0,
                "maintainer_can_modify": False,
                "commits": 1,
                "additions": 0,
                "deletions": 0,
                "changed_files": 0,
            }
        return answer

    def _membership(self, login: str) -> dict[str, Any]:
        return {
            "url": self._api(f"/orgs/{self.org}/memberships/{login}"),
            "state": self.memberships[login.lower()],
            "role": "member",
            "organization_url": self._api(f"/orgs/{self.org}"),
            "organization": {
                "login": self.org,
                "id": 1,
                "node_id": "O_1",
                "url": self._api(f"/orgs/{self.org}"),
                "repos_url": self._api(f"/orgs/{self.org}/repos"),
                "events_url": self._api(f"/orgs/{self.org}/events"),
                "hooks_url": self._api(f"/orgs/{self.org}/hooks"),
                "issues_url": self._api(f"/orgs/{self.org}/issues"),
                "members_url": self._api(f"/orgs/{self.org}/members{{/member}}"),
                "public_members_url": self._api(f"/orgs/{self.org}/public_members{{/member}}"),
                "avatar_url": "https://avatars.githubusercontent.com/u/1?v=4",
                "description": None,
            },
            "user": self._user(login),
        }
