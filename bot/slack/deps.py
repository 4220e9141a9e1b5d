"""What every listener needs besides Bolt's own arguments: settings, the database, the clock, and the
members' time zones."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import members
from bot.settings import Settings
from bot.slack.client import lookup_client
from bot.store.db import Database
from bot.web.link_details import LinkReader

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TIMEZONE_CACHE = timedelta(days=7)
ZONES_KEPT = 50_000


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    """What listeners need besides Bolt's own arguments; one per app, shared by all threads."""

    settings: Settings
    db: Database
    clock: Clock = system_clock
    # Called with (client, slack_user_id) after a change that concerns that person, e.g. to
    # refresh their App Home. Listeners call `deps.changed(...)`; features subscribe here.
    change_listeners: list[Callable[[WebClient, str], None]] = field(default_factory=list)
    # The members' time zones as cached on their records (IANA name, when Slack told us), kept here
    # too so that a request needs no database read for them; the record stays the source.
    _zones: dict[str, tuple[str, datetime]] = field(default_factory=dict, repr=False)
    # Reads a logged link's page for the log form (public addresses only; tests may let their local
    # server through by giving one with another address check).
    link_reader: LinkReader = field(default_factory=LinkReader)

    def now(self) -> datetime:
        return self.clock()

    def is_tsc(self, slack_user_id: str) -> bool:
        """TSC members: `TSC_USER_IDS`, or members flagged `isTscMember` in the database."""
        if slack_user_id in self.settings.tsc_user_ids:
            return True
        with self.db.read_only() as session:
            member = members.member_by_slack_id(session, slack_user_id)
            return bool(member and member.is_tsc_member)

    def cached_zone(self, slack_user_id: str) -> ZoneInfo | None:
        """The member's time zone if a recent `users.info` told us (no Web API call); None otherwise."""
        fresh_after = self.now() - TIMEZONE_CACHE
        known = self._zones.get(slack_user_id)
        if known is None or known[1] <= fresh_after:
            known = members.timezone_on_record(self.db, slack_user_id)
            if known is not None:
                self._remember_zone(slack_user_id, *known)
        if known is not None and known[1] > fresh_after:
            try:
                return ZoneInfo(known[0])
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return None

    def _remember_zone(self, slack_user_id: str, name: str, checked_at: datetime) -> None:
        if len(self._zones) >= ZONES_KEPT:
            self._zones.clear()  # a program's members fit many times over; this only bounds memory
        self._zones[slack_user_id] = (name, checked_at)

    def zone_for(self, client: WebClient, slack_user_id: str) -> ZoneInfo:
        """The member's time zone from Slack (`users.info` → `tz`), cached; the program's otherwise."""
        now = self.now()
        cached = self.cached_zone(slack_user_id)
        if cached is not None:
            return cached
        try:
            response = lookup_client(client).users_info(user=slack_user_id)
            name = (response.get("user") or {}).get("tz")
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", slack_user_id, exc.response.get("error"))
            return self.settings.zone
        except OSError as exc:  # a timeout or a refused connection (URLError is an OSError)
            log.warning("users.info for %s did not answer in time (%s)", slack_user_id, exc)
            return self.settings.zone
        if not name:
            return self.settings.zone
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return self.settings.zone
        self.store_zone(slack_user_id, name, now)
        return zone

    def store_zone(self, slack_user_id: str, name: str, now: datetime) -> None:
        """Cache a time zone Slack just told us, on the member's record (when there is one)."""
        if members.store_timezone(self.db, slack_user_id, name, now):
            self._remember_zone(slack_user_id, name, now)

    def program_today(self) -> date:
        """Today in the program's TIMEZONE: terms start on it, whoever decides and wherever they live."""
        return self.now().astimezone(self.settings.zone).date()

    def local_today(self, client: WebClient, slack_user_id: str) -> date:
        return self.now().astimezone(self.zone_for(client, slack_user_id)).date()

    def changed(self, client: WebClient, slack_user_id: str) -> None:
        for listener in self.change_listeners:
            try:
                listener(client, slack_user_id)
            except Exception:
                log.exception("refresh after a change failed for %s", slack_user_id)
