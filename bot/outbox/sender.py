"""Delivering outbox messages to Slack, each exactly once, whatever happens to Slack or the process.

Claim, local daytime, already posted?, post paced and record: the steps and why are in docs/outbox.md.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outbox import files
from bot.outbox.delivery_errors import FAILURE_REPORT_KIND, HISTORY_UNREADABLE, StopRun, Transient, classify
from bot.outbox.leases import LOCAL_DAYTIME_KINDS, Claimed, Leases
from bot.outbox.pacing import Pacer, backoff, next_window_start
from bot.report import drawing
from bot.services import members
from bot.settings import Settings
from bot.store.db import Database
from bot.store.models import OutboxStatus

log = logging.getLogger(__name__)

OUTBOX_EVENT_TYPE = "ambassador_bot_outbox"
UTC_ZONE = ZoneInfo("UTC")
MAX_ATTEMPTS = 25
TIMEZONE_CACHE = timedelta(days=7)
# How far back to look for a message a previous attempt may have posted (clock skew included).
HISTORY_MARGIN = timedelta(minutes=10)
HISTORY_PAGES = 10

# Kinds posted by their own job as one batched message, never one by one by `deliver`.
BATCHED_KINDS = frozenset({"announce"})


@dataclass(frozen=True)
class SenderOptions:
    rate_per_second: float = 1.0  # 0: no pacing
    default_zone: ZoneInfo = UTC_ZONE
    local_hours: tuple[int, int] = (9, 18)

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderOptions:
        return cls(settings.send_rate_per_second, settings.zone, settings.local_send_hours)


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # waiting for the member's local daytime
    recovered: list[str] = field(default_factory=list)  # found already posted; recorded, not reposted

    def merge(self, other: DeliveryReport) -> None:
        for name in ("sent", "failed", "retry", "deferred", "recovered"):
            getattr(self, name).extend(getattr(other, name))

    def summary(self) -> str:
        parts = [f"{len(self.sent)} sent"]
        for name in ("recovered", "deferred", "retry", "failed"):
            if getattr(self, name):
                parts.append(f"{len(getattr(self, name))} {name}")
        return ", ".join(parts)


def metadata_for(keys: Sequence[str]) -> dict[str, Any]:
    payload: dict[str, Any] = {"key": keys[0]}
    if len(keys) > 1:
        payload["keys"] = ",".join(keys)
    return {"event_type": OUTBOX_EVENT_TYPE, "event_payload": payload}


def keys_in(metadata: Any) -> set[str]:
    if not isinstance(metadata, dict) or metadata.get("event_type") != OUTBOX_EVENT_TYPE:
        return set()
    payload = metadata.get("event_payload") or {}
    keys = {str(payload.get("key", ""))}
    keys.update(str(payload.get("keys", "")).split(","))
    keys.discard("")
    return keys


Render = Callable[[Sequence[Claimed]], dict[str, Any]]


def render_stored(rows: Sequence[Claimed]) -> dict[str, Any]:
    (row,) = rows
    payload: dict[str, Any] = {"text": row.text}
    if row.blocks:
        payload["blocks"] = row.blocks
    return payload


class Sender:
    """One delivery run. `now` is the time the run starts; later times add the real time elapsed."""

    def __init__(
        self,
        db: Database,
        client: WebClient,
        now: datetime,
        options: SenderOptions | None = None,
        *,
        pacer: Pacer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_progress: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        self.db = db
        self.on_progress = on_progress  # told after each message handled (`jobs run` shows progress)
        self.client = client
        self.options = options or SenderOptions()
        self.pacer = pacer or Pacer(self.options.rate_per_second)
        self._monotonic = monotonic
        self._started = monotonic()
        self._start = now
        self._zones: dict[str, ZoneInfo] = {}
        self.report = DeliveryReport()
        self.leases = Leases(db, self.clock, self.pacer.interval)

    def clock(self) -> datetime:
        return self._start + timedelta(seconds=self._monotonic() - self._started)

    # --- local daytime -------------------------------------------------------------------------

    def zone_for(self, slack_user_id: str) -> ZoneInfo:
        """The member's Slack time zone (`users.info` `tz`), cached in the database for a week."""
        if slack_user_id in self._zones:
            return self._zones[slack_user_id]
        zone = self.options.default_zone
        now = self.clock()
        cached = members.cached_timezone(self.db, slack_user_id, fresh_after=now - TIMEZONE_CACHE)
        name = cached
        if name is None:
            try:
                name = (self.client.users_info(user=slack_user_id).get("user") or {}).get("tz")
            except SlackApiError as exc:
                log.info("users.info %s: %s; using %s", slack_user_id, exc.response.get("error"), zone)
            except OSError as exc:
                log.info("users.info %s: %s; using %s", slack_user_id, exc, zone)
        if name:
            try:
                zone = ZoneInfo(name)
                if cached is None:
                    members.store_timezone(self.db, slack_user_id, name, now)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        self._zones[slack_user_id] = zone
        return zone

    def _outside_daytime(self, row: Claimed) -> datetime | None:
        if row.kind not in LOCAL_DAYTIME_KINDS or not row.is_dm:
            return None
        local = self.clock().astimezone(self.zone_for(row.channel))
        start = next_window_start(local, self.options.local_hours)
        return start.astimezone(UTC) if start else None

    # --- finding what a previous attempt posted ------------------------------------------------

    def _conversation(self, channel: str) -> str:
        if channel.startswith(("U", "W")):
            opened = self.client.conversations_open(users=channel)
            return str((opened.get("channel") or {}).get("id") or channel)
        return channel

    def already_posted(self, rows: Sequence[Claimed]) -> dict[str, tuple[str, str]]:
        """{key: (channel, ts)} of the messages for these rows that are already in Slack."""
        wanted = {row.key for row in rows}
        oldest = min(row.created_at for row in rows) - HISTORY_MARGIN
        found: dict[str, tuple[str, str]] = {}
        try:
            channel = self._conversation(rows[0].channel)
            cursor = None
            for _ in range(HISTORY_PAGES):
                page = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{oldest.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
                for message in page.get("messages") or []:
                    for key in keys_in(message.get("metadata")) & wanted:
                        found.setdefault(key, (channel, str(message["ts"])))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor or len(found) == len(wanted):
                    break
        except SlackApiError as exc:
            outcome = classify(exc)
            error = str(exc.response.get("error") or "")
            if isinstance(outcome, str) or error in HISTORY_UNREADABLE:
                log.warning(
                    "outbox %s: cannot read %s to check for an earlier post (%s); posting",
                    rows[0].key,
                    rows[0].channel,
                    error,
                )
                return found
            raise outcome from exc
        except (OSError, http.client.HTTPException) as exc:
            raise Transient(f"history: {exc.__class__.__name__}: {exc}") from exc
        return found

    # --- sending -------------------------------------------------------------------------------

    def send(self, rows: Sequence[Claimed], render: Render = render_stored) -> None:
        """Post one message for `rows` (one row, or an announcement batch) and record the outcome."""
        rows = [row for row in rows if self.leases.keep(row)]
        if not rows:
            return
        try:
            if rows[0].kind in files.FILE_KINDS:
                posted = self._post_file(rows[0])
            else:
                posted = self._post(rows, render)
        except SlackApiError as exc:
            rows = self._not_recovered(rows)
            error = classify(exc)
            if isinstance(error, StopRun):
                self.leases.release(rows)
                raise error from exc
            if isinstance(error, Transient):
                self._retry_later(rows, error)
            else:
                self._fail(rows, error)
            return
        except Transient as error:
            self._retry_later(self._not_recovered(rows), error)
            return
        except StopRun:
            self.leases.release(self._not_recovered(rows))
            raise
        except files.BadFileRow as exc:
            self._fail(rows, str(exc))
            return
        except (OSError, http.client.HTTPException) as exc:
            # A timeout or a dropped connection: Slack may have posted; the history check will tell.
            self._retry_later(self._not_recovered(rows), Transient(f"{exc.__class__.__name__}: {exc}"))
            return
        for row, channel, ts in posted:
            self._record_sent(row, channel, ts)
            self.report.sent.append(row.key)

    def _not_recovered(self, rows: Sequence[Claimed]) -> list[Claimed]:
        return [row for row in rows if row.key not in self.report.recovered]

    def _post(self, rows: Sequence[Claimed], render: Render) -> list[tuple[Claimed, str, str]]:
        if any(row.tried_before for row in rows):
            for key, (channel, ts) in self.already_posted(rows).items():
                row = next(row for row in rows if row.key == key)
                log.info("outbox %s: already posted (ts %s); recorded without posting again", key, ts)
                self._record_sent(row, channel, ts)
                self.report.recovered.append(key)
            rows = [row for row in rows if row.key not in self.report.recovered]
            if not rows:
                return []
        payload = render(rows)
        self.pacer.wait()
        response = self.client.chat_postMessage(
            channel=rows[0].channel,
            metadata=metadata_for([row.key for row in rows]),
            unfurl_links=False,
            unfurl_media=False,
            **payload,
        )
        channel = str(response.get("channel") or rows[0].channel)
        return [(row, channel, str(response.get("ts"))) for row in rows]

    def _post_file(self, row: Claimed) -> list[tuple[Claimed, str, str]]:
        """A file row (bot.outbox.files): find an earlier share, or upload once and share."""
        content = files.FileRow.of(row.blocks)
        channel = self._conversation(row.channel)
        if content.file_id and row.tried_before:
            ts = self._earlier_share(row, channel, content.file_id)
            if ts is not None:
                log.info(
                    "outbox %s: file already shared (ts %s); recorded without sharing again", row.key, ts
                )
                self._record_sent(row, channel, ts)
                self.report.recovered.append(row.key)
                return []
        file_id = content.file_id
        if file_id is None:
            file_id = files.upload(
                self.client, content.filename, drawing.png(content.series), content.alt_text
            )
            # Kept before sharing: a retry shares this file and never uploads a second one.
            if not self.leases.update(row, blocks=content.content_with(file_id)):
                log.warning("outbox %s: lease lost after the upload; leaving it to the other sender", row.key)
                return []
        self.pacer.wait()
        ts = files.share(self.client, file_id, content.series.title, channel, row.text)
        return [(row, channel, ts)]

    def _earlier_share(self, row: Claimed, channel: str, file_id: str) -> str | None:
        try:
            return files.find_share(self.client, channel, file_id, row.created_at - HISTORY_MARGIN)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if isinstance(classify(exc), str) or error in HISTORY_UNREADABLE:
                log.warning(
                    "outbox %s: cannot read %s to check for an earlier share (%s)", row.key, channel, error
                )
                return None
            raise

    def _record_sent(self, row: Claimed, channel: str, ts: str) -> None:
        recorded = self.leases.update(
            row,
            status=OutboxStatus.SENT,
            sent_at=self.clock(),
            slack_channel=channel,
            slack_ts=ts,
            claimed_until=None,
            error=None,
        )
        if not recorded:
            log.error("outbox %s: posted (ts %s) after losing its lease", row.key, ts)

    def _retry_later(self, rows: Sequence[Claimed], error: Transient) -> None:
        for row in rows:
            if row.attempts >= MAX_ATTEMPTS:
                self._fail([row], f"gave up after {row.attempts} attempts: {error.error}")
                continue
            wait = max(error.retry_after or timedelta(0), backoff(row.attempts))
            log.warning("outbox %s: %s; retrying in %s", row.key, error.error, wait)
            self.leases.update(
                row,
                status=OutboxStatus.PENDING,
                claimed_until=None,
                next_attempt_at=self.clock() + wait,
                error=error.error[:1000],
            )
            self.report.retry.append(row.key)

    def _fail(self, rows: Sequence[Claimed], error: str) -> None:
        for row in rows:
            (log.error if row.kind == FAILURE_REPORT_KIND else log.warning)(
                "outbox %s to %s: %s; not retried", row.key, row.channel, error
            )
            self.leases.update(row, status=OutboxStatus.FAILED, claimed_until=None, error=error[:1000])
            self.report.failed.append(row.key)

    def deliver(self, keys: Sequence[str] | None = None) -> DeliveryReport:
        """Send every due row (only `keys`, when given), batched kinds excepted."""
        handled: set[int] = set()
        while True:
            rows = self.leases.claim(keys=keys, exclude_kinds=BATCHED_KINDS)
            if not rows:
                return self.report
            if any(row.id in handled for row in rows):  # pragma: no cover - a bug, not a state
                log.error("the sender claimed a row it already handled; stopping this run")
                self.leases.release(rows)
                return self.report
            handled.update(row.id for row in rows)
            self.process(rows)

    def process(self, rows: list[Claimed], render: Render = render_stored) -> None:
        """Send claimed rows one by one; on a stop or a crash, give back the ones not reached."""
        for index, row in enumerate(rows):
            try:
                wait_until = self._outside_daytime(row)
                if wait_until is not None:
                    self.leases.release([row], next_attempt_at=wait_until)
                    self.report.deferred.append(row.key)
                else:
                    self.send([row], render)
                if self.on_progress is not None:
                    self.on_progress(self.report)
            except StopRun:
                self.leases.release(rows[index + 1 :])
                raise
            except BaseException as error:
                # Anything else (the database dropping mid-run, a stop signal): this row back for the
                # next run at once, rather than held until its lease ends; the others untried.
                self.leases.give_back([row], error)
                self.leases.release(rows[index + 1 :])
                raise


def deliver(
    db: Database,
    client: WebClient,
    now: datetime,
    keys: Sequence[str] | None = None,
    *,
    settings: Settings | None = None,
    options: SenderOptions | None = None,
    pacer: Pacer | None = None,
    on_progress: Callable[[DeliveryReport], None] | None = None,
) -> DeliveryReport:
    """Send pending messages that are due at `now` (only those with `keys`, when given).

    Rows asked for by key and never tried go out now whatever their `next_attempt_at`: callers
    deliver right after the commit that queued them. Settings give the pacing and the local daytime
    of scheduled DMs; without them: 1 message a second, UTC, 9 to 18 o'clock.
    """
    if options is None and settings is not None:
        options = SenderOptions.from_settings(settings)
    sender = Sender(db, client, now, options, pacer=pacer, on_progress=on_progress)
    try:
        return sender.deliver(keys)
    except StopRun as stop:
        log.error(
            "Slack refused the bot's token or scopes (%s): nothing sent; fix SLACK_BOT_TOKEN or the "
            "app's scopes. Messages stay queued.",
            stop,
        )
        return sender.report
