"""The benefits catalogue: what the program offers, seeded with its defaults on first use, and the
TSC's edits (`/ambassador admin benefits add|set|enable|disable`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.rules import benefits as benefit_rules
from bot.services.members import record_audit
from bot.store.db import Database
from bot.store.models import Benefit


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    key: str
    kind: str
    name: str
    description: str | None
    value: int
    needs_shipping: bool
    needs_event: bool
    limit_per_term: int | None
    enabled: bool

    @property
    def spec(self) -> benefit_rules.BenefitSpec:
        return benefit_rules.BenefitSpec(
            self.kind, self.value, self.needs_shipping, self.needs_event, self.limit_per_term
        )


def ensure_catalogue(db: Database, now: datetime) -> None:
    """Add the program's default benefits the first time the catalogue is used (empty table).

    Every `/ambassador benefits` asks, so the question takes no write lock; only the first one writes.
    """
    with db.read_only() as session:
        if session.scalar(select(func.count(Benefit.id))):
            return
    try:
        with db.transaction() as session:
            for position, default in enumerate(benefit_rules.DEFAULT_CATALOGUE):
                spec = default.spec
                session.add(
                    Benefit(
                        key=default.key,
                        kind=spec.kind,
                        name=default.name,
                        description=default.description,
                        value=spec.value,
                        needs_shipping=spec.needs_shipping,
                        needs_event=spec.needs_event,
                        limit_per_term=spec.limit_per_term,
                        enabled=True,
                        position=position,
                        created_at=now,
                        updated_at=now,
                    )
                )
            record_audit(session, "system", "benefits.catalogue_seeded", None, at=now)
    except IntegrityError:
        pass  # a concurrent first use added them


def catalogue_item(benefit: Benefit) -> CatalogueItem:
    return CatalogueItem(
        benefit.id,
        benefit.key,
        benefit.kind,
        benefit.name,
        benefit.description,
        benefit.value,
        benefit.needs_shipping,
        benefit.needs_event,
        benefit.limit_per_term,
        benefit.enabled,
    )


def items_in(session: Session, include_disabled: bool = False) -> list[CatalogueItem]:
    query = select(Benefit).order_by(Benefit.position, Benefit.id)
    if not include_disabled:
        query = query.where(Benefit.enabled.is_(True))
    return [catalogue_item(benefit) for benefit in session.scalars(query)]


def items(db: Database, include_disabled: bool = False) -> list[CatalogueItem]:
    """The benefits in the catalogue's order; only those on offer unless `include_disabled`."""
    with db.transaction() as session:
        return items_in(session, include_disabled)


class CatalogueError(Exception):
    """A catalogue command that cannot be done; `code` says why (unknown_key, key_taken, ...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def add_benefit(
    db: Database, actor: str, key: str, kind: str, value: int, name: str, *, now: datetime
) -> CatalogueItem:
    needs_shipping, needs_event, limit = benefit_rules.KIND_DEFAULTS[kind]
    try:
        with db.transaction() as session:
            if session.scalar(select(Benefit.id).where(Benefit.key == key)) is not None:
                raise CatalogueError("key_taken")
            position = (session.scalar(select(func.max(Benefit.position))) or 0) + 1
            benefit = Benefit(
                key=key,
                kind=kind,
                name=name,
                value=value,
                needs_shipping=needs_shipping,
                needs_event=needs_event,
                limit_per_term=limit,
                enabled=True,
                position=position,
                created_at=now,
                updated_at=now,
            )
            session.add(benefit)
            session.flush()
            record_audit(
                session, actor, "benefit.added", None, at=now, benefit=key, kind=kind, value=value, name=name
            )
            return catalogue_item(benefit)
    except IntegrityError:
        raise CatalogueError("key_taken") from None


SETTABLE = {
    benefit_rules.CatalogueField.NAME: "name",
    benefit_rules.CatalogueField.VALUE: "value",
    benefit_rules.CatalogueField.LIMIT: "limit_per_term",
    benefit_rules.CatalogueField.SHIPPING: "needs_shipping",
    benefit_rules.CatalogueField.EVENT: "needs_event",
    benefit_rules.CatalogueField.DESCRIPTION: "description",
    benefit_rules.CatalogueField.KIND: "kind",
}


def change_benefit(
    db: Database, actor: str, key: str, changes: dict[str, object], *, now: datetime
) -> tuple[CatalogueItem, dict[str, object]]:
    """Set attributes of a benefit (names from SETTABLE's values); returns it and the previous values."""
    with db.transaction() as session:
        benefit = session.scalar(select(Benefit).where(Benefit.key == key))
        if benefit is None:
            raise CatalogueError("unknown_key")
        before = {name: getattr(benefit, name) for name in changes}
        for name, value in changes.items():
            setattr(benefit, name, value)
        benefit.updated_at = now
        record_audit(
            session,
            actor,
            "benefit.changed",
            None,
            at=now,
            benefit=key,
            before={name: _plain(value) for name, value in before.items()},
            after={name: _plain(value) for name, value in changes.items()},
        )
        return catalogue_item(benefit), before


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, bool | int | str) else str(value)
