"""Logging for the whole process, with Slack tokens and signing secrets redacted from every record."""

from __future__ import annotations

import logging
import re

# Slack's bot and app tokens and request signatures; GitHub's personal (classic `ghp_`, fine-grained
# `github_pat_`), OAuth (`gho_`, `ghu_`), App installation (`ghs_`) and refresh (`ghr_`) tokens.
SECRET = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|v0=[0-9a-f]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})"
)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SECRET.search(message):
            record.msg = SECRET.sub("[redacted]", message)
            record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # slack_sdk logs request headers (the token) at DEBUG; the filter redacts, this keeps noise down.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, root.level))
    # httpx (under the GitHub client) logs every request URL at INFO; keep that for DEBUG.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    # Alembic narrates every migration check at INFO; only say something when asked for DEBUG.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
