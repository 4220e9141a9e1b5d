"""Configuration from the environment and an optional `.env` file.

Every setting is documented in the README and `.env.example`. Problems are collected and reported
together (`SettingsError`), so an operator fixes them in one go instead of one per restart.
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.rules import inactivity as inactivity_rules
from bot.rules.review import ReviewSetting

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
GITHUB_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
GITHUB_ORG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")
GITHUB_TEAM_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
# A user group by its ID (S0614TZR7) or its mention handle (ambassadors, with or without the @).
SLACK_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
SLACK_USERGROUP = re.compile(r"^(S[A-Z0-9]{2,}|[a-z0-9][a-z0-9._-]{0,79})$")
# The placeholders `.env.example` ships with: a copied file not yet edited is named as such.
EXAMPLE_VALUES = {"SLACK_BOT_TOKEN": "xoxb-your-bot-token", "SLACK_SIGNING_SECRET": "your-signing-secret"}


class SettingsError(Exception):
    """One or more settings are missing or invalid; `problems` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

    def render(self) -> str:
        lines = ["ambassador-bot: configuration problem(s):"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines.append("See README.md (Configuration) and .env.example.")
        return "\n".join(lines)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///ambassador-bot.db"
    port: int = Field(default=3000, ge=1, le=65535)
    review_channel: str = ""
    announce_channel: str = ""
    tsc_user_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    required_contributions: int = Field(default=4, ge=1, le=100)
    timezone: str = "UTC"
    log_level: str = "INFO"
    log_format: str = "text"

    # --- scheduled jobs; cron strings are read in TIMEZONE ---
    announce_schedule: str = "0 10 * * *"
    reminders_schedule: str = "0 8 * * *"
    renewals_schedule: str = "0 7 * * *"
    digest_schedule: str = "0 10 1 * *"
    # The program report (the year so far, with its chart) in REVIEW_CHANNEL, monthly.
    report_schedule: str = "0 9 1 * *"
    sender_interval_seconds: int = Field(default=30, ge=1, le=3600)
    # 0: at most one reminder per calendar month; N: at most one per N days of the term.
    reminder_interval_days: int = Field(default=0, ge=0, le=365)
    reminder_grace_days: int = Field(default=30, ge=0, le=365)
    renewal_notice_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [30, 7])
    send_rate_per_second: float = Field(default=1.0, ge=0, le=100)
    local_send_hours: Annotated[tuple[int, int], NoDecode] = (9, 18)

    # --- benefits: the yearly budget in whole units of the program's currency (0: not tracked) ---
    benefits_yearly_budget: int = Field(default=0, ge=0, le=100_000_000)
    benefits_currency: str = Field(default="USD", min_length=1, max_length=8)

    # --- GitHub: the public list and the organization (off until GITHUB_REPO / GITHUB_ORG are set) ---
    github_token: str = ""
    github_api_url: str = DEFAULT_GITHUB_API_URL
    github_repo: str = ""
    github_base_branch: str = ""  # empty: the repository's default branch
    github_members_path: str = "AMBASSADORS_MEMBERS.yaml"
    github_emeritus_path: str = "Emeritus.yaml"  # empty: the emeritus file is not published
    github_org: str = ""
    publish_schedule: str = "0 6 * * *"

    # --- access that follows the roster (each place off while empty) ---
    slack_ambassadors_group: str = ""
    slack_ambassadors_channel: str = ""
    github_team: str = ""  # a team slug in GITHUB_ORG
    access_schedule: str = "30 6 * * *"

    # --- between renewals: pauses, inactivity with notice, who decides what the verification finds ---
    pause_extends_term: bool = True
    pause_max_days: int = Field(default=183, ge=1, le=366)
    inactivity_nudge_days: int = Field(default=56, ge=0, le=3650)  # 0: a step is off
    inactivity_report_days: int = Field(default=90, ge=0, le=3650)
    inactivity_propose_days: int = Field(default=180, ge=0, le=3650)
    verification_decides: str = "tsc"
    activity_schedule: str = "0 9 * * *"

    # --- impact: reading a logged link's page to fill in the form (off: nothing is fetched) ---
    link_details: bool = True
    talk_followups_schedule: str = "0 9 * * *"
    # off: every contribution counts from its day on; tsc: new ones count once a TSC member verified them.
    contribution_review: str = ReviewSetting.OFF
    contribution_review_schedule: str = "0 9 * * *"

    @field_validator("tsc_user_ids", mode="before")
    @classmethod
    def _split_user_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("tsc_user_ids")
    @classmethod
    def _check_user_ids(cls, value: list[str]) -> list[str]:
        bad = [user_id for user_id in value if not SLACK_USER_ID.match(user_id)]
        if bad:
            raise ValueError(f"not Slack user IDs (like U012AB3CD): {', '.join(bad)}")
        return value

    @field_validator("review_channel", "announce_channel", "slack_ambassadors_channel")
    @classmethod
    def _check_channel(cls, value: str) -> str:
        value = value.strip()
        if value and not SLACK_CHANNEL_ID.match(value):
            raise ValueError(f"{value!r} is not a Slack channel ID (like C012AB3CD)")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (like Europe/Madrid)") from None
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"text", "json"}:
            raise ValueError("must be text or json")
        return value

    @field_validator("github_api_url")
    @classmethod
    def _check_github_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL (GitHub Enterprise: https://HOST/api/v3)")
        return value.rstrip("/")

    @field_validator("github_repo")
    @classmethod
    def _check_github_repo(cls, value: str) -> str:
        value = value.strip().removeprefix("https://github.com/").removesuffix(".git").strip("/")
        if value and not GITHUB_REPO.match(value):
            raise ValueError(f"{value!r} is not a repository as owner/name (like asyncapi/community)")
        return value

    @field_validator("github_org")
    @classmethod
    def _check_github_org(cls, value: str) -> str:
        value = value.strip()
        if value and not GITHUB_ORG.match(value):
            raise ValueError(f"{value!r} is not a GitHub organization name (like asyncapi)")
        return value

    @field_validator("slack_ambassadors_group")
    @classmethod
    def _check_usergroup(cls, value: str) -> str:
        value = value.strip().removeprefix("@")
        if not SLACK_USERGROUP_ID.match(value):
            value = value.lower()  # handles are lowercase in Slack
        if value and not SLACK_USERGROUP.match(value):
            raise ValueError(
                f"{value!r} is not a Slack user group's handle or ID (like ambassadors or S0614TZR7)"
            )
        return value

    @field_validator("github_team")
    @classmethod
    def _check_github_team(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not GITHUB_TEAM_SLUG.match(value):
            raise ValueError(f"{value!r} is not a GitHub team slug (like ambassadors)")
        return value

    @model_validator(mode="after")
    def _team_needs_org(self) -> Settings:
        if self.github_team and not self.github_org:
            raise ValueError("GITHUB_TEAM is a team of GITHUB_ORG: set GITHUB_ORG too")
        return self

    @field_validator("verification_decides")
    @classmethod
    def _check_verification_decides(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"tsc", "auto"}:
            raise ValueError("must be tsc (the TSC decides each would-lapse member) or auto")
        return value

    @field_validator("contribution_review")
    @classmethod
    def _check_contribution_review(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in set(ReviewSetting):
            raise ValueError("must be off (every contribution counts) or tsc (a TSC member verifies each)")
        return value

    @property
    def reviewing_contributions(self) -> bool:
        return self.contribution_review == ReviewSetting.TSC

    @model_validator(mode="after")
    def _inactivity_steps_in_order(self) -> Settings:
        if not inactivity_rules.in_order(self.inactivity_thresholds):
            raise ValueError(
                "INACTIVITY_NUDGE_DAYS, INACTIVITY_REPORT_DAYS and INACTIVITY_PROPOSE_DAYS must grow in "
                "that order (0 turns a step off)"
            )
        return self

    @field_validator("github_members_path", "github_emeritus_path")
    @classmethod
    def _check_repo_path(cls, value: str) -> str:
        value = value.strip().strip("/")
        if ".." in value.split("/"):
            raise ValueError(f"{value!r} must be a path inside the repository")
        return value

    @field_validator(
        "announce_schedule",
        "reminders_schedule",
        "renewals_schedule",
        "digest_schedule",
        "report_schedule",
        "publish_schedule",
        "access_schedule",
        "activity_schedule",
        "talk_followups_schedule",
        "contribution_review_schedule",
    )
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        value = " ".join(value.split())
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a cron schedule (minute hour day month weekday, like '0 8 * * *'): {exc}"
            ) from None
        return value

    @field_validator("renewal_notice_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip().lower().removeprefix("t-").removesuffix("d") for part in value.split(",")]
            if not all(part.isdigit() for part in parts if part):
                raise ValueError(f"{value!r} is not a list of whole days, like '30,7'")
            return [int(part) for part in parts if part]
        return value

    @field_validator("renewal_notice_days")
    @classmethod
    def _check_notice_days(cls, value: list[int]) -> list[int]:
        if any(days < 1 or days > 365 for days in value):
            raise ValueError("each notice is 1 to 365 days before the end of a term, like '30,7'")
        return sorted(set(value), reverse=True)

    @field_validator("local_send_hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: object) -> object:
        if isinstance(value, str):
            start, dash, end = value.replace(" ", "").partition("-")
            if not dash or not start.isdigit() or not end.isdigit():
                raise ValueError(f"{value!r} is not an hour range like '9-18'")
            return (int(start), int(end))
        return value

    @field_validator("local_send_hours")
    @classmethod
    def _check_hours(cls, value: tuple[int, int]) -> tuple[int, int]:
        start, end = value
        if not (0 <= start < end <= 24):
            raise ValueError("the range must be START-END with 0 <= START < END <= 24, like '9-18'")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def inactivity_thresholds(self) -> inactivity_rules.Thresholds:
        return inactivity_rules.Thresholds(
            self.inactivity_nudge_days, self.inactivity_report_days, self.inactivity_propose_days
        )

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def publishing(self) -> bool:
        return bool(self.github_repo)

    def require_github(self) -> None:
        """Check what publishing or inviting needs; raise one `SettingsError` naming every problem."""
        problems: list[str] = []
        if not self.github_token:
            problems.append("GITHUB_TOKEN is not set (see README, 'The public list on GitHub')")
        if not self.github_members_path:
            problems.append("GITHUB_MEMBERS_PATH is empty (the members file's path in GITHUB_REPO)")
        if problems:
            raise SettingsError(problems)

    def require_slack(self) -> None:
        """Check what talking to Slack needs; raise one `SettingsError` naming every problem."""
        problems: list[str] = []
        if not self.slack_bot_token:
            problems.append("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
        elif not self.slack_bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        elif self.slack_bot_token == EXAMPLE_VALUES["SLACK_BOT_TOKEN"]:
            problems.append(
                "SLACK_BOT_TOKEN is still the example from .env.example: put the app's Bot User OAuth "
                "Token there (OAuth & Permissions, after installing the app)"
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode)")
        if not self.slack_app_token and not self.slack_signing_secret:
            problems.append("SLACK_SIGNING_SECRET is not set (needed to verify Slack's HTTP requests)")
        elif not self.slack_app_token and self.slack_signing_secret == EXAMPLE_VALUES["SLACK_SIGNING_SECRET"]:
            problems.append(
                "SLACK_SIGNING_SECRET is still the example from .env.example: put the app's Signing "
                "Secret there (Basic Information)"
            )
        if self.reviewing_contributions and not self.review_channel:
            # Checked where the bot starts talking to Slack, not on every read of the settings: the
            # sandbox names its own review channel, and the command line needs none.
            problems.append(
                "CONTRIBUTION_REVIEW=tsc lists new contributions for the TSC in REVIEW_CHANNEL: set "
                "REVIEW_CHANNEL too (or CONTRIBUTION_REVIEW=off)"
            )
        if problems:
            raise SettingsError(problems)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment (and `.env`); raise `SettingsError` on any invalid value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise SettingsError(problems) from None
