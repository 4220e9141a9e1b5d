"""The `publish` job: the public list on GitHub, through one
pull request (`bot.services.publishing`). Off until GITHUB_REPO is set."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.github.client import GitHubClient, GitHubError
from bot.services import publishing
from bot.settings import Settings
from jobs.runner import JobContext, JobResult

log = logging.getLogger(__name__)


def config(settings: Settings) -> publishing.PublishConfig:
    return publishing.PublishConfig(
        repo=settings.github_repo,
        members_path=settings.github_members_path,
        emeritus_path=settings.github_emeritus_path,
        base_branch=settings.github_base_branch,
    )


def client(settings: Settings) -> GitHubClient:
    return GitHubClient(settings.github_token, settings.github_api_url, settings.github_repo)


def slack_permalink(slack: WebClient | None) -> publishing.Permalink | None:
    """Links to the Slack decisions for the pull request's description (None when Slack says no)."""
    if slack is None or not slack.token:
        return None

    def permalink(channel: str, ts: str) -> str | None:
        try:
            link = slack.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except (SlackApiError, OSError) as exc:
            log.info("no Slack link for the decision %s/%s: %s", channel, ts, exc)
            return None
        return str(link) if link else None

    return permalink


def publish_now(
    settings: Settings, ctx_db: Any, slack: WebClient | None, now: datetime, dry_run: bool, actor: str
) -> publishing.PublishResult:
    with client(settings) as github:
        return publishing.publish(
            ctx_db,
            github,
            config(settings),
            now=now,
            dry_run=dry_run,
            actor=actor,
            permalink=slack_permalink(slack),
        )


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("publish", now)
    settings = ctx.settings
    if not settings.publishing:
        result.notes.append("publishing is off (GITHUB_REPO is not set)")
        return result
    if not settings.github_token:
        result.notes.append("publishing is on but GITHUB_TOKEN is not set; nothing done")
        return result
    try:
        published = publish_now(settings, ctx.db, ctx.client, now, dry_run, "scheduler")
    except (GitHubError, publishing.PublishError) as exc:
        # Logged, and tried again at the next run: nothing was half-written (the pull request is
        # opened last, and a branch without one is rebuilt next time).
        result.notes.append(f"publishing failed: {exc}")
        log.error("publish: %s; the next run tries again", exc)
        return result
    result.notes.append(published.summary())
    result.notes += published.notes
    return result
