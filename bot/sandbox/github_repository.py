"""The GitHub stand-in's repository: real git objects (blob, tree and commit shas computed as git does),
branches, pull requests and the organization's memberships, with what the sandbox's page and the
tests read from them (files, open pull requests and their diffs)."""

from __future__ import annotations

import difflib
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.github_shapes import GitHubShapes, Pull, Team

TOKEN = "github_pat_11FAKE0TOKEN0abcdefghijklmnopqrstuvwxyz0123456789"


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
class GitHubRepository(GitHubShapes):
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
    # Where the API is served, e.g. http://127.0.0.1:PORT/api/v3 (URLs in answers point there).
    base_url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, str]] = {}  # tree sha → {path: blob sha} (flat, full paths)
        self.commits: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}  # branch → commit sha
        self.pulls: list[Pull] = []
        self._clock = 0

    # --- what the tests and the sandbox's page use ---------------------------------------------------

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

    def diff(self, pull: Pull) -> str:
        """The pull request's changes as a unified diff, file by file (what GitHub's Files tab shows)."""
        with self._lock:
            base = self.trees[self.commits[self.refs[pull.base]]["tree"]]
            head = self.trees[self.commits[self.refs[pull.head]]["tree"]] if pull.head in self.refs else base
            lines: list[str] = []
            for path in sorted(set(base) | set(head)):
                if base.get(path) == head.get(path):
                    continue
                before = self.blobs[base[path]].decode() if path in base else ""
                after = self.blobs[head[path]].decode() if path in head else ""
                lines.extend(
                    difflib.unified_diff(
                        before.splitlines(keepends=True),
                        after.splitlines(keepends=True),
                        f"a/{path}",
                        f"b/{path}",
                    )
                )
            return "".join(lines)

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

    def _descends(self, sha: str, ancestor: str) -> bool:
        stack = [sha]
        while stack:
            current = stack.pop()
            if current == ancestor:
                return True
            stack.extend(self.commits[current]["parents"])
        return False
