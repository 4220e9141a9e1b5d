"""The `access` job (daily, ACCESS_SCHEDULE): compare each place with the ambassadors and fix it, both
ways.

For each place set up it reads who is there (the user group's list, the private channel's members,
the GitHub team's members and pending invitations) and compares it with the current ambassadors
(`bot.rules.access.difference`): missing ambassadors are added, people who are not ambassadors are
removed, except keepers (the bot itself, the TSC and other apps in the channel; the team's
maintainers on GitHub). Each difference is queued as a change with a key for the day, so a rerun or a
replica queues it once, and made at once by `jobs.access_changes.apply`. A dry run (`ambassador-bot
access --dry-run`, `jobs run access --dry-run`) shows the differences and changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.blocks import access as access_blocks
from bot.github.client import GitHubClient, GitHubError
from bot.outbox.delivery_errors import Transient
from bot.rules import access as access_rules
from bot.rules.access import Action, Difference, Place
from bot.services import access
from bot.services import access_changes as claims
from bot.services.access import Change, Person, Target
from bot.services.home_tsc import tsc_slack_ids
from bot.slack.access import PlaceProblem, SlackPlaces, TokenRefused
from jobs.access_changes import apply, github_exception, problem_post, targets
from jobs.runner import JobContext, JobResult

log = logging.getLogger(__name__)


@dataclass
class Comparison:
    target: Target
    difference: Difference | None = None  # None when the place could not be read
    names: dict[str, str] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)  # subject → member id, for the changes
    problem: str | None = None  # why it could not be read
    needed: str = ""  # the scope Slack says is missing
    lasting: bool = False  # the problem is the place's (said once to the review channel), not a moment's

    def lines(self, queued: Sequence[tuple[Action, str]] = ()) -> list[str]:
        return access_blocks.comparison_lines(
            self.target.place, self.target.name, self.difference, self.names, self.problem, queued
        )


class Comparer:
    def __init__(self, ctx: JobContext, github: GitHubClient | None) -> None:
        self.ctx = ctx
        self.slack = SlackPlaces(ctx.client)
        self.github = github
        self.ambassadors = access.ambassadors(ctx.db)

    def compare(self, target: Target) -> Comparison:
        place = target.place
        wanted: dict[str, Person] = {}
        for person in self.ambassadors:
            subject = person.subject(place)
            if subject and person.belongs(place):
                wanted[subject] = person
        comparison = Comparison(target)
        try:
            present, keepers = self.present(target, set(wanted))
        except PlaceProblem as problem:
            comparison.problem, comparison.needed, comparison.lasting = problem.error, problem.needed, True
            return comparison
        except TokenRefused as refused:
            comparison.problem = f"Slack refuses the bot's token ({refused})"
            return comparison
        except Transient as failure:
            comparison.problem = f"{failure.error}; the next run tries again"
            return comparison
        except GitHubError as exc:
            error = github_exception(exc)
            comparison.lasting = isinstance(error, PlaceProblem)
            comparison.problem = error.error if isinstance(error, PlaceProblem) else str(exc)
            return comparison
        difference = access_rules.difference(wanted, present, keepers)
        others = access.people(self.ctx.db, place, [*difference.to_remove, *difference.kept])
        comparison.difference = difference
        comparison.names = {subject: person.name for subject, person in {**others, **wanted}.items()}
        comparison.members = {subject: person.member_id for subject, person in {**others, **wanted}.items()}
        return comparison

    def present(self, target: Target, wanted: set[str]) -> tuple[set[str], set[str]]:
        """Who is in the place now, and who of them is never removed."""
        if target.place is Place.SLACK_GROUP:
            return set(self.slack.user_group(target.name).members), set()
        if target.place is Place.SLACK_CHANNEL:
            members = self.slack.channel_members(target.name) - {self.slack.bot_user_id()}
            keepers = set(tsc_slack_ids(self.ctx.db, self.ctx.settings.tsc_user_ids))
            strangers = members - wanted - keepers
            known = access.people(self.ctx.db, target.place, strangers)
            # Other apps' bot users in the channel are left alone; people are looked up only when the
            # program does not know them.
            keepers |= {user for user in strangers - set(known) if self.slack.is_bot(user)}
            return members, keepers
        if self.github is None:
            raise Transient("GITHUB_TOKEN is not set")
        org, _, team = target.name.partition("/")
        members = set(self.github.team_members(org, team))
        invited = set(self.github.team_invitations(org, team))
        maintainers = set(self.github.team_members(org, team, role="maintainer"))
        return members | invited, maintainers


def changes(comparison: Comparison, cause: str) -> list[Change]:
    difference = comparison.difference
    if difference is None:
        return []
    found = [
        Change(comparison.target, Action.ADD, subject, cause, comparison.members.get(subject))
        for subject in difference.to_add
    ]
    found += [
        Change(comparison.target, Action.REMOVE, subject, cause, comparison.members.get(subject))
        for subject in difference.to_remove
    ]
    return found


def compare_all(ctx: JobContext, places: Sequence[Target], github: GitHubClient | None) -> list[Comparison]:
    comparer = Comparer(ctx, github)
    return [comparer.compare(target) for target in places]


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("access", now)
    settings = ctx.settings
    places = targets(settings)
    if not places:
        return result  # off: nothing is kept
    with contextlib.ExitStack() as stack:
        github = None
        if settings.github_token and any(target.place is Place.GITHUB_TEAM for target in places):
            github = stack.enter_context(GitHubClient(settings.github_token, settings.github_api_url))
        comparisons = compare_all(ctx, places, github)
    if dry_run:
        for comparison in comparisons:
            result.notes += comparison.lines(access.pending(ctx.db, comparison.target))
        return result
    cause = access_rules.check_cause(now.astimezone(settings.zone).date())
    queued = access.queue(ctx.db, [change for item in comparisons for change in changes(item, cause)], now)
    if queued:
        result.notes.append(f"{len(queued)} changes queued by the daily check")
    for comparison in comparisons:
        if comparison.problem is None:
            continue
        result.notes.append(f"{comparison.target.place} {comparison.target.name}: {comparison.problem}")
        log.warning(
            "access: %s %s not compared: %s",
            comparison.target.place,
            comparison.target.name,
            comparison.problem,
        )
        post = problem_post(settings, comparison.target, comparison.problem, comparison.needed)
        if comparison.lasting and post is not None and claims.report_once(ctx.db, post, now):
            result.enqueued.append(post.key)
    apply(ctx, places, now, result)
    return result
