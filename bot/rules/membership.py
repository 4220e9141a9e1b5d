"""The ambassador program's rules, as plain functions on dates and numbers.

Nothing here knows about Slack or the database, so every rule is tested with plain dates
(tests/unit/test_program.py). Text shown to people lives in `bot.blocks`; this module returns codes.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

RENEWAL_WINDOW_DAYS = 30
# After a term ends, a member who met the requirement but did not ask to renew may still renew for
# this many days; after that the verification makes them emeritus (see `outcome_at_term_end`).
RENEWAL_GRACE_DAYS = 30
# The TSC may extend a term by at most this many days past its normal end.
MAX_EXTENSION_DAYS = 365
TITLE_MAX_LENGTH = 200
LINK_MAX_LENGTH = 1000

# Canonical types, in the order a member sees them, with the label shown in Slack.
CONTRIBUTION_TYPES: dict[str, str] = {
    "article": "Article",
    "talk": "Talk",
    "presentation": "Presentation",
    "video": "Video",
    "podcast": "Podcast",
    "workshop": "Workshop",
    "initiative": "Initiative",
    "booth": "Booth",
    "content_review": "Content review",
    "special": "Special contribution",
    "other": "Other",
}

TYPE_ALIASES: dict[str, str] = {
    "blog": "article",
    "blogpost": "article",
    "blog_post": "article",
    "post": "article",
    "tutorial": "article",
    "guide": "article",
    "writing": "article",
    "speaking": "talk",
    "keynote": "talk",
    "meetup": "talk",
    "conference": "talk",
    "slides": "presentation",
    "livestream": "video",
    "live_stream": "video",
    "stream": "video",
    "youtube": "video",
    "episode": "podcast",
    "training": "workshop",
    "initiative_driver": "initiative",
    "driving_initiative": "initiative",
    "initiatives": "initiative",
    "review": "content_review",
    "special_contribution": "special",
    "volunteer": "booth",
    "booth_volunteer": "booth",
}

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTH_ABBREVIATIONS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}


def normalize_type(raw: str) -> str | None:
    """The canonical contribution type for what a person typed or a file holds, or None.

    Case, spaces and hyphens are forgiven, and plurals of known types are accepted:
    "Blog post" → article, "initiative_driver" → initiative, "special contribution" → special.
    """
    key = "_".join(raw.strip().lower().replace("-", " ").split())
    if not key:
        return None
    for candidate in (key, key.removesuffix("s")):
        if candidate in CONTRIBUTION_TYPES:
            return candidate
        if candidate in TYPE_ALIASES:
            return TYPE_ALIASES[candidate]
    return None


def type_label(raw: str) -> str:
    canonical = normalize_type(raw)
    return CONTRIBUTION_TYPES[canonical] if canonical else raw


# --- dates of contributions -------------------------------------------------------------------


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


def month_number(month: object) -> int | None:
    """1-12 for "January", "Jan", "jan.", "1" or 1; None for anything else (the real file has "2022")."""
    if isinstance(month, bool):
        return None
    if isinstance(month, int):
        return month if 1 <= month <= 12 else None
    if not isinstance(month, str):
        return None
    text = month.strip().lower().rstrip(".")
    if text in MONTHS:
        return MONTHS[text]
    if text in MONTH_ABBREVIATIONS:
        return MONTH_ABBREVIATIONS[text]
    if text == "sept":
        return 9
    if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 12:
        return int(text)
    return None


def approximate_date(year: int, month: object) -> tuple[date, DatePrecision]:
    """The date a month-and-year contribution (as in AMBASSADORS_MEMBERS.json) stands for.

    The first of its month; the first of the year when the month is missing or not a month.
    """
    number = month_number(month)
    if number is None:
        return date(year, 1, 1), DatePrecision.YEAR
    return date(year, number, 1), DatePrecision.MONTH


def month_label(day: date) -> str:
    """The month as the public file writes it ("November")."""
    return calendar.month_name[day.month]


# --- terms -----------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Term:
    """A term of membership; both ends are included (accepted 2025-01-11 → ends 2026-01-10)."""

    start: date
    end: date

    @property
    def length_days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def first_term(accepted_on: date) -> Term:
    """A term lasts one year from acceptance: accepted 2025-01-11 → ends 2026-01-10."""
    return Term(accepted_on, add_years(accepted_on, 1) - timedelta(days=1))


def next_term(previous: Term) -> Term:
    """A renewal starts the day after the previous term ends, for another year."""
    return first_term(previous.end + timedelta(days=1))


def extended(term: Term, days: int) -> Term:
    return Term(term.start, term.end + timedelta(days=days))


def days_left(term: Term, today: date) -> int:
    """Whole days after today until the term ends (0 on its last day, 0 after it)."""
    return max(0, (term.end - today).days)


def counted(term: Term, contribution_dates: Iterable[date]) -> int:
    """Contributions dated inside the term count toward it."""
    return sum(1 for day in contribution_dates if term.contains(day))


def expected_by_now(term: Term, today: date, required: int) -> int:
    """How many contributions keep a member on pace: the requirement times the elapsed share.

    Rounded down, so nobody is behind for a fraction: 4 required, a quarter of the year gone → 1.
    """
    elapsed = min(max((today - term.start).days, 0), term.length_days)
    return math.floor(required * elapsed / term.length_days)


@dataclass(frozen=True)
class Progress:
    term: Term
    today: date
    counted: int
    required: int

    @property
    def remaining(self) -> int:
        return max(0, self.required - self.counted)

    @property
    def met(self) -> bool:
        return self.counted >= self.required

    @property
    def days_left(self) -> int:
        return days_left(self.term, self.today)

    @property
    def expected_by_now(self) -> int:
        return expected_by_now(self.term, self.today, self.required)

    @property
    def on_pace(self) -> bool:
        return self.met or self.counted >= self.expected_by_now

    @property
    def ended(self) -> bool:
        return self.today > self.term.end

    @property
    def in_renewal_window(self) -> bool:
        return not self.ended and self.days_left <= RENEWAL_WINDOW_DAYS


def progress(term: Term, contribution_dates: Iterable[date], today: date, required: int) -> Progress:
    return Progress(term, today, counted(term, contribution_dates), required)


def days_since_end(current: Progress) -> int:
    """Whole days since the term's last day (0 on that day and before it)."""
    return max(0, (current.today - current.term.end).days)


def in_renewal_grace(current: Progress, grace_days: int = RENEWAL_GRACE_DAYS) -> bool:
    """The term has ended, but no more than `grace_days` ago: a member who met it may still renew."""
    return current.ended and days_since_end(current) <= grace_days


def can_renew(current: Progress, grace_days: int = RENEWAL_GRACE_DAYS) -> bool:
    """A member who met this term's requirement may renew during its last 30 days, or in the grace
    period after it ends (`RENEWAL_GRACE_DAYS`)."""
    return current.met and (current.in_renewal_window or in_renewal_grace(current, grace_days))


class RenewalRefusal(StrEnum):
    NOT_MET = "not_met"  # the requirement of this term is not met (yet)
    TOO_EARLY = "too_early"  # more than RENEWAL_WINDOW_DAYS before the end
    TOO_LATE = "too_late"  # the grace period after the end is over


def renewal_refusal(current: Progress, grace_days: int = RENEWAL_GRACE_DAYS) -> RenewalRefusal | None:
    """Why this member may not renew now, or None when they may (`can_renew`)."""
    if current.ended and not in_renewal_grace(current, grace_days):
        return RenewalRefusal.TOO_LATE
    if not current.met:
        return RenewalRefusal.NOT_MET
    if not current.ended and not current.in_renewal_window:
        return RenewalRefusal.TOO_EARLY
    return None


def renewal_opens_on(term: Term) -> date:
    """The first day `/ambassador renew` is accepted: RENEWAL_WINDOW_DAYS before the last day."""
    return term.end - timedelta(days=RENEWAL_WINDOW_DAYS)


def renewal_closes_on(term: Term, grace_days: int = RENEWAL_GRACE_DAYS) -> date:
    """The last day a member who met the requirement may still renew: the end of the grace period."""
    return term.end + timedelta(days=grace_days)


def at_risk(current: Progress) -> bool:
    """Behind pace, or in the renewal window (or past the end) without the requirement met."""
    return not current.on_pace or (not current.met and current.days_left <= RENEWAL_WINDOW_DAYS)


class Verification(StrEnum):
    RENEWED = "renewed"  # met the requirement and asked to continue
    MET = "met"  # met the requirement, has not asked to renew yet
    LAPSED = "lapsed"  # did not meet it: becomes emeritus
    # Met the requirement but did not ask to renew within RENEWAL_GRACE_DAYS: becomes emeritus.
    NOT_RENEWED = "not_renewed"


def verify(current: Progress, renewal_requested: bool) -> Verification:
    """The yearly check at the end of a term (AMBASSADOR_PROGRAM.md, example 3)."""
    if not current.met:
        return Verification.LAPSED
    return Verification.RENEWED if renewal_requested else Verification.MET


def verification_due(term: Term, today: date) -> bool:
    """The yearly check falls on the anniversary of acceptance, the day after the term's last day.

    AMBASSADOR_PROGRAM.md, example 3: accepted on 5 May 2022 (term to 4 May 2023), checked on
    5 May 2023. The last day itself still belongs to the member: what they log then counts.
    """
    return today > term.end


def outcome_at_term_end(
    current: Progress, renewal_requested: bool, grace_days: int = RENEWAL_GRACE_DAYS
) -> Verification | None:
    """What the verification does with a term, or None when it is not due yet (`verification_due`).

    - requirement not met → LAPSED (emeritus), whether or not a renewal was asked for;
    - met and renewal asked for → RENEWED (the next term starts the day after the end);
    - met, not asked, within `grace_days` after the end → MET: nothing changes yet, the member may
      still renew (`can_renew`), and the term stays current meanwhile;
    - met, not asked, grace over → NOT_RENEWED: the term is completed and the member is emeritus.
    """
    if not verification_due(current.term, current.today):
        return None
    outcome = verify(current, renewal_requested)
    if outcome is Verification.MET and not in_renewal_grace(current, grace_days):
        return Verification.NOT_RENEWED
    return outcome


def with_extension(term: Term, days: int) -> Term:
    """The term ending `days` after its normal end (a year from its start); 0 removes an extension.

    Setting an extension replaces the previous one rather than adding to it, so repeating the same
    TSC command changes nothing.
    """
    return Term(term.start, first_term(term.start).end + timedelta(days=days))


def valid_extension(days: int) -> bool:
    """An extension the TSC may give: 0 (none) to MAX_EXTENSION_DAYS days past the normal end."""
    return 0 <= days <= MAX_EXTENSION_DAYS


def application_window(today: date) -> Term:
    """The twelve months, ending today, in which an applicant's contributions count."""
    return Term(add_years(today, -1) + timedelta(days=1), today)


def meets_application_requirement(recent: int, required: int) -> bool:
    """An applicant qualifies with `required` contributions in their application window."""
    return recent >= required


def meets_requirement_for_application(contribution_dates: Iterable[date], today: date, required: int) -> bool:
    return meets_application_requirement(counted(application_window(today), contribution_dates), required)


# --- who decides ---------------------------------------------------------------------------


class DecisionRefusal(StrEnum):
    NOT_TSC = "not_tsc"  # only TSC members decide applications and benefit requests
    OWN_REQUEST = "own_request"  # nobody decides their own application or benefit request


def decision_refusal(decider: str, decider_is_tsc: bool, requester: str | None) -> DecisionRefusal | None:
    """Why `decider` may not decide what `requester` asked for (an application, a benefit), or None.

    Another TSC member must decide a TSC member's own request, so the program's checks stay
    independent of the person who benefits. `requester` is None when the request is tied to no Slack
    user (e.g. an imported record).
    """
    if not decider_is_tsc:
        return DecisionRefusal.NOT_TSC
    if requester is not None and decider == requester:
        return DecisionRefusal.OWN_REQUEST
    return None


# --- validating a contribution ---------------------------------------------------------------


class Problem(StrEnum):
    UNKNOWN_TYPE = "unknown_type"
    BAD_LINK = "bad_link"
    LINK_TOO_LONG = "link_too_long"
    FUTURE_DATE = "future_date"
    BAD_DATE = "bad_date"
    EMPTY_TITLE = "empty_title"
    TITLE_TOO_LONG = "title_too_long"
    DUPLICATE_LINK = "duplicate_link"
    CONTROL_CHARACTERS = "control_characters"
    TOO_FAR_AHEAD = "too_far_ahead"  # an upcoming talk more than twelve months ahead


# Tab and line breaks are text; other C0/C1 controls (NUL, escape...), lone surrogates and unassigned
# code points are not, and PostgreSQL refuses NUL in text outright.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def control_characters(text: str) -> list[str]:
    """The characters of `text` that are not text (tab and line breaks are fine)."""
    if text.isprintable():
        return []  # none of Cc, Cs, Cn (nor tab or line breaks): the usual case, without a loop
    return [
        char
        for char in text
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs", "Cn")
    ]


WHITESPACE = re.compile(r"\s")  # what str.isspace() calls a space, found without a Python loop


def is_http_link(link: str) -> bool:
    """An absolute http(s) address a browser can open: a host, no spaces or control characters."""
    link = link.strip()
    if not link or WHITESPACE.search(link) or control_characters(link):
        return False
    try:
        parts = urlsplit(link)  # raises on an unclosed IPv6 bracket (`http://[abc`)
        host = parts.hostname
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and bool(host)


def link_problem(link: str) -> Problem | None:
    if not is_http_link(link):
        return Problem.BAD_LINK
    if len(link) > LINK_MAX_LENGTH:
        return Problem.LINK_TOO_LONG
    return None


def title_problem(title: str) -> Problem | None:
    if control_characters(title):
        return Problem.CONTROL_CHARACTERS
    if not title.strip():
        return Problem.EMPTY_TITLE
    if len(title.strip()) > TITLE_MAX_LENGTH:
        return Problem.TITLE_TOO_LONG
    return None


def date_problem(day: date, today: date) -> Problem | None:
    return Problem.FUTURE_DATE if day > today else None


def same_link(a: str, b: str) -> bool:
    """Links that differ only by case of scheme/host or a trailing slash are the same contribution."""
    return normalize_link(a) == normalize_link(b)


def normalize_link(link: str) -> str:
    parts = urlsplit(link.strip())
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


# --- an application --------------------------------------------------------------------------

# The longest text each profile field of the application accepts (the modal enforces it too).
PROFILE_LIMITS: dict[str, int] = {
    "name": 100,
    "title": 150,
    "company": 150,
    "country": 60,
    "bio": 1500,
    "github": 39,
    "twitter": 100,
    "linkedin": 200,
    "img": LINK_MAX_LENGTH,
    "motivation": 2000,
    "contributions": 3000,
}
APPLICATION_MAX_CONTRIBUTIONS = 30
# The application fields that must be filled in; the others may stay empty.
APPLICATION_REQUIRED_FIELDS = frozenset({"name", "title", "bio", "github", "contributions", "motivation"})
DECISION_REASON_MAX_LENGTH = 1000
# GitHub's own rule: 1-39 letters, digits or single hyphens, not starting or ending with one.
GITHUB_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
SOCIAL_HANDLE = re.compile(r"^[A-Za-z0-9_.%-]{1,100}$")


def is_github_handle(text: str) -> bool:
    return bool(GITHUB_HANDLE.match(text))


def is_social_handle_or_link(text: str) -> bool:
    """A handle (`jane_doe`) or a full http(s) address, as the public file has both for LinkedIn."""
    return bool(SOCIAL_HANDLE.match(text)) or is_http_link(text)


def github_avatar(handle: str) -> str:
    """The photo the website shows when none is given: the GitHub avatar."""
    return f"https://github.com/{handle}.png"
