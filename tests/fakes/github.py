"""A local fake of GitHub's REST API, as strict as GitHub for what the bot uses.

An `http.server` on 127.0.0.1:0 in a thread, reached through `GITHUB_API_URL`. It keeps real git
objects (blob, tree and commit shas are computed as git does), checks the token
(`Authorization: Bearer|token`), the required fields of each request body, and answers with GitHub's
shapes and errors: 401 "Bad credentials", 404 "Not Found", 422 "Validation Failed" / "Reference
already exists" / "A pull request already exists", and secondary rate limits (403 or 429, with or
without `Retry-After`). Every call is recorded (`calls`). Shapes follow GitHub's REST API description
(github/rest-api-description): contents, git refs/commits/trees, pulls, org memberships, team members,
invitations and memberships.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

TOKEN = "github_pat_11FAKE0TOKEN0abcdefghijklmnopqrstuvwxyz0123456789"
DOCS = "https://docs.github.com/rest"
# As GitHub words it (with the request's ID at the end) and where it points.
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID FA2D:87B1:8879E3:1176C87:6570B7E6."
)
RATE_LIMIT_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
RATE_LIMIT = 5000


class GitHubHTTPError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}


def not_found() -> GitHubHTTPError:
    return GitHubHTTPError(404, "Not Found")


def invalid(field_name: str, resource: str, code: str = "missing_field") -> GitHubHTTPError:
    return GitHubHTTPError(
        422, "Validation Failed", [{"resource": resource, "field": field_name, "code": code}]
    )


def git_sha(kind: str, payload: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload).hexdigest()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    message: str = ""
    retry_after: int | None = None
    times: int = 1


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


@dataclass
class FakeGitHub:
    token: str = TOKEN
    owner: str = "asyncapi"
    repo: str = "community"
    default_branch: str = "master"
    org: str = "asyncapi"
    # GitHub users that exist, and the organization's memberships {login: "active" | "pending"}.
    users: set[str] = field(default_factory=set)
    memberships: dict[str, str] = field(default_factory=dict)
    # Logins GitHub refuses to invite (422), e.g. blocked or over the seat limit.
    uninvitable: set[str] = field(default_factory=set)
    # Without "members" write permission on the organization (a token missing it): 403.
    can_invite: bool = True
    teams: dict[str, Team] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, str]] = {}  # tree sha → {path: blob sha} (flat, full paths)
        self.commits: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}  # branch → commit sha
        self.pulls: list[Pull] = []
        self._clock = 0

    # --- control ------------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def do_PATCH(self) -> None:
                fake._handle(self)

            def do_PUT(self) -> None:
                fake._handle(self)

            def do_DELETE(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v3"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        message: str = "",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` to a path matching `path` (a regex) with an error."""
        self.faults.append(Fault(method, re.compile(path), status, message, retry_after, times))

    def rate_limit(
        self, method: str, path: str, retry_after: int | None = 1, times: int = 1, status: int = 403
    ) -> None:
        """GitHub's secondary rate limit: 403 or 429, with `Retry-After` or (`retry_after=None`) without
        it, and the primary limit's headers still showing requests remaining, as GitHub sends them."""
        self.fail(method, path, status, SECONDARY_RATE_LIMIT, retry_after, times)

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        regex = re.compile(pattern)
        return [call for call in self.calls if call.method == method and regex.search(call.path)]

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method != "GET"]

    def commit_on(self, branch: str, files: dict[str, str], message: str = "Update") -> str:
        """A commit on `branch` (created if new) with `files` changed, as a person pushing it."""
        with self._lock:
            parent = self.refs.get(branch)
            base = dict(self.trees[self.commits[parent]["tree"]]) if parent else {}
            for path, text in files.items():
                base[path] = self._store_blob(text.encode())
            sha = self._store_commit(self._store_tree(base), [parent] if parent else [], message)
            self.refs[branch] = sha
            return sha

    def file(self, branch: str, path: str) -> str | None:
        with self._lock:
            sha = self.refs.get(branch)
            if sha is None:
                return None
            blob = self.trees[self.commits[sha]["tree"]].get(path)
            return None if blob is None else self.blobs[blob].decode()

    def open_pulls(self) -> list[Pull]:
        return [pull for pull in self.pulls if pull.state == "open"]

    def merge(self, number: int) -> None:
        """Merge a pull request as a maintainer would (a merge commit on the base branch)."""
        with self._lock:
            pull = self.pulls[number - 1]
            head, base = self.refs[pull.head], self.refs[pull.base]
            tree = self.commits[head]["tree"]
            self.refs[pull.base] = self._store_commit(tree, [base, head], f"Merge pull request #{number}")
            pull.state, pull.merged, pull.merged_at = "closed", True, "2026-03-16T10:00:00Z"

    # --- git objects ------------------------------------------------------------------------------------

    def _store_blob(self, payload: bytes) -> str:
        sha = git_sha("blob", payload)
        self.blobs[sha] = payload
        return sha

    def _store_tree(self, entries: dict[str, str]) -> str:
        listing = "".join(f"100644 {path}\0{sha}\n" for path, sha in sorted(entries.items())).encode()
        sha = git_sha("tree", listing)
        self.trees[sha] = dict(entries)
        return sha

    def _store_commit(self, tree: str, parents: list[str], message: str) -> str:
        self._clock += 1
        payload = f"tree {tree}\n{''.join(f'parent {p}' for p in parents)}\n{self._clock}\n{message}".encode()
        sha = git_sha("commit", payload)
        self.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    # --- shapes -----------------------------------------------------------------------------------------

    def _api(self, path: str) -> str:
        return f"{self.url}{path}"

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

    # --- routes -----------------------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any]]]:
        repo = re.escape(f"/repos/{self.full_name}")
        team = r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)"
        return [
            ("GET", re.compile(f"^{repo}$"), self._get_repo),
            ("GET", re.compile(f"^{repo}/git/ref/heads/(?P<branch>.+)$"), self._get_ref),
            ("POST", re.compile(f"^{repo}/git/refs$"), self._create_ref),
            ("PATCH", re.compile(f"^{repo}/git/refs/heads/(?P<branch>.+)$"), self._update_ref),
            ("GET", re.compile(f"^{repo}/git/commits/(?P<sha>[0-9a-f]{{40}})$"), self._get_commit),
            ("POST", re.compile(f"^{repo}/git/trees$"), self._create_tree),
            ("POST", re.compile(f"^{repo}/git/commits$"), self._create_commit),
            ("GET", re.compile(f"^{repo}/contents/(?P<path>.+)$"), self._get_content),
            ("GET", re.compile(f"^{repo}/pulls$"), self._list_pulls),
            ("POST", re.compile(f"^{repo}/pulls$"), self._create_pull),
            ("PATCH", re.compile(f"^{repo}/pulls/(?P<number>[0-9]+)$"), self._update_pull),
            ("GET", re.compile(r"^/orgs/(?P<org>[^/]+)/memberships/(?P<login>[^/]+)$"), self._get_membership),
            ("PUT", re.compile(r"^/orgs/(?P<org>[^/]+)/memberships/(?P<login>[^/]+)$"), self._set_membership),
            ("GET", re.compile(f"^{team}/members$"), self._team_members),
            ("GET", re.compile(f"^{team}/invitations$"), self._team_invitations),
            ("GET", re.compile(f"^{team}/memberships/(?P<login>[^/]+)$"), self._get_team_membership),
            ("PUT", re.compile(f"^{team}/memberships/(?P<login>[^/]+)$"), self._set_team_membership),
            ("DELETE", re.compile(f"^{team}/memberships/(?P<login>[^/]+)$"), self._remove_team_membership),
        ]

    def _get_repo(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        return 200, self._repository() | {
            "subscribers_count": 0,
            "network_count": 0,
        }

    def _get_ref(self, query: dict[str, str], body: Any, branch: str) -> tuple[int, Any]:
        if branch not in self.refs:
            raise not_found()
        return 200, self._ref(branch)

    def _create_ref(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        for name in ("ref", "sha"):
            if not body.get(name):
                raise invalid(name, "Reference")
        ref = str(body["ref"])
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise GitHubHTTPError(
                422, "Reference name must start with 'refs/' and have at least two slashes."
            )
        if body["sha"] not in self.commits:
            raise GitHubHTTPError(422, "Object does not exist")
        branch = ref.removeprefix("refs/heads/")
        if branch in self.refs:
            raise GitHubHTTPError(422, "Reference already exists")
        self.refs[branch] = body["sha"]
        return 201, self._ref(branch)

    def _update_ref(self, query: dict[str, str], body: Any, branch: str) -> tuple[int, Any]:
        if not body.get("sha"):
            raise invalid("sha", "Reference")
        if branch not in self.refs:
            raise GitHubHTTPError(422, "Reference does not exist")
        if body["sha"] not in self.commits:
            raise GitHubHTTPError(422, "Object does not exist")
        if not body.get("force") and not self._descends(body["sha"], self.refs[branch]):
            raise GitHubHTTPError(422, "Update is not a fast forward")
        self.refs[branch] = body["sha"]
        return 200, self._ref(branch)

    def _descends(self, sha: str, ancestor: str) -> bool:
        stack = [sha]
        while stack:
            current = stack.pop()
            if current == ancestor:
                return True
            stack.extend(self.commits[current]["parents"])
        return False

    def _get_commit(self, query: dict[str, str], body: Any, sha: str) -> tuple[int, Any]:
        if sha not in self.commits:
            raise not_found()
        return 200, self._commit(sha)

    def _create_tree(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        entries = body.get("tree")
        if not isinstance(entries, list) or not entries:
            raise invalid("tree", "Tree")
        base: dict[str, str] = {}
        if body.get("base_tree"):
            if body["base_tree"] not in self.trees:
                raise GitHubHTTPError(422, "base_tree is not a valid tree oid")
            base = dict(self.trees[body["base_tree"]])
        for entry in entries:
            if not isinstance(entry, dict) or not entry.get("path") or entry.get("mode") != "100644":
                raise invalid("tree.path", "Tree", "invalid")
            if entry.get("type") != "blob" or ("content" in entry) == ("sha" in entry):
                raise GitHubHTTPError(422, "Must supply either tree.sha or tree.content")
            if "content" in entry:
                base[entry["path"]] = self._store_blob(str(entry["content"]).encode())
            else:
                base[entry["path"]] = entry["sha"]
        sha = self._store_tree(base)
        tree = [
            {
                "path": path,
                "mode": "100644",
                "type": "blob",
                "sha": blob,
                "url": self._repo_api(f"/git/blobs/{blob}"),
            }
            for path, blob in sorted(base.items())
        ]
        return 201, {"sha": sha, "url": self._repo_api(f"/git/trees/{sha}"), "tree": tree, "truncated": False}

    def _create_commit(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        for name in ("message", "tree"):
            if not body.get(name):
                raise invalid(name, "Commit")
        if body["tree"] not in self.trees:
            raise GitHubHTTPError(422, "Tree SHA does not exist")
        parents = body.get("parents") or []
        if any(parent not in self.commits for parent in parents):
            raise GitHubHTTPError(422, "Parent SHA does not exist or is not a commit object")
        return 201, self._commit(self._store_commit(body["tree"], list(parents), str(body["message"])))

    def _get_content(self, query: dict[str, str], body: Any, path: str) -> tuple[int, Any]:
        branch = query.get("ref") or self.default_branch
        if branch not in self.refs:
            raise GitHubHTTPError(404, f"No commit found for the ref {branch}")
        blob = self.trees[self.commits[self.refs[branch]]["tree"]].get(path)
        if blob is None:
            raise not_found()
        encoded = base64.b64encode(self.blobs[blob]).decode()
        content = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        html = f"https://github.com/{self.full_name}/blob/{branch}/{path}"
        return 200, {
            "type": "file",
            "encoding": "base64",
            "size": len(self.blobs[blob]),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": content,
            "sha": blob,
            "url": self._repo_api(f"/contents/{path}?ref={branch}"),
            "git_url": self._repo_api(f"/git/blobs/{blob}"),
            "html_url": html,
            "download_url": f"https://raw.githubusercontent.com/{self.full_name}/{branch}/{path}",
            "_links": {
                "self": self._repo_api(f"/contents/{path}?ref={branch}"),
                "git": self._repo_api(f"/git/blobs/{blob}"),
                "html": html,
            },
        }

    def _list_pulls(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        state = query.get("state", "open")
        if state not in ("open", "closed", "all"):
            raise invalid("state", "PullRequest", "invalid")
        found = []
        for pull in reversed(self.pulls):  # newest first, as GitHub sorts by default
            if state != "all" and pull.state != state:
                continue
            if "head" in query and query["head"] != f"{self.owner}:{pull.head}":
                continue
            if "base" in query and query["base"] != pull.base:
                continue
            found.append(self._pull(pull, full=False))
        return 200, found

    def _create_pull(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        for name in ("head", "base"):
            if not body.get(name):
                raise invalid(name, "PullRequest")
        if not body.get("title") and not body.get("issue"):
            raise invalid("title", "PullRequest")
        head = str(body["head"]).removeprefix(f"{self.owner}:")
        if head not in self.refs:
            raise invalid("head", "PullRequest", "invalid")
        if body["base"] not in self.refs:
            raise invalid("base", "PullRequest", "invalid")
        if any(p.head == head and p.base == body["base"] and p.state == "open" for p in self.pulls):
            raise GitHubHTTPError(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {self.owner}:{head}.",
                    }
                ],
            )
        if self.refs[head] == self.refs[body["base"]] or self._descends(
            self.refs[body["base"]], self.refs[head]
        ):
            raise GitHubHTTPError(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"No commits between {body['base']} and {head}",
                    }
                ],
            )
        pull = Pull(
            len(self.pulls) + 1, head, str(body["base"]), str(body["title"]), str(body.get("body") or "")
        )
        self.pulls.append(pull)
        return 201, self._pull(pull)

    def _update_pull(self, query: dict[str, str], body: Any, number: str) -> tuple[int, Any]:
        index = int(number) - 1
        if not 0 <= index < len(self.pulls):
            raise not_found()
        pull = self.pulls[index]
        if "title" in body:
            pull.title = str(body["title"])
        if "body" in body:
            pull.body = str(body["body"] or "")
        return 200, self._pull(pull)

    def _get_membership(self, query: dict[str, str], body: Any, org: str, login: str) -> tuple[int, Any]:
        if org != self.org:
            raise not_found()
        if login.lower() not in self.memberships:
            raise not_found()
        return 200, self._membership(login)

    def _set_membership(self, query: dict[str, str], body: Any, org: str, login: str) -> tuple[int, Any]:
        if org != self.org:
            raise not_found()
        if not self.can_invite:
            raise GitHubHTTPError(403, "Resource not accessible by personal access token")
        if body.get("role", "member") not in ("admin", "member"):
            raise invalid("role", "Membership", "invalid")
        if login.lower() not in {user.lower() for user in self.users}:
            raise not_found()
        if login.lower() in self.uninvitable:
            raise GitHubHTTPError(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "OrganizationInvitation",
                        "code": "unprocessable",
                        "message": "Invitee is blocked.",
                    }
                ],
            )
        self.memberships.setdefault(login.lower(), "pending")
        return 200, self._membership(login)

    # --- teams ------------------------------------------------------------------------------------------

    def add_team(self, slug: str, members: dict[str, str] | None = None, **options: Any) -> Team:
        team = Team(slug, {login.lower(): role for login, role in (members or {}).items()}, **options)
        self.teams[slug] = team
        return team

    def _team(self, org: str, slug: str) -> Team:
        # Organization names are not case sensitive; an unknown (or invisible) team is 404.
        if org.lower() != self.org.lower() or slug not in self.teams:
            raise not_found()
        return self.teams[slug]

    def _team_membership(self, team: Team, login: str) -> dict[str, Any]:
        login = login.lower()
        active = login in team.members
        return {
            "url": self._api(f"/orgs/{self.org}/teams/{team.slug}/memberships/{login}"),
            "role": team.members.get(login, "member"),
            "state": "active" if active else "pending",
        }

    def _page(self, query: dict[str, str], items: list[Any]) -> list[Any]:
        try:
            per_page = min(100, int(query.get("per_page", 30)))
            page = int(query.get("page", 1))
        except ValueError:
            raise invalid("per_page", "Pagination", "invalid") from None
        return items[(page - 1) * per_page : page * per_page]

    def _team_members(self, query: dict[str, str], body: Any, org: str, slug: str) -> tuple[int, Any]:
        team = self._team(org, slug)
        role = query.get("role", "all")
        if role not in ("all", "member", "maintainer"):
            raise invalid("role", "TeamMember", "invalid")
        logins = sorted(login for login, its in team.members.items() if role in ("all", its))
        return 200, self._page(query, [self._user(login) for login in logins])

    def _team_invitations(self, query: dict[str, str], body: Any, org: str, slug: str) -> tuple[int, Any]:
        team = self._team(org, slug)
        invitations = [
            {
                "id": 5000 + number,
                "login": login,
                "email": None,
                "role": "direct_member",
                "created_at": "2026-03-15T12:00:00Z",
                "failed_at": None,
                "failed_reason": None,
                "inviter": self._user("maintainer"),
                "team_count": 1,
                "node_id": f"OI_{5000 + number}",
                "invitation_teams_url": self._api(f"/organizations/1/invitations/{5000 + number}/teams"),
                "invitation_source": "member",
            }
            for number, login in enumerate(sorted(team.pending))
        ]
        return 200, self._page(query, invitations)

    def _get_team_membership(
        self, query: dict[str, str], body: Any, org: str, slug: str, login: str
    ) -> tuple[int, Any]:
        team = self._team(org, slug)
        if login.lower() not in team.members and login.lower() not in team.pending:
            raise not_found()  # "if user has no team membership"
        return 200, self._team_membership(team, login)

    def _check_team_write(self, team: Team) -> None:
        if not self.can_invite:
            raise GitHubHTTPError(403, "Resource not accessible by personal access token")
        if team.synced:
            raise GitHubHTTPError(403, "This team is synchronized with an identity provider")

    def _set_team_membership(
        self, query: dict[str, str], body: Any, org: str, slug: str, login: str
    ) -> tuple[int, Any]:
        team = self._team(org, slug)
        self._check_team_write(team)
        role = body.get("role", "member")
        if role not in ("member", "maintainer"):
            raise invalid("role", "TeamMembership", "invalid")
        login = login.lower()
        if login not in {user.lower() for user in self.users} | set(self.memberships):
            raise not_found()
        if self.memberships.get(login) == "active":
            team.members[login] = role
            team.pending.discard(login)
        else:
            # Not in the organization yet: GitHub e-mails an invitation to it, with the team.
            self.memberships.setdefault(login, "pending")
            team.pending.add(login)
        return 200, self._team_membership(team, login)

    def _remove_team_membership(
        self, query: dict[str, str], body: Any, org: str, slug: str, login: str
    ) -> tuple[int, Any]:
        team = self._team(org, slug)
        self._check_team_write(team)
        login = login.lower()
        if login not in team.members and login not in team.pending:
            raise not_found()
        team.members.pop(login, None)
        team.pending.discard(login)
        return 204, None

    # --- the server ---------------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        method = request.command
        path = unquote(parts.path).removeprefix("/api/v3")
        query = dict(parse_qsl(parts.query))
        try:
            body: Any = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            self._send(
                request, 400, {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"}
            )
            return
        with self._lock:
            self.calls.append(Call(method, path, query, body, time.time()))
            fault = next((f for f in self.faults if f.method == method and f.path.search(path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        try:
            if fault is not None:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                raise GitHubHTTPError(fault.status, fault.message or "Server Error", headers=headers)
            authorization = request.headers.get("Authorization") or ""
            scheme, _, token = authorization.partition(" ")
            if not token:
                raise GitHubHTTPError(401, "Requires authentication")
            if scheme.lower() not in ("bearer", "token") or token != self.token:
                raise GitHubHTTPError(401, "Bad credentials")
            if method in ("POST", "PATCH", "PUT", "DELETE") and raw and not isinstance(body, dict):
                raise GitHubHTTPError(400, "Problems parsing JSON")
            for verb, pattern, handler in self._routes():
                match = pattern.match(path)
                if verb == method and match:
                    with self._lock:
                        status, answer = handler(query, body, **match.groupdict())
                    self._send(request, status, answer)
                    return
            raise not_found()
        except GitHubHTTPError as exc:
            docs = RATE_LIMIT_DOCS if exc.message == SECONDARY_RATE_LIMIT else DOCS
            answer = {"message": exc.message, "documentation_url": docs, "status": str(exc.status)}
            if exc.errors:
                answer["errors"] = exc.errors
            self._send(request, exc.status, answer, exc.headers)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        request.send_response(status)
        if body is not None:
            request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        request.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        # The primary rate limit, on every answer; never exhausted here (a secondary limit leaves it so).
        request.send_header("X-RateLimit-Limit", str(RATE_LIMIT))
        request.send_header("X-RateLimit-Remaining", str(RATE_LIMIT - 1))
        request.send_header("X-RateLimit-Used", "1")
        request.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        request.send_header("X-RateLimit-Resource", "core")
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            request.wfile.write(payload)
