"""The `invitations` job: new ambassadors invited to GITHUB_ORG, each exactly once.

Runs with the sender (every SENDER_INTERVAL_SECONDS). Rows are queued by approvals and `admin add`
(`bot.services.invitations`); this job claims them, checks GitHub, invites, and records the outcome.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.github import invitation_failed
from bot.github.client import GitHubClient, GitHubError
from bot.outbox.queue import enqueue
from bot.services import invitations
from bot.store.models import InvitationStatus
from jobs.runner import JobContext, JobResult

log = logging.getLogger(__name__)


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("invitations", now)
    settings = ctx.settings
    if not settings.github_org:
        result.reasons.append("invitations are off (GITHUB_ORG is not set); nothing is queued or sent")
        return result
    due = invitations.due(ctx.db, now)
    if not due:
        return result
    if not settings.github_token:
        result.notes.append(f"{len(due)} GitHub invitations wait for GITHUB_TOKEN")
        return result
    if dry_run:
        result.notes.append(f"would invite {len(due)} new ambassadors to {settings.github_org} on GitHub")
        return result
    with GitHubClient(settings.github_token, settings.github_api_url) as github:
        for invitation_id in due:
            claimed = invitations.claim(ctx.db, invitation_id, now)
            if claimed is None:
                continue  # another runner has it
            outcome = invite(ctx, github, claimed, now, result.enqueued)
            result.notes.append(f"{claimed.login}: {outcome}")
            if outcome == "bad token":
                break
    return result


def invite(
    ctx: JobContext, github: GitHubClient, claimed: invitations.Claimed, now: datetime, queued: list[str]
) -> str:
    """One invitation: only when GitHub knows of no membership or invitation for them yet.

    A report it queues (a permanent failure, for REVIEW_CHANNEL) is added to `queued`, so that
    `jobs run invitations` delivers it at once as every `jobs run` does."""
    try:
        state = github.org_membership(claimed.org, claimed.login)
        if state == "active":
            invitations.finish(ctx.db, claimed, InvitationStatus.ALREADY_MEMBER, now)
            return "already a member"
        if state is not None:
            # A pending invitation, whoever sent it (the community's own workflow, an owner on GitHub,
            # or this job before a crash): GitHub has it, and a second one would only be a second e-mail.
            invitations.finish(ctx.db, claimed, InvitationStatus.INVITED, now)
            return "already invited"
        github.invite_to_org(claimed.org, claimed.login)
        invitations.finish(ctx.db, claimed, InvitationStatus.INVITED, now)
        return "invited"
    except GitHubError as exc:
        if exc.status == 401:
            invitations.retry_later(ctx.db, claimed, str(exc), now)
            log.error("GitHub refuses GITHUB_TOKEN (%s); invitations wait until it is fixed", exc.message)
            return "bad token"
        if exc.transient and claimed.attempts < invitations.MAX_ATTEMPTS:
            invitations.retry_later(ctx.db, claimed, str(exc), now)
            log.warning("inviting %s to %s: %s; trying again later", claimed.login, claimed.org, exc)
            return "will retry"
        review_channel = ctx.settings.review_channel
        status, message = exc.status, exc.message

        def report(session: Session, name: str) -> None:
            if not review_channel:
                log.warning("no REVIEW_CHANNEL to report the failed invitation of %s to", claimed.login)
                return
            enqueue(
                session,
                key=invitations.failure_report_key(claimed.id),
                kind="github_invite_failed",
                channel=review_channel,
                text=invitation_failed(claimed.org, claimed.login, name, status, message),
                member_id=claimed.member_id,
                now=now,
            )

        invitations.fail(ctx.db, claimed, str(exc), now, report)
        if review_channel:
            queued.append(invitations.failure_report_key(claimed.id))
        log.error("could not invite %s to %s: %s", claimed.login, claimed.org, exc)
        return "failed"
