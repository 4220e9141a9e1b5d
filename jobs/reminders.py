"""`reminders`: a DM to each ambassador behind pace, at most once per member and period; and the
inactivity notice (no contribution for INACTIVITY_NUDGE_DAYS), once per stretch of inactivity.

Never in the first weeks of a term (`REMINDER_GRACE_DAYS`), never to someone on pace or done,
never while snoozed, and not in the last days of a term, when the renewal notices speak instead.
The pace is the program's rule (`bot.rules.membership.Progress.on_pace`), inactivity
`bot.rules.inactivity`'s. Nobody on a pause hears from either; a member due both the same day gets
them as one message.
"""

from __future__ import annotations

from datetime import datetime

from bot.blocks import inactivity as inactivity_blocks
from bot.blocks import reminders as reminders_blocks
from bot.rules.inactivity import Step
from bot.services import inactivity, pauses
from bot.services import jobs as due
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

KIND = "reminder"
NUDGE_KIND = "inactivity"


def policy(ctx: JobContext) -> due.ReminderPolicy:
    settings = ctx.settings
    return due.ReminderPolicy(
        interval_days=settings.reminder_interval_days,
        grace_days=settings.reminder_grace_days,
        notice_days=tuple(settings.renewal_notice_days),
    )


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    rules = policy(ctx)
    result = JobResult("reminders", now)
    with ctx.db.transaction() as session:
        paused = pauses.paused_until(session, today)
        nudges = {
            step.member_id: step
            for step in inactivity.due_steps(session, today, settings.inactivity_thresholds, settings.zone)
            if step.step is Step.NUDGE
        }
        planned = []
        members = [
            member
            for member in due.ambassadors_in_progress(session, today, settings.required_contributions)
            if member.member_id not in paused
        ]
        reminders = {
            member.member_id: due.reminder_period(
                member.term_id, member.progress.term.start, today, rules.interval_days
            )
            for member in members
            if due.reminder_due(member.progress, member.snoozed_until, now, rules)
        }
        # A reminder already sent this period is not sent again: a notice due today then goes alone.
        sent = due.existing_keys(
            session,
            [
                f"reminder:{m.slack_user_id}:{reminders[m.member_id]}"
                for m in members
                if m.member_id in nudges and m.member_id in reminders
            ],
        )
        for member in members:
            nudge = nudges.get(member.member_id)
            period = reminders.get(member.member_id)
            reminder_key = f"reminder:{member.slack_user_id}:{period}"
            if period is not None and not (nudge and reminder_key in sent):
                key, kind = reminder_key, KIND
                payload = (
                    inactivity_blocks.nudge_with_reminder(member.progress, nudge)
                    if nudge
                    else reminders_blocks.reminder_message(member.progress)
                )
            elif nudge:
                key, kind = f"inactivity:{member.member_id}:{nudge.stretch_start.isoformat()}", NUDGE_KIND
                payload = inactivity_blocks.nudge_message(nudge)
            else:
                continue
            planned.append(
                Planned(
                    key=key,
                    kind=kind,
                    channel=member.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=member.member_id,
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
        if not dry_run:
            # Taken once per stretch, DM or not (someone not in Slack is noticed all the same, so the
            # TSC's report follows in its turn).
            inactivity.record(session, list(nudges.values()), today, now)
    return finish(result, marked, dry_run)
