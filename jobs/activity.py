"""`activity`: between renewals, what the TSC and members on a pause should hear (docs/scheduling.md).

- A week before a pause's return date (`bot.rules.pauses.return_notice_due`): a DM to the member, once
  per return date, and a line in the TSC's report. Pauses whose return date has come are closed.
- Inactivity (`bot.rules.inactivity`): after INACTIVITY_REPORT_DAYS the member is listed in the TSC's
  report; after INACTIVITY_PROPOSE_DAYS they are proposed for emeritus, with **Move to emeritus** /
  **Keep** buttons (a TSC member decides: `bot.services.membership.proposals`). Each step once per
  stretch of inactivity; the DM that comes first is the `reminders` job's.

One report to REVIEW_CHANNEL per run that found something new, and the proposals with their buttons
in a message of their own. Everything is written in one transaction; a dry run rolls it back.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks import inactivity as inactivity_blocks
from bot.blocks import pauses as pause_blocks
from bot.blocks import proposals as proposals_blocks
from bot.rules.emeritus import ProposalCause
from bot.rules.inactivity import Step
from bot.services import inactivity, pauses
from bot.services import jobs as due
from bot.services.inactivity import DueStep
from bot.services.membership import proposals
from bot.services.pauses import PauseView
from jobs import proposals as proposal_jobs
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned, unit_of_work

RETURN_KIND = pauses.RETURN_KIND
REPORT_KIND = "activity_report"


def return_key(pause: PauseView) -> str:
    """Once per pause and return date: a pause given a later return date is announced again."""
    return f"pause-return:{pause.id}:{pause.until.isoformat()}"


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    result = JobResult("activity", now)
    with unit_of_work(ctx.db, dry_run) as session:
        if not dry_run:
            closed = pauses.close_finished(session, today, now)
            if closed:
                result.notes.append(f"{closed} pause{'s' if closed != 1 else ''} over: closed")
        returning = pauses.returns_due(session, today)
        planned = [
            return_notice(pause, settings.pause_max_days) for pause in returning if pause.slack_user_id
        ]
        new_returns = set(planned_keys(session, planned))
        steps = inactivity.due_steps(session, today, settings.inactivity_thresholds, settings.zone)
        reported = [step for step in steps if step.step is Step.REPORT]
        proposing = [step for step in steps if step.step is Step.PROPOSE]
        proposed = propose(session, proposing, now)
        inactivity.record(session, [*reported, *proposing], today, now)
        for step in steps:
            if step.step is not Step.NUDGE:
                result.notes.append(f"{step.name}: inactive {step.days} days, {step.step}")
        news_returning = [pause for pause in returning if return_key(pause) in new_returns]
        if settings.review_channel and (news_returning or reported or proposed):
            planned.append(report(settings.review_channel, today, news_returning, reported, proposed))
        if settings.review_channel and proposed:
            planned += proposal_jobs.plan_messages(
                session,
                settings.review_channel,
                proposed,
                proposals_blocks.inactivity_title(today),
                "inactivity",
                today,
            )
        elif proposed:
            result.notes.append("REVIEW_CHANNEL is not set: the TSC decides these from their App Home")
        marked = queue_planned(session, planned, now, dry_run)
    return finish(result, marked, dry_run)


def return_notice(pause: PauseView, max_days: int) -> Planned:
    assert pause.slack_user_id is not None
    payload = pause_blocks.return_notice(pause, max_days)
    return Planned(
        key=return_key(pause),
        kind=RETURN_KIND,
        channel=pause.slack_user_id,
        text=payload["text"],
        blocks=payload.get("blocks"),
        member_id=pause.member_id,
    )


def planned_keys(session: Session, planned: Sequence[Planned]) -> list[str]:
    """The keys of these messages that are not queued yet (news for the report)."""
    already = due.existing_keys(session, [item.key for item in planned])
    return [item.key for item in planned if item.key not in already]


def propose(session: Session, steps: Sequence[DueStep], now: datetime) -> list[int]:
    """A proposal per member at the PROPOSE step (once per stretch); the ids of those made now."""
    made = proposals.propose(
        session,
        [
            proposals.NewProposal(
                proposals.inactivity_key(step.member_id, step.stretch_start),
                step.member_id,
                None,
                ProposalCause.INACTIVITY,
                step.details,
            )
            for step in steps
        ],
        now,
    )
    return sorted(made.values())


def report(
    channel: str,
    today: date,
    returning: Sequence[PauseView],
    reported: Sequence[DueStep],
    proposed: Sequence[int],
) -> Planned:
    payload = inactivity_blocks.activity_report(today, returning, reported, len(proposed))
    digest = zlib.crc32(
        ",".join(
            [
                *(return_key(pause) for pause in returning),
                *(f"r{step.member_id}:{step.stretch_start}" for step in reported),
                *(f"p{proposal_id}" for proposal_id in proposed),
            ]
        ).encode()
    )
    return Planned(
        key=f"activity-report:{today.isoformat()}:{digest:08x}",
        kind=REPORT_KIND,
        channel=channel,
        text=payload["text"],
        blocks=payload.get("blocks"),
    )
