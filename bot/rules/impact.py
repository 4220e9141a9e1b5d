"""What a contribution reached, and talks logged ahead of time: plain rules on types, dates and values.

Which impact fields fit which type (an article has readers, not slides), how far ahead a talk may be
logged, when an upcoming talk starts to count, and when its speaker is asked how it went.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from bot.rules import membership as membership_rules


class Field(StrEnum):
    EVENT_NAME = "event_name"
    PLACE = "place"  # city and country, or online
    LANGUAGE = "language"
    AUDIENCE = "audience"  # stored in `reach`: attendees, views, listens or readers
    RECORDING = "recording_link"
    SLIDES = "slides_link"


_ON_STAGE = (
    Field.EVENT_NAME,
    Field.PLACE,
    Field.LANGUAGE,
    Field.AUDIENCE,
    Field.RECORDING,
    Field.SLIDES,
)
# Only what fits each type is asked; a type not listed has none of these fields.
FIELDS_BY_TYPE: dict[str, tuple[Field, ...]] = {
    "talk": _ON_STAGE,
    "presentation": _ON_STAGE,
    "workshop": _ON_STAGE,
    "booth": (Field.EVENT_NAME, Field.PLACE, Field.AUDIENCE),
    "video": (Field.LANGUAGE, Field.AUDIENCE),
    "podcast": (Field.LANGUAGE, Field.AUDIENCE),
    "article": (Field.LANGUAGE, Field.AUDIENCE),
    "initiative": (Field.AUDIENCE,),
    "special": (Field.AUDIENCE,),
    "other": (Field.AUDIENCE,),
}
# What the audience of each type is called: "120 attendees", "3,400 views".
AUDIENCE_NOUN: dict[str, str] = {
    "talk": "attendees",
    "presentation": "attendees",
    "workshop": "attendees",
    "booth": "visitors",
    "video": "views",
    "podcast": "listens",
    "article": "readers",
}
DEFAULT_AUDIENCE_NOUN = "people reached"

EVENT_NAME_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
COUNTRY_MAX_LENGTH = 100
LANGUAGE_MAX_LENGTH = 50
AUDIENCE_MAX = 999_999_999  # what a database integer holds comfortably

# Talks and workshops may be logged ahead, as upcoming: they count once their day has come.
UPCOMING_TYPES = frozenset({"talk", "presentation", "workshop"})
UPCOMING_HORIZON_YEARS = 1  # up to twelve months ahead
# After an upcoming talk, its speaker is asked how it went the next day; a bot that was down asks
# later, but not past this many days (by then the question is stale).
FOLLOWUP_WINDOW_DAYS = 7


def fields_for(raw_type: str) -> tuple[Field, ...]:
    canonical = membership_rules.normalize_type(raw_type)
    return FIELDS_BY_TYPE.get(canonical or "", ())


def audience_noun(raw_type: str) -> str:
    canonical = membership_rules.normalize_type(raw_type)
    return AUDIENCE_NOUN.get(canonical or "", DEFAULT_AUDIENCE_NOUN)


# --- dates: upcoming talks ----------------------------------------------------------------------


def may_be_upcoming(raw_type: str) -> bool:
    return membership_rules.normalize_type(raw_type) in UPCOMING_TYPES


def latest_upcoming_date(today: date) -> date:
    """The furthest date a talk may be logged for: twelve months from today."""
    return membership_rules.add_years(today, UPCOMING_HORIZON_YEARS)


def is_upcoming(day: date, today: date) -> bool:
    """Dated after today: on record, but not counted yet."""
    return day > today


def counts_by(day: date, today: date) -> bool:
    """A contribution counts (inside its term) from its own date on, never before it."""
    return day <= today


def date_problem(raw_type: str, day: date, today: date) -> membership_rules.Problem | None:
    """Past and today are fine for every type; talks and workshops may also be up to twelve months ahead."""
    if day <= today:
        return None
    if not may_be_upcoming(raw_type):
        return membership_rules.Problem.FUTURE_DATE
    if day > latest_upcoming_date(today):
        return membership_rules.Problem.TOO_FAR_AHEAD
    return None


def followup_due(
    raw_type: str, occurred_on: date, logged_on: date, today: date, *, has_outcome: bool
) -> bool:
    """Ask the speaker how it went: a talk logged ahead of its day, from the day after it, for a week,
    unless the audience and the recording are already on record."""
    if not may_be_upcoming(raw_type) or has_outcome:
        return False
    if logged_on >= occurred_on:
        return False  # logged once it had happened: its speaker already said what there was to say
    return occurred_on < today <= occurred_on + timedelta(days=FOLLOWUP_WINDOW_DAYS)


# --- the values ---------------------------------------------------------------------------------


class ImpactProblem(StrEnum):
    BAD_LINK = "bad_link"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    TOO_LARGE = "too_large"


# `Impact`'s fields as CSV columns, in its order, with `reach` under the name people know it by: the
# contributions import reads them and the program report writes them.
CSV_FIELDS = (
    "event_name",
    "city",
    "country",
    "online",
    "language",
    "audience",
    "recording_link",
    "slides_link",
)


@dataclass(frozen=True)
class Impact:
    """What a contribution reached, as given (every field optional). `reach` is the audience."""

    event_name: str | None = None
    city: str | None = None
    country: str | None = None
    online: bool = False
    language: str | None = None
    reach: int | None = None
    recording_link: str | None = None
    slides_link: str | None = None

    def cleaned(self) -> Impact:
        """Blank text stripped to None, so an empty field and a missing one are the same."""
        if self == NOTHING:
            return self  # most contributions are logged without any: nothing to strip

        def text(value: str | None) -> str | None:
            return (value or "").strip() or None

        return Impact(
            event_name=text(self.event_name),
            city=text(self.city),
            country=text(self.country),
            online=bool(self.online),
            language=text(self.language),
            reach=self.reach,
            recording_link=text(self.recording_link),
            slides_link=text(self.slides_link),
        )

    def for_type(self, raw_type: str) -> Impact:
        """Only the fields that fit the type; the others are dropped (a talk changed into an article
        loses its slides)."""
        kept = self.cleaned()
        if kept == NOTHING:
            return kept
        fields = set(fields_for(raw_type))
        if Field.EVENT_NAME not in fields:
            kept = replace(kept, event_name=None)
        if Field.PLACE not in fields:
            kept = replace(kept, city=None, country=None, online=False)
        if Field.LANGUAGE not in fields:
            kept = replace(kept, language=None)
        if Field.AUDIENCE not in fields:
            kept = replace(kept, reach=None)
        if Field.RECORDING not in fields:
            kept = replace(kept, recording_link=None)
        if Field.SLIDES not in fields:
            kept = replace(kept, slides_link=None)
        return kept

    @property
    def is_empty(self) -> bool:
        return self.cleaned() == NOTHING

    def problems(self) -> dict[str, ImpactProblem]:
        """Every problem, keyed by column name (`event_name`, `city`, ..., `reach`, `slides_link`)."""
        found: dict[str, ImpactProblem] = {}
        value = self.cleaned()
        if value == NOTHING:
            return found
        limits = {
            "event_name": (value.event_name, EVENT_NAME_MAX_LENGTH),
            "city": (value.city, CITY_MAX_LENGTH),
            "country": (value.country, COUNTRY_MAX_LENGTH),
            "language": (value.language, LANGUAGE_MAX_LENGTH),
        }
        for name, (text, limit) in limits.items():
            if text is None:
                continue
            if membership_rules.control_characters(text):
                found[name] = ImpactProblem.CONTROL_CHARACTERS
            elif len(text) > limit:
                found[name] = ImpactProblem.TOO_LONG
        for name, link in (("recording_link", value.recording_link), ("slides_link", value.slides_link)):
            if link is None:
                continue
            problem = membership_rules.link_problem(link)
            if problem is membership_rules.Problem.LINK_TOO_LONG:
                found[name] = ImpactProblem.TOO_LONG
            elif problem is not None:
                found[name] = ImpactProblem.BAD_LINK
        if value.reach is not None and not 0 <= value.reach <= AUDIENCE_MAX:
            found["reach"] = ImpactProblem.TOO_LARGE
        return found


NOTHING = Impact()  # no impact given


def place(impact: Impact) -> str:
    """ "Madrid, Spain", "online", "Madrid, Spain and online", or "" when not given."""
    where = ", ".join(part for part in (impact.city, impact.country) if part)
    if impact.online:
        return f"{where} and online" if where else "online"
    return where


def limit_for(column: str) -> int:
    return {
        "event_name": EVENT_NAME_MAX_LENGTH,
        "city": CITY_MAX_LENGTH,
        "country": COUNTRY_MAX_LENGTH,
        "language": LANGUAGE_MAX_LENGTH,
        "recording_link": membership_rules.LINK_MAX_LENGTH,
        "slides_link": membership_rules.LINK_MAX_LENGTH,
    }.get(column, 0)


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactFigures:
    """What a set of contributions reached: their audience, events, countries, recordings."""

    audience: int = 0  # the sum of the audiences given
    with_audience: int = 0  # how many gave one
    events: int = 0  # contributions at a named event
    countries: tuple[str, ...] = ()  # in-person places, by name, sorted
    online: int = 0
    recordings: int = 0

    @property
    def is_empty(self) -> bool:
        return self == ImpactFigures()


def figures(items: list[Impact]) -> ImpactFigures:
    countries = sorted({item.country.strip() for item in items if item.country and item.country.strip()})
    with_audience = [item.reach for item in items if item.reach is not None]
    return ImpactFigures(
        audience=sum(with_audience),
        with_audience=len(with_audience),
        events=sum(1 for item in items if item.event_name),
        countries=tuple(countries),
        online=sum(1 for item in items if item.online),
        recordings=sum(1 for item in items if item.recording_link),
    )
