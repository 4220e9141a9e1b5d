"""Publishing the public list: the repository's members and emeritus files kept in step with the
program, through one pull request.

Each run reads the files from the base branch, merges the bot's export into them in their own format
and style (`bot.github.public_files`), and when anything differs puts the new files in one commit on the
bot's branch (rebuilt on the base branch every time) with one open pull request, created or updated.
Nothing differs: nothing is written. A merged pull request leaves no open one, so the next change
opens a new one. The description lists the changes in words and links the Slack decisions.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select

from bot.github import public_files
from bot.github.client import FileContent, PullRequest
from bot.services.members import record_audit
from bot.services.registry import exporting, file_format
from bot.store.db import Database
from bot.store.models import Application, ApplicationStatus, Member, MemberStatus

BRANCH = "ambassador-bot/public-list"
MANAGED_KEYS = (*file_format.PROFILE_FIELDS, "contributions")
BODY_LIMIT = 60_000  # GitHub refuses descriptions over 65,536 characters

Permalink = Callable[[str, str], str | None]  # (channel, ts) → a link to that Slack message


class Repository(Protocol):
    """What publishing needs from GitHub (`bot.github.client.GitHubClient`)."""

    def default_branch(self) -> str: ...

    def branch_sha(self, branch: str) -> str | None: ...

    def get_file(self, path: str, ref: str) -> FileContent | None: ...

    def commit_files(self, parent_sha: str, files: Mapping[str, str], message: str) -> str: ...

    def set_branch(self, branch: str, sha: str) -> None: ...

    def open_pull(self, branch: str, base: str) -> PullRequest | None: ...

    def create_pull(self, branch: str, base: str, title: str, body: str) -> PullRequest: ...

    def update_pull(self, number: int, title: str, body: str) -> PullRequest: ...


class PublishStatus(StrEnum):
    UNCHANGED = "unchanged"  # the base branch already says what the bot says
    UP_TO_DATE = "up_to_date"  # the open pull request already has these files and this text
    OPENED = "opened"
    UPDATED = "updated"
    DRY_RUN = "dry_run"


class PublishError(Exception):
    """Publishing cannot go on (a missing base branch, a file the bot cannot read); one line."""


@dataclass(frozen=True)
class PublishConfig:
    repo: str
    members_path: str
    emeritus_path: str = ""
    base_branch: str = ""  # empty: the repository's default branch
    branch: str = BRANCH


@dataclass(frozen=True)
class Decision:
    """Why a member joined or left, for the pull request's description."""

    on: datetime | None
    reason: str | None = None
    slack: tuple[str, str] | None = None  # (channel, ts) of the decision's post


@dataclass(frozen=True)
class Snapshot:
    """What the program says, read in one transaction."""

    exported: list[dict[str, Any]]
    emeritus: tuple[str, ...]
    names: dict[str, str]  # github (lowercase) → name, for members in the emeritus list
    decisions: dict[str, Decision]  # github (lowercase) → the latest approval or move to emeritus


@dataclass
class Plan:
    files: dict[str, str]  # path → new text, only the files that differ from the base branch
    before: dict[str, str]  # path → the base branch's text ("" when the file is new)
    title: str
    body: str
    # Ambassadors the website cannot list: it knows members by GitHub handle, and these have none.
    without_github: list[str] = field(default_factory=list)

    def diff(self) -> str:
        chunks: list[str] = []
        for path, text in self.files.items():
            chunks.extend(
                difflib.unified_diff(
                    self.before[path].splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
            )
        return "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks
        )


@dataclass
class PublishResult:
    status: PublishStatus
    base: str
    plan: Plan | None = None
    pull: PullRequest | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = f" #{self.pull.number} {self.pull.html_url}" if self.pull else ""
        files = ", ".join(self.plan.files) if self.plan else ""
        return {
            PublishStatus.UNCHANGED: f"publish: the public list on {self.base} is current; nothing to do",
            PublishStatus.UP_TO_DATE: f"publish: the open pull request{where} is already current",
            PublishStatus.OPENED: f"publish: opened pull request{where} ({files})",
            PublishStatus.UPDATED: f"publish: updated pull request{where} ({files})",
            PublishStatus.DRY_RUN: f"publish (dry run, nothing written): would propose {files} against {self.base}",
        }[self.status]


# --- reading the program ------------------------------------------------------------------------------


def snapshot(db: Database) -> Snapshot:
    exported = exporting.export_members(db)
    emeritus = exporting.export_emeritus(db)
    with db.transaction() as session:
        decisions: dict[str, Decision] = {}
        names: dict[str, str] = {}
        approvals = session.execute(
            select(Member.github, Application.decided_at, Application.review_channel, Application.review_ts)
            .join(Application, Application.member_id == Member.id)
            .where(Member.status == MemberStatus.ACTIVE, Application.status == ApplicationStatus.APPROVED)
            .order_by(Application.decided_at)
        )
        for github, decided_at, channel, ts in approvals:
            if github:
                decisions[github.lower()] = Decision(
                    decided_at, None, (channel, ts) if channel and ts else None
                )
        for member in session.scalars(select(Member).where(Member.github.is_not(None))):
            assert member.github is not None
            key = member.github.lower()
            if member.status == MemberStatus.EMERITUS:
                names[key] = member.name
                decisions[key] = Decision(member.status_changed_at, member.status_reason)
            elif member.status == MemberStatus.ACTIVE and key not in decisions:
                decisions[key] = Decision(member.status_changed_at)
    return Snapshot(exported, emeritus.github_handles, names, decisions)


# --- planning (pure) -----------------------------------------------------------------------------------


def _contribution_key(entry: Any) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


def _contribution_words(entry: Mapping[str, Any]) -> str:
    title = str(entry.get("title") or "")
    link = str(entry.get("link") or "")
    date = entry.get("date") or {}
    when = " ".join(str(part) for part in (date.get("month"), date.get("year")) if part)
    label = f"[{_md(title)}]({link})" if link.startswith(("http://", "https://")) else _md(title)
    return f"{entry.get('type')}: {label}" + (f" ({when})" if when else "")


def _md(text: str) -> str:
    """Text for a Markdown description: no accidental links, emphasis, mentions or HTML."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text.replace("@", "@\u200b")


def _who(entry: Mapping[str, Any]) -> str:
    name = _md(str(entry.get("name") or entry.get("github") or "someone"))
    github = entry.get("github")
    return (
        f"**{name}** ([{_md('@' + str(github))}](https://github.com/{github}))" if github else f"**{name}**"
    )


def _decision_words(decision: Decision | None, verb: str, permalink: Permalink | None) -> str:
    if decision is None:
        return ""
    words = f"{verb} on {decision.on.date().isoformat()}" if decision.on else verb
    if decision.reason:
        words += f": {_md(decision.reason)}"
    if decision.slack and permalink is not None:
        link = permalink(*decision.slack)
        if link:
            words += f" ([the decision in Slack]({link}))"
    return words


def describe(
    members: public_files.MemberMerge,
    emeritus: public_files.EmeritusMerge | None,
    snap: Snapshot,
    paths: Sequence[str],
    permalink: Permalink | None,
) -> tuple[str, str]:
    """The pull request's title and description, in words."""
    lines = [
        "The ambassador program's public list, brought in step with the program's records by "
        "ambassador-bot. Merge it to publish; while it is open, the bot updates it with later changes.",
        "",
    ]
    if members.joined:
        lines += ["### Joined", ""]
        for entry in members.joined:
            words = _decision_words(
                snap.decisions.get(str(entry.get("github", "")).lower()), "approved", permalink
            )
            lines.append(f"- {_who(entry)}" + (f": {words}" if words else ""))
        lines.append("")
    if members.left:
        lines += ["### Left (now emeritus)", ""]
        for entry in members.left:
            words = _decision_words(
                snap.decisions.get(str(entry.get("github", "")).lower()), "emeritus", permalink
            )
            lines.append(f"- {_who(entry)}" + (f": {words}" if words else ""))
        lines.append("")
    new_contributions: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = []
    removed_contributions: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = []
    profile_changes: list[tuple[Mapping[str, Any], list[str]]] = []
    for before, after in members.updated:
        old = Counter(_contribution_key(item) for item in before.get("contributions") or [])
        new = Counter(_contribution_key(item) for item in after.get("contributions") or [])
        added = [
            item for item in after.get("contributions") or [] if (new - old)[_contribution_key(item)] > 0
        ]
        gone = [
            item for item in before.get("contributions") or [] if (old - new)[_contribution_key(item)] > 0
        ]
        if added:
            new_contributions.append((after, added))
        if gone:
            removed_contributions.append((after, gone))
        changed = [
            key
            for key in dict.fromkeys([*before, *after])
            if key != "contributions" and before.get(key) != after.get(key)
        ]
        if changed:
            profile_changes.append((after, changed))
    for entry in members.joined:
        if entry.get("contributions"):
            new_contributions.append((entry, list(entry["contributions"])))
    total_new = sum(len(items) for _entry, items in new_contributions)
    if new_contributions:
        lines += ["### New contributions", ""]
        for who, items in new_contributions:
            lines.append(f"- {_who(who)}: {len(items)}")
            lines += [f"  - {_contribution_words(item)}" for item in items]
        lines.append("")
    if removed_contributions:
        lines += ["### Contributions removed or corrected", ""]
        for who, items in removed_contributions:
            lines.append(f"- {_who(who)}: {len(items)}")
            lines += [f"  - {_contribution_words(item)}" for item in items]
        lines.append("")
    if profile_changes:
        lines += ["### Profile updates", ""]
        lines += [
            f"- {_who(entry)}: {', '.join(f'`{key}`' for key in keys)}" for entry, keys in profile_changes
        ]
        lines.append("")
    if emeritus and (emeritus.added or emeritus.removed):
        lines += ["### Emeritus list", ""]
        for handle in emeritus.added:
            name = snap.names.get(handle.lower())
            shown = (
                f"**{_md(name)}** ([{_md('@' + handle)}](https://github.com/{handle}))"
                if name and name != handle
                else f"[{_md('@' + handle)}](https://github.com/{handle})"
            )
            lines.append(f"- added {shown}")
        for handle in emeritus.removed:
            lines.append(
                f"- removed [{_md('@' + handle)}](https://github.com/{handle}) (an ambassador again)"
            )
        lines.append("")
    lines += [
        "Files: " + ", ".join(f"`{path}`" for path in paths) + ". Entries the bot does not manage "
        "(members it does not know, fields it does not keep, `emeritus_tsc`, comments) are left as they are.",
    ]
    body = "\n".join(lines)
    if len(body) > BODY_LIMIT:
        body = body[: BODY_LIMIT - 80].rsplit("\n", 1)[0] + "\n\n… (the list goes on; see the files' diff)"
    parts = []
    if members.joined:
        parts.append(f"{len(members.joined)} joined")
    if members.left:
        parts.append(f"{len(members.left)} left")
    if total_new:
        parts.append(f"{total_new} new contribution{'s' if total_new != 1 else ''}")
    if not parts:
        parts.append("updates")
    title = "Ambassadors: " + ", ".join(parts)
    return title, body


def plan(
    config: PublishConfig,
    snap: Snapshot,
    members_file: str | None,
    emeritus_file: str | None,
    permalink: Permalink | None = None,
) -> Plan:
    """The new files (those that differ) and the pull request's text; pure."""
    try:
        current = public_files.parse_text(members_file) if members_file else []
    except public_files.FileFormatError as exc:
        raise PublishError(f"{config.members_path} on GitHub: {exc}") from None
    if not isinstance(current, list):
        raise PublishError(f"{config.members_path} on GitHub is not a list of members; not touching it")
    listed = [entry for entry in snap.exported if entry.get("github")]
    without_github = [str(entry.get("name")) for entry in snap.exported if not entry.get("github")]
    active = [str(entry["github"]) for entry in listed]
    merged = public_files.merge_members(current, listed, snap.emeritus, MANAGED_KEYS)
    new_files = {
        config.members_path: public_files.render(
            merged.data, public_files.detect_style(members_file, config.members_path)
        )
    }
    before = {config.members_path: members_file or ""}
    emeritus_merge = None
    if config.emeritus_path:
        try:
            current_emeritus = public_files.parse_text(emeritus_file) if emeritus_file else {}
        except public_files.FileFormatError as exc:
            raise PublishError(f"{config.emeritus_path} on GitHub: {exc}") from None
        if current_emeritus is not None and not isinstance(current_emeritus, dict):
            raise PublishError(f"{config.emeritus_path} on GitHub is not a mapping; not touching it")
        emeritus_merge = public_files.merge_emeritus(current_emeritus or {}, snap.emeritus, active)
        style = public_files.detect_style(emeritus_file, config.emeritus_path)
        new_files[config.emeritus_path] = public_files.render(emeritus_merge.data, style)
        before[config.emeritus_path] = emeritus_file or ""
    changed = {path: text for path, text in new_files.items() if text != before[path]}
    title, body = describe(merged, emeritus_merge, snap, list(changed) or list(new_files), permalink)
    return Plan(
        files=changed,
        before={path: before[path] for path in changed},
        title=title,
        body=body,
        without_github=without_github,
    )


# --- publishing --------------------------------------------------------------------------------------------


def _planned(base: str, the_plan: Plan) -> PublishResult:
    result = PublishResult(PublishStatus.DRY_RUN, base, the_plan)
    if the_plan.without_github:
        result.notes.append(
            "not listed on the website, the bot has no GitHub handle for them: "
            + ", ".join(the_plan.without_github)
        )
    if not the_plan.files:
        result.status = PublishStatus.UNCHANGED
    return result


def preview(
    db: Database, config: PublishConfig, members_file: str | None, emeritus_file: str | None, where: str
) -> PublishResult:
    """What `publish` would propose against copies of the repository's files read elsewhere (a clone
    on disk): the same diff and pull-request text, without GitHub or Slack (so without links to the
    decisions in Slack). `where` names the copies in the summary."""
    return _planned(where, plan(config, snapshot(db), members_file, emeritus_file))


def publish(
    db: Database,
    github: Repository,
    config: PublishConfig,
    *,
    now: datetime,
    dry_run: bool = False,
    actor: str = "scheduler",
    permalink: Permalink | None = None,
) -> PublishResult:
    """Propose the program's list to the repository; see the module's description."""
    base = config.base_branch or github.default_branch()
    base_sha = github.branch_sha(base)
    if base_sha is None:
        raise PublishError(f"{config.repo} has no branch {base!r} (GITHUB_BASE_BRANCH)")
    members_file = github.get_file(config.members_path, base)
    emeritus_file = github.get_file(config.emeritus_path, base) if config.emeritus_path else None
    the_plan = plan(
        config,
        snapshot(db),
        members_file.text if members_file else None,
        emeritus_file.text if emeritus_file else None,
        permalink,
    )
    result = _planned(base, the_plan)
    if not the_plan.files:
        if not dry_run:
            open_pull = github.open_pull(config.branch, base)
            if open_pull is not None:
                result.pull = open_pull
                result.notes.append(
                    f"pull request #{open_pull.number} is still open although {base} is current; close it"
                )
        return result
    if dry_run:
        return result
    pull = github.open_pull(config.branch, base)
    if pull is not None and pull.title == the_plan.title and pull.body == the_plan.body:
        current = all(
            (found := github.get_file(path, config.branch)) is not None and found.text == text
            for path, text in the_plan.files.items()
        )
        if current:
            result.status, result.pull = PublishStatus.UP_TO_DATE, pull
            return result
    commit = github.commit_files(base_sha, the_plan.files, the_plan.title)
    github.set_branch(config.branch, commit)
    if pull is None:
        pull = github.create_pull(config.branch, base, the_plan.title, the_plan.body)
        result.status = PublishStatus.OPENED
    else:
        pull = github.update_pull(pull.number, the_plan.title, the_plan.body)
        result.status = PublishStatus.UPDATED
    result.pull = pull
    with db.transaction() as session:
        record_audit(
            session,
            actor,
            "website.published",
            None,
            at=now,
            pull=pull.number,
            url=pull.html_url,
            files=list(the_plan.files),
            title=the_plan.title,
        )
    return result
