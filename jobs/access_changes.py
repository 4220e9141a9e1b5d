"""The `access-changes` job: the changes queued for the ambassadors' places, made once each.

Runs with the sender (every SENDER_INTERVAL_SECONDS). It turns roster changes into changes for each
place set up (`bot.services.access.expand_requests`), then, place by place, claims the due changes
and makes them: the user group's whole list in one call, the private channel and the GitHub team one
person at a time. Before each change it checks that it is still wanted (a later roster change may
have undone it) and looks at the place (already there? a maintainer?). 429s, 5xx answers and timeouts
are retried later; a place that cannot be kept is said once to the review channel and its changes
fail, while the other places carry on. The daily `access` job calls `apply` too, after queueing what
its comparison found.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NoReturn

from bot.blocks import access as access_blocks
from bot.github.client import GitHubClient, GitHubError
from bot.outbox.delivery_errors import Transient
from bot.rules import access as access_rules
from bot.rules.access import Action, Place
from bot.services import access
from bot.services import access_changes as claims
from bot.services.access import Target
from bot.services.access_changes import Claimed, Outcome, Post
from bot.services.home_tsc import tsc_slack_ids
from bot.settings import Settings
from bot.slack.access import PlaceProblem, Refused, SlackPlaces, TokenRefused
from bot.store.models import AccessChangeStatus
from jobs.runner import JobContext, JobResult

log = logging.getLogger(__name__)

MAX_BATCHES = 20  # per place and run; what is left waits for the next run
DONE, UNCHANGED, SKIPPED, FAILED = (
    AccessChangeStatus.DONE,
    AccessChangeStatus.UNCHANGED,
    AccessChangeStatus.SKIPPED,
    AccessChangeStatus.FAILED,
)


def targets(settings: Settings) -> list[Target]:
    """The places set up; each is off while its setting is empty."""
    found = []
    if settings.slack_ambassadors_group:
        found.append(Target(Place.SLACK_GROUP, settings.slack_ambassadors_group))
    if settings.slack_ambassadors_channel:
        found.append(Target(Place.SLACK_CHANNEL, settings.slack_ambassadors_channel))
    if settings.github_team and settings.github_org:
        found.append(Target(Place.GITHUB_TEAM, f"{settings.github_org}/{settings.github_team}"))
    return found


def problem_post(settings: Settings, target: Target, error: str, needed: str = "") -> Post | None:
    if not settings.review_channel:
        return None
    key = f"access-problem:{target.place}:{target.name}:{error}"[:200]
    text = access_blocks.place_problem(target.place, target.name, error, needed)
    return Post(key, "access_problem", settings.review_channel, text)


class StopPlace(Exception):
    """Nothing more can be done in this place during this run."""


class Applier:
    """One run's work on the claimed changes: records every outcome, and what the review channel is told."""

    def __init__(
        self, ctx: JobContext, now: datetime, result: JobResult, github: GitHubClient | None
    ) -> None:
        self.ctx = ctx
        self.now = now
        self.result = result
        self.slack = SlackPlaces(ctx.client)
        self.github = github
        self.slack_refused = False  # the bot's token: every Slack place waits

    # --- outcomes ------------------------------------------------------------------------------

    def _post(self, key: str, text: str) -> Post | None:
        channel = self.ctx.settings.review_channel
        if not channel:
            log.info("access (no REVIEW_CHANNEL to tell): %s", text)
            return None
        return Post(key, "access_change", channel, text)

    def _names(self, claimed: Sequence[Claimed]) -> dict[str, str]:
        if not claimed:
            return {}
        place = claimed[0].target.place
        return {
            subject: person.name
            for subject, person in access.people(self.ctx.db, place, [c.subject for c in claimed]).items()
        }

    def done(self, row: Claimed, name: str | None, detail: str = "") -> Outcome:
        text = access_blocks.change_made(
            row.target.place, row.target.name, row.action, row.subject, name, row.cause, detail
        )
        return Outcome(row, DONE, post=self._post(f"access-change:{row.id}", text))

    def unchanged(self, row: Claimed, name: str | None) -> Outcome:
        # Found as wanted after an earlier attempt: most likely that attempt made it and then lost
        # its answer (a timeout, a crash), so it is told as made.
        return self.done(row, name) if row.tried_before else Outcome(row, UNCHANGED)

    def refused(self, row: Claimed, name: str | None, error: str) -> Outcome:
        text = access_blocks.change_refused(
            row.target.place, row.target.name, row.action, row.subject, name, error
        )
        return Outcome(row, FAILED, error, self._post(f"access-refused:{row.id}", text))

    def record(self, outcomes: Sequence[Outcome]) -> None:
        self.result.enqueued += claims.record(self.ctx.db, outcomes, self.now)
        for outcome in outcomes:
            self.result.notes.append(
                f"{outcome.claimed.target.place} {outcome.claimed.action} {outcome.claimed.subject}: {outcome.status}"
            )

    def retry(self, rows: Sequence[Claimed], error: Transient) -> None:
        if not rows:
            return
        names = self._names(rows)
        exhausted = [row for row in rows if row.attempts >= claims.MAX_ATTEMPTS]
        self.record(
            [
                Outcome(
                    row,
                    FAILED,
                    f"gave up: {error.error}",
                    self._post(
                        f"access-gave-up:{row.id}",
                        access_blocks.gave_up(
                            row.target.place,
                            row.target.name,
                            row.action,
                            row.subject,
                            names.get(row.subject),
                            error.error,
                        ),
                    ),
                )
                for row in exhausted
            ]
        )
        waiting = [row for row in rows if row not in exhausted]
        claims.retry_later(self.ctx.db, waiting, error.error, self.now, error.retry_after)
        log.warning("access: %s; %d changes retried later", error.error, len(waiting))
        self.result.notes += [f"{row.target.place} {row.action} {row.subject}: will retry" for row in waiting]

    def place_failed(self, rows: Sequence[Claimed], error: str, needed: str = "") -> None:
        """The place cannot be kept: its changes fail, and the review channel hears it once."""
        target = rows[0].target
        log.warning(
            "access: %s %s cannot be kept: %s%s",
            target.place,
            target.name,
            error,
            f" (needs {needed})" if needed else "",
        )
        self.record([Outcome(row, FAILED, error) for row in rows])
        post = problem_post(self.ctx.settings, target, error, needed)
        if post is not None and claims.report_once(self.ctx.db, post, self.now):
            self.result.enqueued.append(post.key)

    # --- what is still wanted --------------------------------------------------------------------

    def keepers(self, target: Target) -> set[str]:
        if target.place is Place.SLACK_CHANNEL:
            return {self.slack.bot_user_id(), *tsc_slack_ids(self.ctx.db, self.ctx.settings.tsc_user_ids)}
        return set()

    def still_wanted(self, rows: Sequence[Claimed]) -> list[Claimed]:
        """The changes to make; the others are recorded as skipped (undone by a later change, keepers)."""
        place = rows[0].target.place
        belonging = claims.belonging(self.ctx.db, place, [row.subject for row in rows])
        keepers = self.keepers(rows[0].target) if any(row.action is Action.REMOVE for row in rows) else set()
        wanted, skipped = [], []
        for row in rows:
            keeper = row.subject in keepers
            if access_rules.wanted_now(row.action, row.subject in belonging, keeper):
                wanted.append(row)
            else:
                reason = "kept (the bot, or the TSC)" if keeper else "undone by a later roster change"
                skipped.append(Outcome(row, SKIPPED, reason))
        self.record(skipped)
        return wanted

    # --- the places --------------------------------------------------------------------------------

    def apply(self, rows: list[Claimed]) -> None:
        place = rows[0].target.place
        if place is not Place.GITHUB_TEAM and self.slack_refused:
            claims.release(self.ctx.db, rows)
            raise StopPlace
        try:
            rows = self.still_wanted(rows)
        except (Transient, PlaceProblem, TokenRefused) as exc:
            self._failed(rows, exc)
        if not rows:
            return
        if place is Place.SLACK_GROUP:
            self.apply_group(rows)
        elif place is Place.SLACK_CHANNEL:
            self.apply_one_by_one(rows, self.change_channel)
        else:
            self.check_team(rows)
            self.apply_one_by_one(rows, self.change_team)

    def check_team(self, rows: list[Claimed]) -> None:
        """The team must exist and be visible to the token: otherwise every change would look like a
        person GitHub does not know."""
        assert self.github is not None
        org, _, team = rows[0].target.name.partition("/")
        try:
            self.github.team_members(org, team, role="maintainer")
        except GitHubError as exc:
            self._failed(rows, github_exception(exc))

    def _failed(self, remaining: Sequence[Claimed], exc: Exception) -> NoReturn:
        if isinstance(exc, Transient):
            self.retry(remaining, exc)
            raise StopPlace
        if isinstance(exc, PlaceProblem):
            self.place_failed(remaining, exc.error, exc.needed)
            raise StopPlace
        if isinstance(exc, TokenRefused):
            claims.release(self.ctx.db, remaining)
            self.slack_refused = True
            log.error("Slack refuses the bot's token (%s): access changes wait until it is fixed", exc)
            raise StopPlace
        raise exc

    def apply_group(self, rows: list[Claimed]) -> None:
        """Every change at once: the group's new list is its members, plus and less the changes."""
        target = rows[0].target
        names = self._names(rows)
        try:
            group = self.slack.user_group(target.name)
            adds = [row.subject for row in rows if row.action is Action.ADD]
            removes = [row.subject for row in rows if row.action is Action.REMOVE]
            self.slack.set_user_group(group, access_rules.group_after(group.members, adds, removes))
        except Refused as refused:
            self.record([self.refused(row, names.get(row.subject), refused.error) for row in rows])
            return
        except (Transient, PlaceProblem, TokenRefused) as exc:
            self._failed(rows, exc)
        outcomes = []
        for row in rows:
            there = row.subject in group.members
            made = there != (row.action is Action.ADD)
            outcomes.append(
                self.done(row, names.get(row.subject))
                if made
                else self.unchanged(row, names.get(row.subject))
            )
        self.record(outcomes)

    def apply_one_by_one(self, rows: list[Claimed], change: Callable[[Claimed, str | None], Outcome]) -> None:
        names = self._names(rows)
        for index, row in enumerate(rows):
            try:
                outcome = change(row, names.get(row.subject))
            except Refused as refused:
                outcome = self.refused(row, names.get(row.subject), refused.error)
            except (Transient, PlaceProblem, TokenRefused) as exc:
                self._failed(rows[index:], exc)
            self.record([outcome])

    def change_channel(self, row: Claimed, name: str | None) -> Outcome:
        channel = row.target.name
        if row.action is Action.ADD:
            made = self.slack.invite(channel, row.subject)
        else:
            made = self.slack.remove(channel, row.subject)
        return self.done(row, name) if made else self.unchanged(row, name)

    def change_team(self, row: Claimed, name: str | None) -> Outcome:
        assert self.github is not None
        org, _, team = row.target.name.partition("/")
        try:
            membership = self.github.team_membership(org, team, row.subject)
            if row.action is Action.ADD:
                if membership is not None:
                    return self.unchanged(row, name)
                state = self.github.add_to_team(org, team, row.subject)
                detail = access_blocks.invited_with_the_team(org) if state == "pending" else ""
                return self.done(row, name, detail)
            if membership is None:
                return self.unchanged(row, name)
            if membership[1] == "maintainer":
                # Maintainers (GitHub reports organization owners so too) run the team: never removed.
                return Outcome(row, SKIPPED, "a maintainer of the team")
            self.github.remove_from_team(org, team, row.subject)
            return self.done(row, name)
        except GitHubError as exc:
            if exc.status == 404 and exc.operation == "remove from team":
                return self.unchanged(row, name)  # gone meanwhile
            raise github_exception(exc) from exc


def github_exception(exc: GitHubError) -> Exception:
    """GitHub's answer as the applier's: retried, a place problem, or this person refused."""
    if exc.transient:
        return Transient(str(exc))
    if exc.status == 401:
        # A token GitHub refuses: wait (and log) rather than fail every change.
        return Transient(f"GitHub refuses GITHUB_TOKEN: {exc.message}")
    if exc.status == 403:
        return PlaceProblem("github_forbidden")
    if exc.status == 404 and exc.operation == "add to team":
        return Refused("github_no_such_user")
    if exc.status == 404:
        return PlaceProblem("github_not_found")
    return Refused(f"GitHub answered {exc.status}: {exc.message}")


def apply(ctx: JobContext, places: Sequence[Target], now: datetime, result: JobResult) -> None:
    """Make the due changes of every place, one place at a time."""
    with contextlib.ExitStack() as stack:
        github = None
        if any(target.place is Place.GITHUB_TEAM for target in places) and ctx.settings.github_token:
            github = stack.enter_context(GitHubClient(ctx.settings.github_token, ctx.settings.github_api_url))
        applier = Applier(ctx, now, result, github)
        for target in places:
            if target.place is Place.GITHUB_TEAM and github is None:
                result.notes.append("changes to the GitHub team wait for GITHUB_TOKEN")
                continue
            for _ in range(MAX_BATCHES):
                claimed = claims.claim(ctx.db, target, now)
                if not claimed:
                    break
                try:
                    applier.apply(claimed)
                except StopPlace:
                    break


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("access-changes", now)
    places = targets(ctx.settings)
    if dry_run:
        for target in places:
            waiting = access.pending(ctx.db, target)
            if waiting:
                result.notes.append(f"{len(waiting)} changes queued for {target.place} {target.name}")
        return result
    if not access.has_work(ctx.db, now):
        return result  # most ticks: a read, no write lock taken
    access.retire_other_targets(ctx.db, places, now)
    queued = access.expand_requests(ctx.db, places, now)
    if queued:
        result.notes.append(f"{len(queued)} changes queued after roster changes")
    if places:
        apply(ctx, places, now, result)
    return result
