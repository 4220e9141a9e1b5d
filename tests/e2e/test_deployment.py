"""Deployment files: the Makefile's manifest target, the Dockerfile and docker-compose.yml.

This machine may have no Docker engine, so the files are checked for what matters (a non-root user, a
health check on /healthz, PostgreSQL, web replicas without the scheduler and exactly one scheduler);
`docker compose config` also validates the compose file against Docker's own schema when the compose
plugin is installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.paths import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def instructions(dockerfile: str, stage: int = -1) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of one build stage, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    lines = [
        line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        name, _, rest = line.partition(" ")
        if name.upper() == "FROM":
            stages.append([])
        stages[-1].append((name.upper(), rest.strip()))
    return stages[stage]


def test_the_image_runs_the_bot_as_an_unprivileged_user_with_a_health_check() -> None:
    final = instructions(DOCKERFILE)
    by_name: dict[str, list[str]] = {}
    for name, rest in final:
        by_name.setdefault(name, []).append(rest)

    assert re.fullmatch(r"python:3\.1[1-9]-slim", by_name["FROM"][0]), "a small official Python base"
    (user,) = by_name["USER"]
    assert user.split(":")[0] not in ("root", "0")
    # USER comes after every RUN: nothing the image runs at start runs as root.
    names = [name for name, _ in final]
    assert max(i for i, name in enumerate(names) if name == "RUN") < names.index("USER")
    (health,) = by_name["HEALTHCHECK"]
    assert "/healthz" in health and "--timeout=" in health
    assert json.loads(by_name["ENTRYPOINT"][0]) == ["ambassador-bot"]
    assert json.loads(by_name["CMD"][0]) == ["serve"]
    assert "3000" in by_name["EXPOSE"][0]


def test_the_image_gets_every_package_the_project_installs() -> None:
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    copied = {rest.split()[0] for name, rest in instructions(DOCKERFILE, 0) if name == "COPY"}

    assert {pattern.rstrip("*") for pattern in found["include"]} <= copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored and ".venv" in ignored  # secrets and bulk stay out


def test_compose_runs_postgres_web_replicas_and_one_scheduler() -> None:
    services = COMPOSE["services"]
    db, web, scheduler = services["db"], services["web"], services["scheduler"]

    assert db["image"].startswith("postgres:") and "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "ports" not in db  # the database is reached on the compose network only
    for service in (web, scheduler):
        assert service["build"] == "."
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["command"] == ["serve", "--no-scheduler"]
    assert web["deploy"]["replicas"] >= 2
    assert "healthcheck" not in web  # the image's GET /healthz
    assert scheduler["command"] == ["scheduler"]
    assert scheduler["deploy"]["replicas"] == 1
    assert scheduler["healthcheck"] == {"disable": True}
    # The jobs run in that one process only: no other service runs a scheduler.
    assert [name for name, service in services.items() if "scheduler" in service.get("command", [])] == [
        "scheduler"
    ]
    proxy = services["proxy"]
    assert "web:3000" in proxy["command"] and proxy["depends_on"]["web"]["condition"] == "service_healthy"


def compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not compose_available(), reason="the docker compose plugin is not installed here")
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_manifest_writes_the_manifest_before_any_token_exists(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    target = tmp_path / "manifest.json"
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}  # no SLACK_* at all

    # -o: take the installed command as up to date (never reinstall from inside a test).
    make = ["make", "-s", "-o", f"{bin_dir}/ambassador-bot", "manifest", f"BIN={bin_dir}"]
    settings = ["URL=https://bot.example.org", "NAME=AsyncAPI Ambassadors", f"MANIFEST={target}"]

    result = subprocess.run(
        [*make, *settings],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {target} (HTTP mode)")
    built = json.loads(target.read_text())
    assert built["display_information"]["name"] == "AsyncAPI Ambassadors"
    assert built["settings"]["event_subscriptions"]["request_url"] == "https://bot.example.org/slack/events"
