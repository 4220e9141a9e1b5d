"""Nominating: someone proposes a member of the workspace; the nominee gets a DM asking them to apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from bot.outbox.queue import enqueue_message
from bot.services.members import member_by_slack_id, record_audit
from bot.services.membership.common import Messages, nomination_key, open_application, with_one_retry
from bot.store.constants import ACTIVE_TERM
from bot.store.db import Database
from bot.store.models import Application, ApplicationStatus, Member, MemberStatus, Term


class NominationStatus(StrEnum):
    NOMINATED = "nominated"
    SELF = "self"  # people apply for themselves with `apply`
    AMBASSADOR = "ambassador"  # already a current ambassador
    OPEN = "open"  # already nominated, or already applied


@dataclass(frozen=True)
class Nomination:
    status: NominationStatus
    application_id: int | None = None
    open_status: str | None = None  # OPEN: the status of the application already open
    nominated_by: str | None = None
    outbox_keys: list[str] = field(default_factory=list)


def nominate(
    db: Database,
    nominator: str,
    nominee: str,
    nominee_name: str,
    *,
    now: datetime,
    required: int,
    messages: Messages,
) -> Nomination:
    """Record that `nominator` proposes `nominee` (both Slack IDs from the request) and queue the DM
    that asks the nominee to complete the application (a button that opens the application form)."""
    if nominator == nominee:
        return Nomination(NominationStatus.SELF)

    def work() -> Nomination:
        with db.transaction() as session:
            member = member_by_slack_id(session, nominee)
            if member is None:
                member = Member(slack_user_id=nominee, name=nominee_name, status=MemberStatus.CANDIDATE)
                session.add(member)
                session.flush()
            if member.status == MemberStatus.ACTIVE and session.scalar(
                select(Term.id).where(Term.member_id == member.id, ACTIVE_TERM)
            ):
                return Nomination(NominationStatus.AMBASSADOR)
            existing = open_application(session, member.id)
            if existing is not None:
                return Nomination(NominationStatus.OPEN, existing.id, existing.status, existing.nominated_by)
            application = Application(
                member_id=member.id, status=ApplicationStatus.NOMINATED, nominated_by=nominator
            )
            session.add(application)
            session.flush()
            record_audit(
                session, nominator, "application.nominated", member.id, at=now, application_id=application.id
            )
            key = nomination_key(application.id)
            payload = messages.nomination(nominator, application.id, required)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind="nomination",
                channel=nominee,
                payload=payload,
                member_id=member.id,
            )
            return Nomination(
                NominationStatus.NOMINATED, application.id, nominated_by=nominator, outbox_keys=[key]
            )

    return with_one_retry(work)
