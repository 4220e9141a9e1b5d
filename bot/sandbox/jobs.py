"""The scheduled jobs on the sandbox's clock, run as the scheduler runs them.

APScheduler keeps real time, so the sandbox does the scheduler's part itself with the same pieces:
each job's trigger (`jobs.scheduler.JOBS`, `next_run`) says when it fires, and `run_job` runs it.
When the clock jumps ("Go to date…"), every job whose fire time was passed runs once at the new
time, as `serve` catches up after downtime (coalesced, misfires never dropped); the sender runs
after them, and every few seconds while time flows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from bot.outbox.sender import deliver
from bot.sandbox.clock import SandboxClock
from bot.store.models import OutboxMessage, OutboxStatus
from jobs.runner import JobContext, JobResult
from jobs.scheduler import JOBS, next_run, run_job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobRun:
    """One run, as the page lists it."""

    name: str
    at: datetime
    summary: str
    notes: tuple[str, ...] = ()
    eventful: bool = True  # it queued, sent or noted something (or failed)


class SandboxJobs:
    def __init__(self, ctx: JobContext, clock: SandboxClock, history: int = 30) -> None:
        self.ctx = ctx
        self.clock = clock
        self._lock = threading.Lock()
        self._history = history
        self.runs: list[JobRun] = []
        now = clock()
        # Jobs that run on an interval rather than at cron times (the sender…): each tick runs them.
        self.interval_jobs = [
            name for name, job in JOBS.items() if isinstance(job.trigger(ctx.settings), IntervalTrigger)
        ]
        self.next_fire: dict[str, datetime | None] = {
            name: next_run(job, ctx.settings, now)
            for name, job in JOBS.items()
            if name not in self.interval_jobs
        }

    def go_to(self, moment: datetime) -> list[JobRun]:
        """Move the clock to `moment` and run what the scheduler would have run by then."""
        with self._lock:
            self.clock.go_to(moment)
        return self.run_due()

    def run_due(self) -> list[JobRun]:
        """Every cron job whose fire time has come, once each, then the interval jobs."""
        with self._lock:
            now = self.clock()
            ran = []
            for name, fire in list(self.next_fire.items()):
                if fire is not None and fire <= now:
                    ran.append(self._run(name, now))
                    self.next_fire[name] = next_run(JOBS[name], self.ctx.settings, now)
            for name in self.interval_jobs:
                result = self._run(name, now, quiet=True)
                if result.eventful:
                    ran.append(result)
            return ran

    def run_now(self, name: str) -> JobRun:
        """One job on demand, as `ambassador-bot jobs run NAME`: then what it queued is delivered."""
        if name not in JOBS:
            raise KeyError(name)
        with self._lock:
            now = self.clock()
            run = self._run(name, now)
            if name != "sender":
                self._run("sender", now, quiet=True)
            return run

    def _run(self, name: str, now: datetime, quiet: bool = False) -> JobRun:
        try:
            result: JobResult = run_job(self.ctx, name, now)
            if result.enqueued and name != "sender":
                result.delivery = deliver(
                    self.ctx.db, self.ctx.client, now, result.enqueued, settings=self.ctx.settings
                )
            delivered = result.delivery is not None and result.delivery.summary() != "0 sent"
            eventful = bool(result.enqueued or result.notes or delivered)
            run = JobRun(name, now, result.summary(), tuple(result.notes), eventful)
        except Exception as exc:
            log.exception("sandbox: job %s failed", name)
            run = JobRun(name, now, f"{name}: failed ({exc.__class__.__name__}: {exc})")
        if run.eventful or not quiet:
            self.runs = [run, *self.runs][: self._history]
        return run

    def upcoming(self) -> list[dict[str, str]]:
        with self._lock:
            return [
                {
                    "name": name,
                    "description": JOBS[name].description,
                    "next": fire.isoformat() if fire else "",
                }
                for name, fire in self.next_fire.items()
            ]

    def waiting(self) -> int:
        """Messages queued and not sent yet (e.g. DMs waiting for their person's local daytime)."""
        with self.ctx.db.read_only() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.PENDING)
                )
                or 0
            )
