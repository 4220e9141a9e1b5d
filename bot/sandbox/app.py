"""The sandbox put together: the real bot (the same Bolt app, served by the same server, with the same
services, database code and jobs) talking to a local Slack stand-in and a local GitHub stand-in, on
the sandbox's clock, with the page the person plays every role in.

Four local HTTP servers, all on 127.0.0.1: the page (the caller serves `web.application(...)`), the
bot's `/slack/events`, the Slack stand-in's Web API and the GitHub stand-in's REST API. Nothing here
reaches the real Slack or GitHub.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_bolt import App
from sqlalchemy import func, select

from bot.sandbox import seed, state_file
from bot.sandbox.clock import SandboxClock
from bot.sandbox.github_standin import GitHubStandin
from bot.sandbox.jobs import SandboxJobs
from bot.sandbox.slack_client import SlackClient
from bot.sandbox.slack_standin import SlackStandin
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.server import BackgroundServer, wsgi_app
from bot.store.db import Database
from bot.store.models import Member
from handlers import create_app
from jobs.runner import JobContext

log = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-sandbox-0000-local"
GITHUB_TOKEN = "github_pat_sandbox_local_only"
GITHUB_REPO = "asyncapi/community"
# The jobs' sender runs this often while time flows (the handlers deliver replies at once anyway).
TICK_SECONDS = 2.0


def sandbox_settings(base: Settings, **values: Any) -> Settings:
    """The person's program settings (contributions required, schedules, time zone, benefits…) with
    everything that would reach Slack or GitHub pointed at the local stand-ins."""
    return base.model_copy(
        update={
            "slack_bot_token": BOT_TOKEN,
            "slack_app_token": "",
            "review_channel": base.review_channel or seed.REVIEW_CHANNEL,
            "announce_channel": base.announce_channel or seed.ANNOUNCE_CHANNEL,
            # People from a real workspace do not exist here: the sandbox's TSC member decides.
            "tsc_user_ids": [seed.TSC_USER],
            # The stand-in has no rate limits to respect: nobody waits for the pace of real Slack.
            "send_rate_per_second": 0.0,
            "sender_interval_seconds": int(TICK_SECONDS),
            "github_token": GITHUB_TOKEN,
            "github_repo": GITHUB_REPO,
            "github_base_branch": "",
            "github_org": "",
            # Access that follows the roster names places of a real workspace: off here.
            "slack_ambassadors_group": "",
            "slack_ambassadors_channel": "",
            "github_team": "",
            **values,
        }
    )


@dataclass
class Sandbox:
    base_settings: Settings
    database_url: str
    state_path: Path | None = None
    start_at: datetime | None = None
    signing_secret: str = field(default_factory=lambda: secrets.token_hex(16))

    def start(self) -> Sandbox:
        state = state_file.load(self.state_path) if self.state_path else None
        self.clock = SandboxClock(state_file.saved_now(state) or self.start_at or datetime.now(UTC))
        self.standin = SlackStandin(BOT_TOKEN, strict=True, clock=self.clock.timestamp)
        self.standin_server = BackgroundServer(self.standin.wsgi, threads=8).start()
        self.standin.base_url = self.standin_server.url + "/"
        self.github = GitHubStandin(token=GITHUB_TOKEN, owner="asyncapi", repo="community")
        self.github_server = BackgroundServer(self.github.wsgi, threads=4).start()
        self.github.base_url = self.github_server.url + "/api/v3"
        self.settings = sandbox_settings(
            self.base_settings,
            slack_signing_secret=self.signing_secret,
            slack_api_url=self.standin.api_url,
            github_api_url=self.github.base_url,
            database_url=self.database_url,
        )
        seed.workspace(self.standin, self.settings)
        seed.repository(self.github, self.settings)
        self.db = Database(self.database_url)
        self.db.upgrade()
        if self.is_empty():
            seed.database(self.db, self.settings, self.clock())
        elif state is not None:
            state_file.restore(self.standin, state)
        self.request_db = self.db.for_requests()
        self.deps = Deps(settings=self.settings, db=self.request_db, clock=self.clock)
        self.app: App = create_app(self.deps)
        self.bot_server = BackgroundServer(wsgi_app(self.app, self.request_db), threads=8).start()
        self.slack = SlackClient(self.standin, self.bot_server.url, self.signing_secret)
        self.jobs = SandboxJobs(
            JobContext.create(
                self.settings,
                self.db,
                clock=self.clock,
                after_change=lambda user_id: self.deps.changed(self.app.client, user_id),
            ),
            self.clock,
        )
        self._stop = threading.Event()
        self._saved_version = -1
        self._ticker = threading.Thread(target=self._tick, name="sandbox-jobs", daemon=True)
        self._ticker.start()
        return self

    def is_empty(self) -> bool:
        with self.db.read_only() as session:
            return not session.scalar(select(func.count()).select_from(Member))

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.jobs.run_due()
            except Exception:
                log.exception("sandbox: the jobs' tick failed; the next one tries again")
            self.save()

    def save(self) -> None:
        if self.state_path is None or self.standin.version == self._saved_version:
            return
        try:
            version = self.standin.version
            state_file.save(self.state_path, self.standin, self.clock())
            self._saved_version = version
        except OSError as exc:
            log.warning("sandbox: could not save %s (%s)", self.state_path, exc)

    def stop(self) -> None:
        self._stop.set()
        self._ticker.join(timeout=10)
        self.save()
        self.bot_server.stop()
        self.standin_server.stop()
        self.github_server.stop()
        self.request_db.dispose()
        self.db.dispose()
