"""Applications and decisions: apply, nominate, the TSC's approve and reject, and renewal requests.

Each use case is one transaction. Messages that must reach someone exactly once (the review post,
the welcome, the rejection, the nomination) are written to the outbox in that same transaction; the
caller delivers them right after the commit with `jobs.sender.deliver(..., keys=result.outbox_keys)`,
and the scheduler retries whatever Slack did not take. Services build no Block Kit: the caller
passes `messages` (bot.blocks' `MEMBERSHIP_MESSAGES`), which renders them from plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import parsing, program
from bot.db import Database
from bot.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Contribution,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    Term,
    TermStatus,
)
from bot.services import terms
from bot.services.members import member_by_slack_id, record_audit
from bot.services.outbox import enqueue, enqueue_message

Payload = dict[str, Any]
T = TypeVar("T")

PROFILE_FIELDS = ("name", "title", "company", "country", "bio", "github", "twitter", "linkedin", "img")
REVIEW_CONTRIBUTIONS_SHOWN = 15
PREFILL_CONTRIBUTIONS = 20


def review_key(application_id: int) -> str:
    return f"review:application:{application_id}"


def welcome_key(application_id: int) -> str:
    return f"welcome:application:{application_id}"


def rejection_key(application_id: int) -> str:
    return f"rejection:application:{application_id}"


def receipt_key(application_id: int) -> str:
    return f"receipt:application:{application_id}"


def nomination_key(application_id: int) -> str:
    return f"nomination:application:{application_id}"


def announce_key(member_id: int, term_id: int) -> str:
    """The announcement of a new ambassador; the #4 `announce` job batches and posts these."""
    return f"announce:member:{member_id}:term:{term_id}"


# --- what the services hand to the message builders ------------------------------------------------


@dataclass(frozen=True)
class ContributionSummary:
    type: str
    title: str
    link: str
    occurred_on: date
    date_precision: str


@dataclass(frozen=True)
class ApplicationView:
    """An application as the TSC reviews it: the public profile, the contributions, the requirement."""

    id: int
    status: str
    member_id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    country: str | None
    bio: str | None
    github: str | None
    twitter: str | None
    linkedin: str | None
    img: str | None
    motivation: str | None
    nominated_by: str | None
    submitted_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    contributions: list[ContributionSummary]  # newest first, at most REVIEW_CONTRIBUTIONS_SHOWN
    contributions_total: int
    recent_contributions: int  # in the twelve months before `today`
    required: int
    meets_requirement: bool


class Messages(Protocol):
    """How membership messages read; implemented by bot.blocks (`MEMBERSHIP_MESSAGES`)."""

    def review(self, application: ApplicationView) -> Payload: ...

    def welcome(self, name: str, term: program.Term, required: int, returning: bool = False) -> Payload: ...

    def announcement(self, name: str, title: str | None, company: str | None) -> str: ...

    def rejection(self, name: str, reason: str) -> Payload: ...

    def nomination(self, nominator: str, application_id: int, required: int) -> Payload: ...

    def extended(self, name: str, term: program.Term, previous_end: date) -> Payload: ...

    def emeritus(self, name: str, reason: str) -> Payload: ...


# --- validating the application form (pure) -------------------------------------------------------


class FormProblem(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_GITHUB = "bad_github"
    BAD_HANDLE = "bad_handle"
    BAD_URL = "bad_url"  # the photo URL (contribution lines use program.Problem.BAD_LINK)
    TOO_MANY = "too_many"  # more contribution lines than APPLICATION_MAX_CONTRIBUTIONS
    LINE_SHAPE = "line_shape"  # a contribution line without TYPE LINK YYYY-MM TITLE
    REPEATED_LINK = "repeated_link"  # the same link on two lines


@dataclass(frozen=True)
class Issue:
    """One problem with a field; `code` is a FormProblem or a program.Problem, `line` a line number."""

    code: str
    line: int | None = None


@dataclass(frozen=True)
class ApplicationForm:
    """The application modal's values, as typed (None or "" when left empty)."""

    name: str | None = None
    title: str | None = None
    company: str | None = None
    country: str | None = None
    bio: str | None = None
    github: str | None = None
    twitter: str | None = None
    linkedin: str | None = None
    img: str | None = None
    contributions: str | None = None
    motivation: str | None = None


@dataclass(frozen=True)
class ContributionEntry:
    type: str
    title: str
    link: str
    occurred_on: date
    precision: program.DatePrecision


@dataclass(frozen=True)
class ApplicationDraft:
    """A valid application: cleaned profile fields (None when empty), contributions, motivation."""

    profile: dict[str, str | None]
    contributions: list[ContributionEntry]
    motivation: str


def validate_contribution_lines(text: str, today: date) -> tuple[list[ContributionEntry], list[Issue]]:
    lines = parsing.contribution_lines(text)
    issues: list[Issue] = []
    if not lines:
        return [], [Issue(FormProblem.REQUIRED)]
    if len(lines) > program.APPLICATION_MAX_CONTRIBUTIONS:
        return [], [Issue(FormProblem.TOO_MANY)]
    entries: list[ContributionEntry] = []
    seen: set[str] = set()
    for line in lines:
        if not line.complete:
            issues.append(Issue(FormProblem.LINE_SHAPE, line.number))
            continue
        canonical = program.normalize_type(line.type)
        if canonical is None:
            issues.append(Issue(program.Problem.UNKNOWN_TYPE, line.number))
        if problem := program.link_problem(line.link):
            issues.append(Issue(problem, line.number))
        elif program.normalize_link(line.link) in seen:
            issues.append(Issue(FormProblem.REPEATED_LINK, line.number))
        parsed = parsing.parse_month_or_day(line.date_text)
        if parsed is None:
            issues.append(Issue(program.Problem.BAD_DATE, line.number))
        elif parsed[0] > today:
            issues.append(Issue(program.Problem.FUTURE_DATE, line.number))
        if problem := program.title_problem(line.title):
            issues.append(Issue(problem, line.number))
        if canonical is None or parsed is None or any(issue.line == line.number for issue in issues):
            continue
        seen.add(program.normalize_link(line.link))
        precision = program.DatePrecision.DAY if parsed[1] else program.DatePrecision.MONTH
        entries.append(ContributionEntry(canonical, line.title.strip(), line.link, parsed[0], precision))
    return entries, issues


def validate_application(
    form: ApplicationForm, today: date
) -> tuple[ApplicationDraft | None, dict[str, list[Issue]]]:
    """The draft, or every problem keyed by the form's field (its block id)."""
    issues: dict[str, list[Issue]] = {}
    values = {name: (getattr(form, name) or "").strip() for name in (*PROFILE_FIELDS, "motivation")}
    values["github"] = values["github"].removeprefix("@")
    if values["github"].lower().startswith(("https://github.com/", "http://github.com/")):
        values["github"] = values["github"].split("github.com/", 1)[1].strip("/")
    values["twitter"] = values["twitter"].removeprefix("@")
    for name, value in values.items():
        if not value and name in program.APPLICATION_REQUIRED_FIELDS:
            issues[name] = [Issue(FormProblem.REQUIRED)]
        elif len(value) > program.PROFILE_LIMITS[name]:
            issues[name] = [Issue(FormProblem.TOO_LONG)]
    if values["github"] and "github" not in issues and not program.is_github_handle(values["github"]):
        issues["github"] = [Issue(FormProblem.BAD_GITHUB)]
    for name in ("twitter", "linkedin"):
        if values[name] and name not in issues and not program.is_social_handle_or_link(values[name]):
            issues[name] = [Issue(FormProblem.BAD_HANDLE)]
    if values["img"] and "img" not in issues and not program.is_http_link(values["img"]):
        issues["img"] = [Issue(FormProblem.BAD_URL)]
    contributions_text = form.contributions or ""
    if len(contributions_text) > program.PROFILE_LIMITS["contributions"]:
        issues["contributions"] = [Issue(FormProblem.TOO_LONG)]
        entries: list[ContributionEntry] = []
    else:
        entries, line_issues = validate_contribution_lines(contributions_text, today)
        if line_issues:
            issues["contributions"] = line_issues
    if issues:
        return None, issues
    if not values["img"]:
        values["img"] = program.github_avatar(values["github"])
    profile = {name: values[name] or None for name in PROFILE_FIELDS}
    return ApplicationDraft(profile, entries, values["motivation"]), {}


# --- reading ---------------------------------------------------------------------------------------


def application_view(
    session: Session, application: Application, today: date, required: int
) -> ApplicationView:
    member = application.member
    newest = list(
        session.execute(
            select(
                Contribution.type,
                Contribution.title,
                Contribution.link,
                Contribution.occurred_on,
                Contribution.date_precision,
            )
            .where(Contribution.member_id == member.id)
            .order_by(Contribution.occurred_on.desc(), Contribution.id.desc())
            .limit(REVIEW_CONTRIBUTIONS_SHOWN)
        )
    )
    total, recent = session.execute(
        select(
            func.count(Contribution.id),
            func.count(Contribution.id).filter(
                Contribution.occurred_on >= program.application_window(today).start
            ),
        ).where(Contribution.member_id == member.id, Contribution.occurred_on <= today)
    ).one()
    return ApplicationView(
        id=application.id,
        status=application.status,
        member_id=member.id,
        slack_user_id=member.slack_user_id,
        name=member.name,
        title=member.title,
        company=member.company,
        country=member.country,
        bio=member.bio,
        github=member.github,
        twitter=member.twitter,
        linkedin=member.linkedin,
        img=member.img,
        motivation=application.motivation,
        nominated_by=application.nominated_by,
        submitted_at=application.submitted_at,
        decided_by=application.decided_by,
        decided_at=application.decided_at,
        decision_reason=application.decision_reason,
        contributions=[ContributionSummary(*row) for row in newest],
        contributions_total=total or 0,
        recent_contributions=recent or 0,
        required=required,
        meets_requirement=program.meets_application_requirement(recent or 0, required),
    )


def open_application(session: Session, member_id: int) -> Application | None:
    return session.scalar(
        select(Application)
        .where(Application.member_id == member_id, Application.status.in_(OPEN_APPLICATION_STATUSES))
        .order_by(Application.id.desc())
        .limit(1)
    )


class ApplyBlocker(StrEnum):
    AMBASSADOR = "ambassador"  # a current ambassador: nothing to apply for
    PENDING = "pending"  # an application is already with the TSC


@dataclass(frozen=True)
class ApplyStart:
    """Whether this person may apply now, and what the form starts with (their record, if known)."""

    blocked: ApplyBlocker | None
    prefill: ApplicationForm
    submitted_at: datetime | None = None  # PENDING: when they applied
    term_end: date | None = None  # AMBASSADOR: when their term ends
    nominated_by: str | None = None  # an open nomination for them


def _contribution_line(contribution: Contribution) -> str | None:
    if not contribution.link:
        return None  # the public file's empty links cannot be written as a line
    when = contribution.occurred_on.isoformat()
    if contribution.date_precision != program.DatePrecision.DAY:
        when = when[:7]
    return f"{contribution.type} {contribution.link} {when} {contribution.title}"


def start_application(db: Database, slack_user_id: str, today: date) -> ApplyStart:
    """What `/ambassador apply` (or the Apply button) shows: the form pre-filled, or why not."""
    with db.read_only() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return ApplyStart(None, ApplicationForm())
        term = session.scalar(
            select(Term).where(Term.member_id == member.id, Term.status == TermStatus.ACTIVE)
        )
        open_one = open_application(session, member.id)
        if member.status == MemberStatus.ACTIVE and term is not None:
            return ApplyStart(ApplyBlocker.AMBASSADOR, ApplicationForm(), term_end=term.end_on)
        if open_one is not None and open_one.status == ApplicationStatus.PENDING:
            return ApplyStart(ApplyBlocker.PENDING, ApplicationForm(), submitted_at=open_one.submitted_at)
        recent = session.scalars(
            select(Contribution)
            .where(
                Contribution.member_id == member.id,
                Contribution.occurred_on >= program.application_window(today).start,
            )
            .order_by(Contribution.occurred_on, Contribution.id)
            .limit(PREFILL_CONTRIBUTIONS)
        )
        lines = [line for line in map(_contribution_line, recent) if line]
        prefill = ApplicationForm(
            name=member.name,
            title=member.title,
            company=member.company,
            country=member.country,
            bio=member.bio,
            github=member.github,
            twitter=member.twitter,
            linkedin=member.linkedin,
            img=member.img,
            contributions="\n".join(lines) or None,
        )
        return ApplyStart(None, prefill, nominated_by=open_one.nominated_by if open_one else None)


# --- applying ----------------------------------------------------------------------------------------


class CannotApply(Exception):
    def __init__(self, blocker: ApplyBlocker, submitted_at: datetime | None = None) -> None:
        super().__init__(blocker)
        self.blocker = blocker
        self.submitted_at = submitted_at


class GithubTaken(Exception):
    """Another member record has this GitHub handle (e.g. imported): the TSC links it, not the form."""


@dataclass(frozen=True)
class Submitted:
    application: ApplicationView
    review_key: str | None  # None when REVIEW_CHANNEL is not set
    outbox_keys: list[str]


def _blank_as_before(existing: str | None, new: str | None) -> str | None:
    # The public file has "" for some fields; an export must give "" back, not drop the key.
    if new is None and existing == "":
        return ""
    return new


def _with_one_retry(work: Callable[[], T]) -> T:
    """Run a transaction again once when a unique index caught a concurrent twin of this request.

    The second run sees what the other request committed and answers accordingly (e.g. "you
    already applied"), instead of failing with an error.
    """
    try:
        return work()
    except IntegrityError:
        return work()


def submit_application(
    db: Database,
    slack_user_id: str,
    draft: ApplicationDraft,
    *,
    now: datetime,
    today: date,
    required: int,
    review_channel: str,
    messages: Messages,
) -> Submitted:
    """Store the applicant's profile, their contributions and the application, and queue the review.

    One transaction: the member record (created, or updated with the form's values), contributions
    not already on record (source "application"), the application (a nomination becomes the
    application), its audit record, and the review post to `review_channel` in the outbox.
    Raises CannotApply (a current ambassador, or an application already pending) or GithubTaken.
    """

    def work() -> Submitted:
        with db.transaction() as session:
            member = member_by_slack_id(session, slack_user_id)
            if member is None:
                member = Member(
                    slack_user_id=slack_user_id, name=draft.profile["name"], status=MemberStatus.CANDIDATE
                )
                session.add(member)
                session.flush()
            if member.status == MemberStatus.ACTIVE and session.scalar(
                select(Term.id).where(Term.member_id == member.id, Term.status == TermStatus.ACTIVE)
            ):
                raise CannotApply(ApplyBlocker.AMBASSADOR)
            application = open_application(session, member.id)
            if application is not None and application.status == ApplicationStatus.PENDING:
                raise CannotApply(ApplyBlocker.PENDING, application.submitted_at)
            github = draft.profile["github"] or ""
            taken = session.scalar(
                select(Member.id).where(func.lower(Member.github) == github.lower(), Member.id != member.id)
            )
            if taken is not None:
                raise GithubTaken(github)
            for name in PROFILE_FIELDS:
                setattr(member, name, _blank_as_before(getattr(member, name), draft.profile[name]))
            known = set(
                session.scalars(select(Contribution.link_key).where(Contribution.member_id == member.id))
            )
            added = 0
            for entry in draft.contributions:
                link_key = program.normalize_link(entry.link)
                if link_key in known:
                    continue  # already on record (imported, or logged before)
                known.add(link_key)
                added += 1
                session.add(
                    Contribution(
                        member_id=member.id,
                        type=entry.type,
                        title=entry.title,
                        link=entry.link,
                        link_key=link_key,
                        year=entry.occurred_on.year,
                        month=program.month_label(entry.occurred_on),
                        occurred_on=entry.occurred_on,
                        date_precision=entry.precision,
                        source="application",
                        logged_by=slack_user_id,
                        logged_at=now,
                    )
                )
            if application is None:
                application = Application(member_id=member.id)
                session.add(application)
            application.status = ApplicationStatus.PENDING
            application.motivation = draft.motivation
            application.submitted_at = now
            session.flush()
            record_audit(
                session,
                slack_user_id,
                "application.submitted",
                member.id,
                at=now,
                application_id=application.id,
                contributions_added=added,
                nominated_by=application.nominated_by,
            )
            view = application_view(session, application, today, required)
            keys: list[str] = []
            posted_key: str | None = None
            if review_channel:
                posted_key = review_key(application.id)
                payload = messages.review(view)
                enqueue_message(
                    session,
                    now=now,
                    key=posted_key,
                    kind="review",
                    channel=review_channel,
                    payload=payload,
                    member_id=member.id,
                )
                keys.append(posted_key)
            return Submitted(view, posted_key, keys)

    return _with_one_retry(work)


@dataclass(frozen=True)
class ReviewPost:
    """Where the review post landed, or why it has not (the outbox row's last error)."""

    location: tuple[str, str] | None
    error: str | None


def record_review_posted(db: Database, application_id: int) -> ReviewPost:
    """After delivering the review post: copy where it landed onto the application (or say why not)."""
    with db.transaction() as session:
        application = session.get(Application, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        location = _review_location(session, application)
        if location and not application.review_ts:
            application.review_channel, application.review_ts = location
        error = None
        if location is None:
            error = session.scalar(
                select(OutboxMessage.error).where(OutboxMessage.key == review_key(application_id))
            )
        return ReviewPost(location, error)


def _review_location(session: Session, application: Application) -> tuple[str, str] | None:
    if application.review_channel and application.review_ts:
        return application.review_channel, application.review_ts
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == review_key(application.id)))
    if row is not None and row.status == OutboxStatus.SENT and row.slack_channel and row.slack_ts:
        return row.slack_channel, row.slack_ts
    return None


def queue_receipt(
    db: Database, application_id: int, slack_user_id: str, payload: Payload, *, now: datetime
) -> str:
    """Queue the applicant's receipt (once per application, however often this is called)."""
    key = receipt_key(application_id)
    with db.transaction() as session:
        enqueue_message(
            session,
            now=now,
            key=key,
            kind="receipt",
            channel=slack_user_id,
            payload=payload,
        )
    return key


# --- nominating ----------------------------------------------------------------------------------


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
                select(Term.id).where(Term.member_id == member.id, Term.status == TermStatus.ACTIVE)
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

    return _with_one_retry(work)


# --- deciding --------------------------------------------------------------------------------------


class ApplicationNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Decision:
    """The application after a decision attempt.

    `decided_now` is True only for the one call that made the decision; every other call (a double
    click, a second TSC member) gets False and the application as the winner left it
    (`application.decided_by`, `.decided_at`, `.status`).
    """

    decided_now: bool
    application: ApplicationView
    term: program.Term | None  # approved: the new ambassador's term
    review_location: tuple[str, str] | None  # (channel, ts) of the review post, if it was posted
    outbox_keys: list[str]  # DMs to deliver now (announcements are left to the announce job)


def _claim_decision(
    session: Session,
    application_id: int,
    status: ApplicationStatus,
    decider: str,
    now: datetime,
    reason: str | None,
) -> bool:
    # The conditional UPDATE is the whole guard: one statement, first in its transaction, so on
    # PostgreSQL a concurrent twin waits for this row, then finds it no longer pending; on SQLite the
    # write lock is taken before anything is read.
    result = session.execute(
        update(Application)
        .where(Application.id == application_id, Application.status == ApplicationStatus.PENDING)
        .values(status=status, decided_by=decider, decided_at=now, decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def _cancel_review_post(session: Session, application_id: int) -> None:
    """A review post not sent yet would show buttons for a decided application: drop it."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == review_key(application_id), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED)
    )


def approve(
    db: Database,
    application_id: int,
    decider: str,
    *,
    now: datetime,
    today: date,
    required: int,
    announce_channel: str,
    messages: Messages,
) -> Decision:
    """Approve a pending application: exactly one approval or rejection wins, whoever clicks.

    The applicant becomes an ambassador with a term starting `today` (callers pass the date in the
    program's TIMEZONE, so the term does not depend on where the decider lives). In the same
    transaction: audit (`application.approved`, `member.enrolled`), the welcome DM and the
    announcement row (kind "announce", left for the announce job) in the outbox.
    """
    with db.transaction() as session:
        won = _claim_decision(session, application_id, ApplicationStatus.APPROVED, decider, now, None)
        application = session.get(Application, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        if not won:
            return Decision(
                False,
                application_view(session, application, today, required),
                None,
                _review_location(session, application),
                [],
            )
        change = terms.enrol(session, application.member_id, today=today, now=now, actor=decider)
        assert change.term is not None
        term = change.term.rule_term
        record_audit(
            session,
            decider,
            "application.approved",
            application.member_id,
            at=now,
            application_id=application.id,
            term_id=change.term.id,
            start=term.start.isoformat(),
            end=term.end.isoformat(),
        )
        _cancel_review_post(session, application.id)
        view = application_view(session, application, today, required)
        keys = []
        if view.slack_user_id:
            payload = messages.welcome(view.name, term, required)
            key = welcome_key(application.id)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind="welcome",
                channel=view.slack_user_id,
                payload=payload,
                member_id=view.member_id,
            )
            keys.append(key)
        if announce_channel:
            enqueue(
                session,
                now=now,
                key=announce_key(view.member_id, change.term.id),
                kind="announce",
                channel=announce_channel,
                text=messages.announcement(view.name, view.title, view.company),
                member_id=view.member_id,
            )
        return Decision(True, view, term, _review_location(session, application), keys)


def reject(
    db: Database,
    application_id: int,
    decider: str,
    reason: str,
    *,
    now: datetime,
    today: date,
    required: int,
    messages: Messages,
) -> Decision:
    """Reject a pending application with a reason the applicant will read (same guard as `approve`).

    In the same transaction: audit (`application.rejected`, with the reason) and the kind DM.
    """
    reason = reason.strip()
    if not reason or len(reason) > program.DECISION_REASON_MAX_LENGTH:
        raise ValueError("a reason of 1 to DECISION_REASON_MAX_LENGTH characters is required")
    with db.transaction() as session:
        won = _claim_decision(session, application_id, ApplicationStatus.REJECTED, decider, now, reason)
        application = session.get(Application, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        view = application_view(session, application, today, required)
        location = _review_location(session, application)
        if not won:
            return Decision(False, view, None, location, [])
        record_audit(
            session,
            decider,
            "application.rejected",
            application.member_id,
            at=now,
            application_id=application.id,
            reason=reason,
        )
        _cancel_review_post(session, application.id)
        keys = []
        if view.slack_user_id:
            payload = messages.rejection(view.name, reason)
            key = rejection_key(application.id)
            enqueue_message(
                session,
                now=now,
                key=key,
                kind="rejection",
                channel=view.slack_user_id,
                payload=payload,
                member_id=view.member_id,
            )
            keys.append(key)
        return Decision(True, view, None, location, keys)


def record_refused(db: Database, actor: str, action: str, *, now: datetime, **details: Any) -> None:
    """Audit an attempt someone was not allowed to make (a non-TSC click on Approve, say)."""
    with db.transaction() as session:
        member = member_by_slack_id(session, actor)
        record_audit(session, actor, action, member.id if member else None, at=now, **details)


# --- the TSC's list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingItem:
    id: int
    slack_user_id: str | None
    name: str
    title: str | None
    company: str | None
    submitted_at: datetime | None
    nominated_by: str | None
    recent_contributions: int
    meets_requirement: bool
    review_posted: bool


def pending_applications(
    db: Database, today: date, required: int, limit: int = 15
) -> tuple[list[PendingItem], int]:
    """Applications waiting for the TSC, oldest first (at most `limit`), and how many there are."""
    recent = (
        select(Contribution.member_id, func.count(Contribution.id).label("recent"))
        .where(
            Contribution.occurred_on >= program.application_window(today).start,
            Contribution.occurred_on <= today,
        )
        .group_by(Contribution.member_id)
        .subquery()
    )
    posted = (
        select(OutboxMessage.key)
        .where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.kind == "review")
        .subquery()
    )
    with db.read_only() as session:
        total = (
            session.scalar(
                select(func.count(Application.id)).where(Application.status == ApplicationStatus.PENDING)
            )
            or 0
        )
        rows = session.execute(
            select(
                Application.id,
                Member.slack_user_id,
                Member.name,
                Member.title,
                Member.company,
                Application.submitted_at,
                Application.nominated_by,
                func.coalesce(recent.c.recent, 0),
                Application.review_ts,
                posted.c.key,
            )
            .join(Member, Member.id == Application.member_id)
            .outerjoin(recent, recent.c.member_id == Member.id)
            .outerjoin(posted, posted.c.key == literal("review:application:") + cast(Application.id, String))
            .where(Application.status == ApplicationStatus.PENDING)
            .order_by(Application.submitted_at, Application.id)
            .limit(limit)
        ).all()
    items = [
        PendingItem(
            id=row[0],
            slack_user_id=row[1],
            name=row[2],
            title=row[3],
            company=row[4],
            submitted_at=row[5],
            nominated_by=row[6],
            recent_contributions=row[7],
            meets_requirement=program.meets_application_requirement(row[7], required),
            review_posted=bool(row[8] or row[9]),
        )
        for row in rows
    ]
    return items, total


# --- renewing ------------------------------------------------------------------------------------------


def renew_for(
    db: Database, slack_user_id: str, term_id: int | None, *, today: date, now: datetime, required: int
) -> terms.RenewalRequest | None:
    """`slack_user_id` asks to renew their current term (or `term_id`, from a Renew button).

    None when they are not an ambassador. A `term_id` that is not theirs is treated as a term that is
    not current (never renewed on someone else's behalf).
    """
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return None
        term = session.scalar(
            select(Term).where(Term.member_id == member.id, Term.status == TermStatus.ACTIVE)
        )
        if term_id is None:
            if term is None or member.status != MemberStatus.ACTIVE:
                return None
            term_id = term.id
        elif session.scalar(select(Term.member_id).where(Term.id == term_id)) != member.id:
            return terms.RenewalRequest(
                terms.RenewalStatus.NOT_CURRENT, member.id, slack_user_id, member.name, None, None, None, None
            )
        return terms.request_renewal(
            session, term_id, today=today, now=now, actor=slack_user_id, required=required
        )
