"""Access that follows the roster: who belongs in the ambassadors' Slack user group, private channel and
GitHub team, and what has to change for the places to match the program's list.

Only current ambassadors belong: a member whose status is active and who has the identity the place
uses (a Slack user ID, a GitHub login). Keepers are people the bot never removes from a place even
though they are not ambassadors (the bot itself, the TSC in the private channel, a team's
maintainers on GitHub): they are left where they are, never added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ACTIVE_STATUS = "active"


class Place(StrEnum):
    """Where access is kept: each is a `system` of the changes the bot makes."""

    SLACK_GROUP = "slack_group"
    SLACK_CHANNEL = "slack_channel"
    GITHUB_TEAM = "github_team"


class Action(StrEnum):
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True)
class Difference:
    """What has to change in one place: sorted, each person once."""

    to_add: tuple[str, ...]
    to_remove: tuple[str, ...]
    kept: tuple[str, ...]  # there without being ambassadors, and left there

    @property
    def in_step(self) -> bool:
        return not self.to_add and not self.to_remove


def normalized(subject: str, place: Place) -> str:
    """GitHub logins compare without case, as on GitHub; Slack IDs are exact."""
    return subject.strip().lower() if place is Place.GITHUB_TEAM else subject.strip()


def belongs(status: str, identity: str | None) -> bool:
    """A member belongs in a place when they are a current ambassador with an identity there."""
    return status == ACTIVE_STATUS and bool(identity and identity.strip())


def difference(wanted: Iterable[str], present: Iterable[str], keepers: Iterable[str] = ()) -> Difference:
    """Add whoever is wanted and missing; remove whoever is there unwanted, keepers excepted."""
    wanted_set, present_set, keeper_set = set(wanted), set(present), set(keepers)
    unwanted = present_set - wanted_set
    return Difference(
        to_add=tuple(sorted(wanted_set - present_set)),
        to_remove=tuple(sorted(unwanted - keeper_set)),
        kept=tuple(sorted(unwanted & keeper_set)),
    )


def wanted_now(action: Action, belongs_now: bool, keeper: bool) -> bool:
    """Whether a queued change still has to be made when its turn comes: an addition while the person
    belongs, a removal while they do not and are no keeper. A later roster change may have undone it."""
    if action is Action.ADD:
        return belongs_now
    return not belongs_now and not keeper


def group_after(base: Iterable[str], to_add: Iterable[str], to_remove: Iterable[str]) -> list[str]:
    """A user group's whole new member list (Slack replaces the list, never edits it), sorted."""
    return sorted((set(base) | set(to_add)) - set(to_remove))


def check_cause(day: date) -> str:
    """The daily comparison: at most one change per person, place and direction a day."""
    return f"check-{day.isoformat()}"


def roster_cause(request_id: int) -> str:
    """A change to the roster (an approval, a reinstatement, a move to emeritus), by its request."""
    return f"roster-{request_id}"


def change_key(place: Place, target: str, action: Action, subject: str, cause: str) -> str:
    """Names one change: queueing it again (a rerun, a replica) does nothing."""
    return f"{place}:{target}:{action}:{subject}:{cause}"
