"""`reminders`: a DM to each ambassador behind pace, at most once per member and period.

Never in the first weeks of a term (`REMINDER_GRACE_DAYS`), never to someone on pace or done,
never while snoozed, and not in the last days of a term, when the renewal notices speak instead.
The pace is the program's rule (`bot.rules.membership.Progress.on_pace`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from bot.blocks import reminders as reminders_blocks
from bot.outbox.queue import replace_waiting
from bot.services import jobs as due
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

KIND = "reminder"


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
    not_due: Counter[due.NotDue] = Counter()
    upcoming: list[tuple[date, str]] = []
    with ctx.db.transaction() as session:
        planned = []
        for member in due.ambassadors_in_progress(session, today, settings.required_contributions):
            reason = due.reminder_not_due(member.progress, member.snoozed_until, now, rules)
            if reason is not None:
                not_due[reason] += 1
                first = due.first_reminder_day(member.progress, member.snoozed_until, rules)
                if first is not None:
                    upcoming.append((first, member.name))
                continue
            period = due.reminder_period(
                member.term_id, member.progress.term.start, today, rules.interval_days
            )
            payload = reminders_blocks.reminder_message(member.progress)
            planned.append(
                Planned(
                    key=f"reminder:{member.slack_user_id}:{period}",
                    kind=KIND,
                    channel=member.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=member.member_id,
                )
            )
        unlinked = due.ambassadors_without_slack(session)
        marked = queue_planned(session, planned, now, dry_run)
        if not dry_run:
            # A reminder still waiting for the member's daytime (a sender stopped across a month's end)
            # is replaced by the newer one rather than sent beside it.
            fresh = {item.channel: item.key for item in marked if not item.existing}
            replaced = replace_waiting(session, kind=KIND, newer=fresh)
            if replaced:
                result.notes.append(f"{replaced} older reminder(s) still waiting were replaced")
    result.reasons = explain(not_due, unlinked, rules, upcoming, nobody_due=not planned)
    return finish(result, marked, dry_run)


def explain(
    not_due: Counter[due.NotDue],
    unlinked: int,
    rules: due.ReminderPolicy,
    upcoming: list[tuple[date, str]],
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
