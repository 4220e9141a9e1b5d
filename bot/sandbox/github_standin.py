"""A local stand-in for GitHub's REST API, as strict as GitHub for what the bot uses.

The bot reaches it through `GITHUB_API_URL`. It keeps real git objects (`bot.sandbox.github_repository`),
checks the token (`Authorization: Bearer|token`) and the required fields of
each request body, and answers with GitHub's shapes (`bot.sandbox.github_shapes`) and errors: 401
"Bad credentials", 404 "Not Found", 422 "Validation Failed" / "Reference already exists" / "A pull
request already exists". The sandbox keeps the public list's repository here and shows the pull
request the bot opens; the tests' fake GitHub is this stand-in with call recording and fault
injection on top (tests/fakes/github.py).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote

from bot.sandbox.github_repository import GitHubHTTPError, invalid, not_found
from bot.sandbox.github_shapes import Pull
from bot.sandbox.github_teams import GitHubTeams

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
MAX_BODY_BYTES = 5_000_000

StartResponse = Callable[..., Any]


def error_answer(exc: GitHubHTTPError) -> dict[str, Any]:
    docs = RATE_LIMIT_DOCS if exc.message == SECONDARY_RATE_LIMIT else DOCS
    answer: dict[str, Any] = {"message": exc.message, "documentation_url": docs, "status": str(exc.status)}
    if exc.errors:
        answer["errors"] = exc.errors
    return answer


def response_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    """GitHub's headers on every answer: the media type and the primary rate limit, never exhausted
    here (a secondary limit leaves it so)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-GitHub-Media-Type": "github.v3; format=json",
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(RATE_LIMIT - 1),
        "X-RateLimit-Used": "1",
        "X-RateLimit-Reset": str(int(time.time()) + 3600),
        "X-RateLimit-Resource": "core",
        **(extra or {}),
    }


PROBLEMS_PARSING_JSON = {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"}


class GitHubStandin(GitHubTeams):
    """The repository with GitHub's REST API in front of it."""

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

    # --- answering -----------------------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, query: dict[str, str], body: Any, raw: bytes, authorization: str
    ) -> tuple[int, Any, dict[str, str]]:
        """GitHub's answer to a request: (status, JSON body, extra headers)."""
        try:
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
                    return status, answer, {}
            raise not_found()
        except GitHubHTTPError as exc:
            return exc.status, error_answer(exc), exc.headers

    def wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The stand-in served over HTTP, under `/api/v3` as GitHub Enterprise serves it."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            return send(start_response, 413, {"message": "Payload too large", "status": "413"}, {})
        raw = environ["wsgi.input"].read(length) if length else b""
        path = unquote(str(environ.get("PATH_INFO") or "")).removeprefix("/api/v3")
        query = dict(parse_qsl(str(environ.get("QUERY_STRING") or "")))
        try:
            body: Any = json.loads(raw) if raw else {}
        except ValueError:
            return send(start_response, 400, PROBLEMS_PARSING_JSON, {})
        status, answer, headers = self.answer(
            str(environ.get("REQUEST_METHOD") or "GET"),
            path,
            query,
            body,
            raw,
            str(environ.get("HTTP_AUTHORIZATION") or ""),
        )
        return send(start_response, status, answer, headers)


def send(start_response: StartResponse, status: int, body: Any, headers: dict[str, str]) -> list[bytes]:
    payload = b"" if body is None else json.dumps(body).encode()
    all_headers = response_headers(headers)
    if body is None:  # 204 No Content
        del all_headers["Content-Type"]
    all_headers["Content-Length"] = str(len(payload))
    start_response(f"{status} {STATUS_TEXT.get(status, 'Error')}", list(all_headers.items()))
    return [payload]


STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}
