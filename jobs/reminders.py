"""`reminders`: a DM to each ambassador behind pace, at most once per member and period; and the
inactivity notice (no contribution for INACTIVITY_NUDGE_DAYS), once per stretch of inactivity.

Never in the first weeks of a term (`REMINDER_GRACE_DAYS`), never to someone on pace or done,
never while snoozed, and not in the last days of a term, when the renewal notices speak instead.
The pace is the program's rule (`bot.rules.membership.Progress.on_pace`), inactivity
`bot.rules.inactivity`'s. Nobody on a pause hears from either; a member due both the same day gets
them as one message.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from bot.blocks import inactivity as inactivity_blocks
from bot.blocks import reminders as reminders_blocks
from bot.outbox.queue import replace_waiting
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
        not_due: Counter[due.NotDue] = Counter()
        upcoming: list[tuple[date, str]] = []
        in_progress = due.ambassadors_in_progress(session, today, settings.required_contributions)
        members = [member for member in in_progress if member.member_id not in paused]
        reminders = {}
        for member in members:
            reason = due.reminder_not_due(member.progress, member.snoozed_until, now, rules)
            if reason is not None:
                not_due[reason] += 1
                first = due.first_reminder_day(member.progress, member.snoozed_until, rules)
                if first is not None:
                    upcoming.append((first, member.name))
                continue
            reminders[member.member_id] = due.reminder_period(
                member.term_id, member.progress.term.start, today, rules.interval_days
            )
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
                    inactivity_blocks.nudge_with_reminder(member.progress, nudge, member.waiting_review)
                    if nudge
                    else reminders_blocks.reminder_message(
                        member.progress, waiting_review=member.waiting_review
                    )
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
        unlinked = due.ambassadors_without_slack(session)
        if not dry_run:
            # Taken once per stretch, DM or not (someone not in Slack is noticed all the same, so the
            # TSC's report follows in its turn).
            inactivity.record(session, list(nudges.values()), today, now)
            # A reminder still waiting for the member's daytime (a sender stopped across a month's end)
            # is replaced by the newer one rather than sent beside it.
            fresh = {item.channel: item.key for item in marked if not item.existing and item.kind == KIND}
            replaced = replace_waiting(session, kind=KIND, newer=fresh)
            if replaced:
                result.notes.append(f"{replaced} older reminder(s) still waiting were replaced")
    on_pause = len(in_progress) - len(members)
    result.reasons = explain(not_due, unlinked, rules, upcoming, on_pause, nobody_due=not planned)
    return finish(result, marked, dry_run)


def explain(
    not_due: Counter[due.NotDue],
    unlinked: int,
    rules: due.ReminderPolicy,
    upcoming: list[tuple[date, str]],
    on_pause: int = 0,
    *,
    nobody_due: bool,
) -> list[str]:
    """Why the others get no reminder, and (when nobody does) the first day somebody would, were
    nothing logged meanwhile."""

    def people(count: int) -> str:
        return f"{count} ambassador{'s' if count != 1 else ''}"

    words = {
        due.NotDue.GRACE: f"in the first {rules.grace_days} days of their term (REMINDER_GRACE_DAYS)",
        due.NotDue.ON_PACE: "on pace or done",
        due.NotDue.NOTICE: f"in the last {max(rules.notice_days or (0,))} days of their term, when the "
        "renewal notices speak instead",
        due.NotDue.SNOOZED: "snoozed",
        due.NotDue.ENDED: "past the end of their term (the verification decides)",
    }
    lines = [f"not due: {people(count)} {words[reason]}" for reason, count in not_due.most_common()]
    if on_pause:
        lines.append(f"not due: {people(on_pause)} on a pause (`/ambassador pause`)")
    if unlinked:
        lines.append(
            f"not reminded: {people(unlinked)} without a Slack account linked (`/ambassador admin link`)"
        )
    if not nobody_due:
        return lines
    if upcoming:
        day, name = min(upcoming)
        others = len([1 for when, _ in upcoming if when == day]) - 1
        who = name + (f" and {others} more" if others else "")
        lines.append(
            f"the first reminder falls due on {day.isoformat()} ({who}), if nothing is logged before: "
            f"`ambassador-bot jobs run reminders --now {day.isoformat()} --dry-run` shows it"
        )
    elif not_due:
        lines.append("and none of them falls behind pace before the last weeks of their term")
    return lines
