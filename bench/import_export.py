"""How long importing and exporting a large members file takes.

    .venv/bin/python bench/import_export.py [--members 2000] [--contributions 20] [--database-url URL]

Generates a members file in the website's shape (AMBASSADORS_MEMBERS.json) with `--members`
members of `--contributions` contributions each, including the real file's quirks (empty links,
"Jan", "2022" and missing months, text githubIDs), then times: reading and checking it, the first
import (everything new), a second import (nothing changes), and the export rendered as JSON, and
checks the export equals the file. The default database is a fresh SQLite file; pass a scratch
PostgreSQL URL to measure that (the bench's `bench-user-*` members are replaced).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete

from bot.cli.members_file import read_members_file, render
from bot.services.registry import exporting, file_format, importing
from bot.store.db import Database
from bot.store.models import AuditEvent, Member

PREFIX = "bench-user-"
MONTHS = ["January", "February", "March", "Jan", "2022", None, "October", "November", "December"]
TYPES = ["article", "talk", "presentation", "initiative_driver", "special contribution", "video"]


def generate(members: int, contributions: int) -> list[dict[str, Any]]:
    data = []
    for number in range(members):
        handle = f"{PREFIX}{number:05d}"
        entry: dict[str, Any] = {
            "name": f"Bench Member {number}",
            "img": f"https://avatars.githubusercontent.com/u/{number}?v=4",
            "bio": "An ambassador generated for the benchmark. " * 4,
            "title": "Developer Advocate",
            "github": handle,
            "githubID": number if number % 7 else str(number),
            "slack": f"U0BENCH{number:05d}",
            "twitter": "" if number % 3 else handle,
            "linkedin": handle,
            "company": "Example Inc.",
            "country": "🇪🇸",
        }
        if number % 5 == 0:
            entry |= {"isTscMember": True, "tscMemberSince": "2025-05-28"}
        entry["contributions"] = []
        for index in range(contributions):
            when: dict[str, Any] = {"year": 2020 + index % 6}
            month = MONTHS[index % len(MONTHS)]
            if month is not None:
                when["month"] = month
            link = "" if index % 9 == 4 else f"https://example.org/{handle}/{index}"
            entry["contributions"].append(
                {
                    "type": TYPES[index % len(TYPES)],
                    "title": f"Contribution {index}",
                    "date": when,
                    "link": link,
                }
            )
        data.append(entry)
    return data


def clean(db: Database) -> None:
    with db.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.details["source"].as_string() == "bench.json"))
        session.execute(delete(Member).where(Member.github.like(f"{PREFIX}%")))


def timed(label: str, work: Any, count: str = "") -> Any:
    started = time.perf_counter()
    result = work()
    took = time.perf_counter() - started
    print(f"{label:<34} {took:8.2f} s  {count}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--contributions", type=int, default=20, help="per member")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if not 1 <= args.members <= 100_000 or not 0 <= args.contributions <= 1000:
        parser.error("--members 1..100000, --contributions 0..1000")

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(args.database_url or f"sqlite:///{scratch}/bench.db")
        db.upgrade()
        clean(db)
        path = Path(scratch) / "bench.json"
        data = generate(args.members, args.contributions)
        path.write_text(json.dumps(data, indent=4), encoding="utf-8")
        total = args.members * args.contributions
        size = path.stat().st_size / 1e6
        print(
            f"backend {db.engine.dialect.name}: {args.members} members x {args.contributions} contributions "
            f"= {total} contributions, file {size:.1f} MB"
        )
        try:
            parsed = timed(
                "read + check the file", lambda: file_format.parse_members(read_members_file(path))
            )

            def import_once() -> importing.ImportSummary:
                return importing.import_members(
                    db, parsed, term_start=date(2026, 3, 1), now=now, source=path.name
                )

            first = timed("first import (all new)", import_once, f"{total} contributions")
            assert (first.members_added, first.contributions_added) == (args.members, total), first
            again = timed("second import (nothing changes)", import_once)
            assert not again.changed, again
            exported = timed("export (query + build)", lambda: exporting.export_members(db))
            text = timed("render JSON", lambda: render(exported, "json"))
            mine = [entry for entry in json.loads(text) if entry["github"].startswith(PREFIX)]
            same = json.dumps(mine, sort_keys=True) == json.dumps(data, sort_keys=True)
            print(f"export equals the generated file: {same}")
            if not same:
                sys.exit(1)
        finally:
            clean(db)
            db.dispose()


if __name__ == "__main__":
    main()
