"""`renewals`: notices before a term ends, and the yearly verification when it has (docs/scheduling.md)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks import renewals as renewals_blocks
from bot.blocks.benefits import overdue_report_message, with_overdue
from bot.rules import membership as membership_rules
from bot.rules.impact import ImpactFigures
from bot.services import impact
from bot.services import jobs as due
from bot.services.benefits.open_requests import OverdueItem
from bot.services.membership import terms
from jobs import benefits as benefit_jobs
from jobs.runner import JobContext, JobResult, Planned, finish, queue_planned

NOTICE_KIND = "renewal"
VERIFICATION_KIND = "verification"
REPORT_KIND = "verification_report"
ACTOR = "scheduler"
LAPSED_OUTCOMES = (membership_rules.Verification.LAPSED, membership_rules.Verification.NOT_RENEWED)


def renew_by(item: terms.TermVerification) -> date:
    return membership_rules.renewal_closes_on(item.progress.term)


def verifications(ctx: JobContext, now: datetime, dry_run: bool, result: JobResult) -> None:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    with ctx.db.sessions() as session:
        session.begin()
        try:
            verified = verify_due(session, today, now, settings.required_contributions)
            planned = []
            for item in verified:
                assert item.outcome is not None
                result.notes.append(f"term {item.term_id} ({item.name}): {item.outcome}")
                if not item.slack_user_id:
                    continue
                payload = renewals_blocks.verification_message(
                    item.outcome, item.progress, item.term_id, item.next_term, renew_by(item)
                )
                planned.append(
                    Planned(
                        key=f"verification:term{item.term_id}:{item.outcome}",
                        kind=VERIFICATION_KIND,
                        channel=item.slack_user_id,
                        text=payload["text"],
                        blocks=payload.get("blocks"),
                        member_id=item.member_id,
                    )
                )
            already = due.existing_keys(session, [p.key for p in planned])
            news = [
                item
                for item in verified
                if item.changed or f"verification:term{item.term_id}:{item.outcome}" not in already
            ]
            late = benefit_jobs.overdue(session, now)
            if (news or benefit_jobs.remind_today(late)) and settings.review_channel:
                # What each verified term reached, beside its count (one statement for all of them).
                reached = impact.figures_by_term(session, [item.term_id for item in verified])
                planned.append(report(settings.review_channel, today, verified, news, late, reached))
            marked = queue_planned(session, planned, now, dry_run)
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
    finish(result, [*result.planned, *marked], dry_run)
    if not dry_run:
        # After the commit: a renewed or emeritus member's App Home shows the new status (in `serve`).
        ctx.changed(item.slack_user_id for item in verified if item.changed and item.slack_user_id)


def verify_due(session: Session, today: date, now: datetime, required: int) -> list[terms.TermVerification]:
    """Every term due its verification, with its outcome.

    One read finds the terms at their end and their progress; only the terms the program changes
    (renewed, lapsed, not renewed) go through `terms.verify_term`, which locks, decides again and
    writes. A term awaiting its renewal in the grace period (MET) is left as it is, as `verify_term`
    would, without a statement of its own: at scale most due terms are those, day after day.
    """
    verified = []
    for due_term in due.terms_at_end(session, today, required):
        outcome = membership_rules.outcome_at_term_end(due_term.progress, due_term.renewal_requested)
        if outcome is None:
            continue
        if outcome is membership_rules.Verification.MET:
            verified.append(
                terms.TermVerification(
                    due_term.term_id,
                    due_term.member_id,
                    due_term.slack_user_id,
                    due_term.name,
                    outcome,
                    due_term.progress,
                    None,
                    False,
                )
            )
            continue
        item = terms.verify_term(session, due_term.term_id, today, now, ACTOR, required=required)
        if item.outcome is not None:
            verified.append(item)
    return verified


def report(
    channel: str,
    today: date,
    verified: list[terms.TermVerification],
    news: list[terms.TermVerification],
    late: Sequence[OverdueItem] = (),
    reached: Mapping[int, ImpactFigures] | None = None,
) -> Planned:
    """One message for the TSC: this run's renewals and lapses, everyone who may still renew, and the
    benefit requests approved but not fulfilled for two weeks or more."""
    renewed = [item for item in news if item.outcome is membership_rules.Verification.RENEWED]
    lapsed = [item for item in news if item.outcome in LAPSED_OUTCOMES]
    pending = [item for item in verified if item.outcome is membership_rules.Verification.MET]
    if renewed or pending or lapsed:
        payload = with_overdue(
            renewals_blocks.verification_report_message(
                today, renewed, pending, lapsed, renew_by, reached=reached
            ),
            late,
        )
    else:
        payload = overdue_report_message(today, late)
    digest = zlib.crc32(
        ",".join(
            [*(f"{item.term_id}:{item.outcome}" for item in news), *(f"b{item.id}" for item in late)]
        ).encode()
    )
    return Planned(
        key=f"verification-report:{today.isoformat()}:{digest:08x}",
        kind=REPORT_KIND,
        channel=channel,
        text=payload["text"],
        blocks=payload.get("blocks"),
    )


def notices(ctx: JobContext, now: datetime, dry_run: bool, result: JobResult) -> None:
    settings = ctx.settings
    today = now.astimezone(settings.zone).date()
    with ctx.db.transaction() as session:
        planned = []
        for member in due.ambassadors_in_progress(session, today, settings.required_contributions):
            if member.renewal_requested:
                continue  # already decided to stay: nothing to remind
            days = due.renewal_notice_due(member.progress.days_left, settings.renewal_notice_days)
            if days is None:
                continue
            payload = renewals_blocks.renewal_notice_message(
                member.progress, member.term_id, membership_rules.can_renew(member.progress)
            )
            planned.append(
                Planned(
                    key=f"renewal:term{member.term_id}:T-{days}",
                    kind=NOTICE_KIND,
                    channel=member.slack_user_id,
                    text=payload["text"],
                    blocks=payload.get("blocks"),
                    member_id=member.member_id,
                )
            )
        marked = queue_planned(session, planned, now, dry_run)
    finish(result, [*result.planned, *marked], dry_run)


def run(ctx: JobContext, now: datetime, dry_run: bool = False) -> JobResult:
    result = JobResult("renewals", now)
    verifications(ctx, now, dry_run, result)
    notices(ctx, now, dry_run, result)
    benefit_jobs.erase_due_shipping(ctx, now, dry_run, result)
    return result
