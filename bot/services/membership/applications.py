"""Applying: the application form's validation (pure), what the form starts with, the submission
with the review post in the outbox, where the review post landed, and the applicant's receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select

from bot.outbox.queue import enqueue_message
from bot.rules import membership as membership_rules
from bot.rules import parsing
from bot.services.members import member_by_slack_id, record_audit
from bot.services.membership.common import (
    ApplicationNotFound,
    ApplicationView,
    Messages,
    PastMembership,
    Payload,
    application_view,
    open_application,
    past_membership,
    receipt_key,
    review_key,
    review_location,
    with_one_retry,
)
from bot.store.constants import ACTIVE_TERM
from bot.store.db import Database
from bot.store.models import (
    Application,
    ApplicationStatus,
    Contribution,
    Member,
    MemberStatus,
    OutboxMessage,
    Term,
)

PROFILE_FIELDS = ("name", "title", "company", "country", "bio", "github", "twitter", "linkedin", "img")
PREFILL_CONTRIBUTIONS = 20


class FormProblem(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_GITHUB = "bad_github"
    BAD_HANDLE = "bad_handle"
    BAD_URL = "bad_url"  # the photo URL (contribution lines use membership_rules.Problem.BAD_LINK)
    TOO_MANY = "too_many"  # more contribution lines than APPLICATION_MAX_CONTRIBUTIONS
    LINE_SHAPE = "line_shape"  # a contribution line without TYPE LINK YYYY-MM TITLE
    REPEATED_LINK = "repeated_link"  # the same link on two lines


@dataclass(frozen=True)
class Issue:
    """One problem with a field; `code` is a FormProblem or a membership_rules.Problem, `line` a line number."""

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
    precision: membership_rules.DatePrecision


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
    if len(lines) > membership_rules.APPLICATION_MAX_CONTRIBUTIONS:
        return [], [Issue(FormProblem.TOO_MANY)]
    entries: list[ContributionEntry] = []
    seen: set[str] = set()
    for line in lines:
        if not line.complete:
            issues.append(Issue(FormProblem.LINE_SHAPE, line.number))
            continue
        canonical = membership_rules.normalize_type(line.type)
        if canonical is None:
            issues.append(Issue(membership_rules.Problem.UNKNOWN_TYPE, line.number))
        if problem := membership_rules.link_problem(line.link):
            issues.append(Issue(problem, line.number))
        elif membership_rules.normalize_link(line.link) in seen:
            issues.append(Issue(FormProblem.REPEATED_LINK, line.number))
        parsed = parsing.parse_month_or_day(line.date_text)
        if parsed is None:
            issues.append(Issue(membership_rules.Problem.BAD_DATE, line.number))
        elif parsed[0] > today:
            issues.append(Issue(membership_rules.Problem.FUTURE_DATE, line.number))
        if problem := membership_rules.title_problem(line.title):
            issues.append(Issue(problem, line.number))
        if canonical is None or parsed is None or any(issue.line == line.number for issue in issues):
            continue
        seen.add(membership_rules.normalize_link(line.link))
        precision = membership_rules.DatePrecision.DAY if parsed[1] else membership_rules.DatePrecision.MONTH
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
        if not value and name in membership_rules.APPLICATION_REQUIRED_FIELDS:
            issues[name] = [Issue(FormProblem.REQUIRED)]
        elif len(value) > membership_rules.PROFILE_LIMITS[name]:
            issues[name] = [Issue(FormProblem.TOO_LONG)]
    if (
        values["github"]
        and "github" not in issues
        and not membership_rules.is_github_handle(values["github"])
    ):
        issues["github"] = [Issue(FormProblem.BAD_GITHUB)]
    for name in ("twitter", "linkedin"):
        if (
            values[name]
            and name not in issues
            and not membership_rules.is_social_handle_or_link(values[name])
        ):
            issues[name] = [Issue(FormProblem.BAD_HANDLE)]
    if values["img"] and "img" not in issues and not membership_rules.is_http_link(values["img"]):
        issues["img"] = [Issue(FormProblem.BAD_URL)]
    contributions_text = form.contributions or ""
    if len(contributions_text) > membership_rules.PROFILE_LIMITS["contributions"]:
        issues["contributions"] = [Issue(FormProblem.TOO_LONG)]
        entries: list[ContributionEntry] = []
    else:
        entries, line_issues = validate_contribution_lines(contributions_text, today)
        if line_issues:
            issues["contributions"] = line_issues
    if issues:
        return None, issues
    if not values["img"]:
        values["img"] = membership_rules.github_avatar(values["github"])
    profile = {name: values[name] or None for name in PROFILE_FIELDS}
    return ApplicationDraft(profile, entries, values["motivation"]), {}


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
    history: PastMembership | None = None  # a former ambassador coming back (`/ambassador rejoin`)


def _contribution_line(contribution: Contribution) -> str | None:
    if not contribution.link:
        return None  # the public file's empty links cannot be written as a line
    when = contribution.occurred_on.isoformat()
    if contribution.date_precision != membership_rules.DatePrecision.DAY:
        when = when[:7]
    return f"{contribution.type} {contribution.link} {when} {contribution.title}"


def start_application(db: Database, slack_user_id: str, today: date) -> ApplyStart:
    """What `/ambassador apply` (or the Apply button) shows: the form pre-filled, or why not."""
    with db.read_only() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return ApplyStart(None, ApplicationForm())
        term = session.scalar(select(Term).where(Term.member_id == member.id, ACTIVE_TERM))
        open_one = open_application(session, member.id)
        if member.status == MemberStatus.ACTIVE and term is not None:
            return ApplyStart(ApplyBlocker.AMBASSADOR, ApplicationForm(), term_end=term.end_on)
        if open_one is not None and open_one.status == ApplicationStatus.PENDING:
            return ApplyStart(ApplyBlocker.PENDING, ApplicationForm(), submitted_at=open_one.submitted_at)
        recent = session.scalars(
            select(Contribution)
            .where(
                Contribution.member_id == member.id,
                Contribution.occurred_on >= membership_rules.application_window(today).start,
            )
            .order_by(Contribution.occurred_on, Contribution.id)
            .limit(PREFILL_CONTRIBUTIONS)
        )
        lines = [line for line in map(_contribution_line, recent) if line]
        total = session.scalar(select(func.count(Contribution.id)).where(Contribution.member_id == member.id))
        history = past_membership(session, member, total or 0)
        # A returning ambassador's last motivation is a starting point; a first applicant starts blank.
        last_motivation = (
            session.scalar(
                select(Application.motivation)
                .where(Application.member_id == member.id, Application.motivation.is_not(None))
                .order_by(Application.id.desc())
                .limit(1)
            )
            if history is not None
            else None
        )
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
            motivation=last_motivation,
        )
        return ApplyStart(
            None, prefill, nominated_by=open_one.nominated_by if open_one else None, history=history
        )


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
                select(Term.id).where(Term.member_id == member.id, ACTIVE_TERM)
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
                link_key = membership_rules.normalize_link(entry.link)
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
                        month=membership_rules.month_label(entry.occurred_on),
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

    return with_one_retry(work)


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
        location = review_location(session, application)
        if location and not application.review_ts:
            application.review_channel, application.review_ts = location
        error = None
        if location is None:
            error = session.scalar(
                select(OutboxMessage.error).where(OutboxMessage.key == review_key(application_id))
            )
        return ReviewPost(location, error)


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
