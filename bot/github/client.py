"""A thin GitHub REST client for what the bot does on GitHub: read and commit the public files, keep
one pull request open, invite new ambassadors to the organization, and keep the ambassadors' team.

Built on githubkit (typed request methods named after GitHub's REST operations, `base_url` for
GitHub Enterprise and the tests' fake, httpx with timeouts, and retries for rate limits and 5xx).
Only the fields the bot uses are read from the answers (`response.json()`), so a GitHub Enterprise
version with other optional fields works too. The token is sent in the Authorization header only;
`bot.logging_setup` redacts GitHub tokens from every log line anyway.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from githubkit import GitHub
from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed
from githubkit.retry import RetryOption

DEFAULT_API_URL = "https://api.github.com/"
# Waiting longer than this inside a run would hold a scheduler thread: the run fails instead and the
# next one tries again (the job is idempotent).
MAX_RETRY_WAIT = timedelta(seconds=60)
TIMEOUT_SECONDS = 20.0
PAGE_SIZE = 100  # GitHub's most per page
MAX_PAGES = 100


class GitHubError(Exception):
    """GitHub refused or failed a request: `status` (0 when it could not be reached) and its message."""

    def __init__(self, status: int, message: str, *, operation: str = "", rate_limited: bool = False):
        super().__init__(f"{operation}: GitHub answered {status}: {message}" if status else message)
        self.status = status
        self.message = message
        self.operation = operation
        self.rate_limited = rate_limited

    @property
    def transient(self) -> bool:
        """Worth trying again later: rate limits, GitHub's own errors, the network."""
        return self.rate_limited or self.status == 0 or self.status >= 500


@dataclass(frozen=True)
class FileContent:
    text: str
    sha: str  # the blob's


@dataclass(frozen=True)
class PullRequest:
    number: int
    html_url: str
    title: str
    body: str
    head_sha: str


class _RetryDecision:
    """githubkit's retry rule: rate limits (primary, and secondary with `Retry-After`) waited out
    twice when the wait is short, 5xx answers retried once after a second."""

    def __call__(self, exc: Exception, retry_count: int) -> RetryOption:
        if isinstance(exc, RateLimitExceeded):
            if retry_count < 2 and exc.retry_after <= MAX_RETRY_WAIT:
                return RetryOption(True, exc.retry_after)
            return RetryOption(False)
        if isinstance(exc, RequestFailed) and exc.response.status_code >= 500 and retry_count < 1:
            return RetryOption(True, timedelta(seconds=1))
        return RetryOption(False)


def _error(exc: Exception, operation: str) -> GitHubError:
    if isinstance(exc, RequestFailed):
        response = exc.response
        try:
            body = response.json()
            message = str(body.get("message", "")) if isinstance(body, dict) else ""
            details = [
                str(item.get("message") or item.get("code"))
                for item in (body.get("errors") or [] if isinstance(body, dict) else [])
                if isinstance(item, dict)
            ]
        except Exception:
            message, details = response.raw_response.text[:200], []
        text = "; ".join([message, *details]) if details else message
        # githubkit knows a secondary rate limit by `Retry-After` (or an exhausted primary limit), but
        # GitHub sends some without it: a 429, or a 403 saying so, is a rate limit all the same.
        secondary = response.status_code == 429 or (
            response.status_code == 403 and "secondary rate limit" in message.lower()
        )
        return GitHubError(
            response.status_code,
            text or response.raw_response.reason_phrase,
            operation=operation,
            rate_limited=isinstance(exc, RateLimitExceeded) or secondary,
        )
    if isinstance(exc, RequestError):
        return GitHubError(
            0, f"{operation}: cannot reach GitHub ({exc.exc.__class__.__name__})", operation=operation
        )
    return GitHubError(0, f"{operation}: {exc.__class__.__name__}", operation=operation)


class GitHubClient:
    """GitHub for one repository (`owner/name`) and the organization invitations."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, repo: str = "") -> None:
        self.owner, _, self.repo = repo.partition("/")
        self._github: GitHub[Any] = GitHub(
            token,
            base_url=api_url,
            user_agent="ambassador-bot",
            timeout=TIMEOUT_SECONDS,
            http_cache=False,  # every run must see the repository as it is now
            auto_retry=_RetryDecision(),
        )

    def _call(self, operation: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs).json()
        except GitHubException as exc:
            raise _error(exc, operation) from None

    def _call_without_body(self, operation: str, function: Any, *args: Any, **kwargs: Any) -> None:
        try:
            function(*args, **kwargs)
        except GitHubException as exc:
            raise _error(exc, operation) from None

    def _pages(self, operation: str, function: Any, *args: Any, **kwargs: Any) -> list[Any]:
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._call(operation, function, *args, per_page=PAGE_SIZE, page=page, **kwargs)
            items += data
            if len(data) < PAGE_SIZE:
                break
        return items

    def _missing_is_none(self, operation: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._call(operation, function, *args, **kwargs)
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise

    # --- the repository ---------------------------------------------------------------------------

    def default_branch(self) -> str:
        data = self._call("get repository", self._github.rest.repos.get, self.owner, self.repo)
        return str(data["default_branch"])

    def branch_sha(self, branch: str) -> str | None:
        """The commit a branch points at; None when there is no such branch."""
        data = self._missing_is_none(
            "get branch", self._github.rest.git.get_ref, self.owner, self.repo, f"heads/{branch}"
        )
        return None if data is None else str(data["object"]["sha"])

    def get_file(self, path: str, ref: str) -> FileContent | None:
        """A file's text at `ref`; None when it does not exist there."""
        data = self._missing_is_none(
            f"read {path}", self._github.rest.repos.get_content, self.owner, self.repo, path, ref=ref
        )
        if data is None:
            return None
        if not isinstance(data, Mapping) or data.get("type") != "file":
            raise GitHubError(
                422, f"{path} is not a file in {self.owner}/{self.repo}", operation=f"read {path}"
            )
        if data.get("encoding") != "base64":
            # Files over 1 MB come without content; the public list is far smaller.
            raise GitHubError(422, f"{path} is too large for the contents API", operation=f"read {path}")
        text = base64.b64decode(str(data["content"])).decode("utf-8")
        return FileContent(text=text, sha=str(data["sha"]))

    def commit_files(self, parent_sha: str, files: Mapping[str, str], message: str) -> str:
        """One commit on top of `parent_sha` replacing `files` ({path: text}); its sha (no branch moves)."""
        commit = self._call(
            "read commit", self._github.rest.git.get_commit, self.owner, self.repo, parent_sha
        )
        tree = self._call(
            "create tree",
            self._github.rest.git.create_tree,
            self.owner,
            self.repo,
            data={
                "base_tree": commit["tree"]["sha"],
                "tree": [
                    {"path": path, "mode": "100644", "type": "blob", "content": text}
                    for path, text in files.items()
                ],
            },
        )
        created = self._call(
            "create commit",
            self._github.rest.git.create_commit,
            self.owner,
            self.repo,
            data={"message": message, "tree": tree["sha"], "parents": [parent_sha]},
        )
        return str(created["sha"])

    def set_branch(self, branch: str, sha: str) -> None:
        """Point `branch` at `sha`, creating it, or moving it even when that is not a fast-forward
        (the bot's branch is rebuilt on the base branch every time)."""
        try:
            self._call(
                "create branch",
                self._github.rest.git.create_ref,
                self.owner,
                self.repo,
                data={"ref": f"refs/heads/{branch}", "sha": sha},
            )
        except GitHubError as exc:
            if exc.status != 422:
                raise
            self._call(
                "move branch",
                self._github.rest.git.update_ref,
                self.owner,
                self.repo,
                f"heads/{branch}",
                data={"sha": sha, "force": True},
            )

    # --- pull requests ------------------------------------------------------------------------------

    @staticmethod
    def _pull(data: Mapping[str, Any]) -> PullRequest:
        return PullRequest(
            number=int(data["number"]),
            html_url=str(data["html_url"]),
            title=str(data.get("title") or ""),
            body=str(data.get("body") or ""),
            head_sha=str(data["head"]["sha"]),
        )

    def open_pull(self, branch: str, base: str) -> PullRequest | None:
        """The open pull request from `branch` into `base`, if any."""
        data = self._call(
            "list pull requests",
            self._github.rest.pulls.list,
            self.owner,
            self.repo,
            state="open",
            head=f"{self.owner}:{branch}",
            base=base,
        )
        return self._pull(data[0]) if data else None

    def create_pull(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        data = self._call(
            "open pull request",
            self._github.rest.pulls.create,
            self.owner,
            self.repo,
            data={"title": title, "head": branch, "base": base, "body": body},
        )
        return self._pull(data)

    def update_pull(self, number: int, title: str, body: str) -> PullRequest:
        data = self._call(
            "update pull request",
            self._github.rest.pulls.update,
            self.owner,
            self.repo,
            number,
            data={"title": title, "body": body},
        )
        return self._pull(data)

    # --- the organization -------------------------------------------------------------------------

    def org_membership(self, org: str, login: str) -> str | None:
        """`active` or `pending` (invited), or None when `login` is neither."""
        data = self._missing_is_none(
            "read organization membership", self._github.rest.orgs.get_membership_for_user, org, login
        )
        return None if data is None else str(data["state"])

    def invite_to_org(self, org: str, login: str) -> str:
        """Invite `login` to `org` as a member (an invitation GitHub e-mails); the membership state."""
        data = self._call(
            "invite to organization",
            self._github.rest.orgs.set_membership_for_user,
            org,
            login,
            data={"role": "member"},
        )
        return str(data["state"])

    # --- the ambassadors' team (its organization membership is never touched) --------------------------

    def team_members(self, org: str, team: str, role: str = "all") -> list[str]:
        """The team's members' logins, lowercased (`role`: all, member or maintainer); GitHub answers 404
        when the team does not exist or the token cannot see it."""
        data = self._pages(
            "list team members", self._github.rest.teams.list_members_in_org, org, team, role=role
        )
        return [str(user["login"]).lower() for user in data]

    def team_invitations(self, org: str, team: str) -> list[str]:
        """Logins invited to the team who have not accepted yet (invitations by e-mail have none)."""
        data = self._pages(
            "list team invitations", self._github.rest.teams.list_pending_invitations_in_org, org, team
        )
        return [str(item["login"]).lower() for item in data if item.get("login")]

    def team_membership(self, org: str, team: str, login: str) -> tuple[str, str] | None:
        """(state, role) of `login` on the team: `active` or `pending`, `member` or `maintainer` (GitHub
        gives organization owners `maintainer`); None when they have no membership."""
        data = self._missing_is_none(
            "read team membership", self._github.rest.teams.get_membership_for_user_in_org, org, team, login
        )
        return None if data is None else (str(data["state"]), str(data.get("role") or "member"))

    def add_to_team(self, org: str, team: str, login: str) -> str:
        """Make `login` a member of the team (GitHub invites people who are not in the organization
        yet); the membership's state."""
        data = self._call(
            "add to team",
            self._github.rest.teams.add_or_update_membership_for_user_in_org,
            org,
            team,
            login,
            data={"role": "member"},
        )
        return str(data["state"])

    def remove_from_team(self, org: str, team: str, login: str) -> None:
        """End `login`'s membership of the team; their organization membership stays as it is."""
        self._call_without_body(
            "remove from team", self._github.rest.teams.remove_membership_for_user_in_org, org, team, login
        )

    def __enter__(self) -> GitHubClient:
        """Within `with`, one HTTP client (and its connections) serves every call of this thread; outside,
        each call opens its own."""
        self._github.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._github.__exit__()
