"""Logging for the whole process, with Slack tokens and signing secrets redacted from every record.

Two formats: lines for people (`LOG_FORMAT=text`, the default) and one JSON object per line for log
collectors (`LOG_FORMAT=json`). Redaction applies to the whole formatted record in both, tracebacks
included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

# Slack's bot and app tokens and request signatures; GitHub's personal (classic `ghp_`, fine-grained
# `github_pat_`), OAuth (`gho_`, `ghu_`), App installation (`ghs_`) and refresh (`ghr_`) tokens.
SECRET = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|v0=[0-9a-f]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})"
)
LOG_FORMATS = ("text", "json")


def redact(text: str) -> str:
    return SECRET.sub("[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SECRET.search(message):
            record.msg = redact(message)
            record.args = None
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record comes, not to the stream of the moment it was
    made: a process that swaps stderr (a test capturing output) never leaves threads a closed stream."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # slack_sdk logs request headers (the token) at DEBUG; the filter redacts, this keeps noise down.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, root.level))
    # Bolt logs the whole body of every answer at DEBUG: forms pre-filled with a member's profile, a
    # benefit request's shipping details. Personal data stays out of the logs, even at DEBUG.
    logging.getLogger("slack_bolt").setLevel(max(logging.INFO, root.level))
    # httpx (under the GitHub client) logs every request URL at INFO; keep that for DEBUG.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    # Alembic narrates every migration check at INFO; only say something when asked for DEBUG.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # APScheduler logs each job added at start and two lines per run (the sender's every
    # SENDER_INTERVAL_SECONDS) at INFO; the jobs log what they did themselves. Its warnings and errors
    # (a missed run, a crashed job) still show; the rest only at DEBUG.
    logging.getLogger("apscheduler").setLevel(
        logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    )
