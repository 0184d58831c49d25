"""The event base every app's audit trail is built on, and the hash chains auditors check.

- `Event`: an append-only row saying who (`actor`) did what (`kind`, in the concrete model) when
  (`at`), from which status to which, why (`reason`) and with what details (`payload`). The ORM
  refuses to change or delete one; on PostgreSQL a trigger (see `append_only_trigger`) refuses
  it too, so even raw SQL cannot rewrite history.
- `ChainedEvent`: an event that is also a link of its parent's hash chain (`seq`, `prev_hash`,
  `hash`). The parent (`ChainHead`) keeps the newest link, so appending needs no scan and a
  removed or replaced newest event is noticed. Money and cases are chained: changing, adding or
  removing one event anywhere breaks a link that `audit_verify` names.

A chain's links are tied to the parent by its natural key (`chain_key`: a case number, a
BillingAcct, an SPTN), not by its database id, so a parent's first link can be made before the
parent row is inserted, and an event moved to another parent no longer matches its hash.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An event row may be written once and never changed or deleted."""


class Event(models.Model):
    """Abstract: one row per happening, never changed. Concrete models add `kind` and a parent."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class ChainHead(models.Model):
    """Abstract: a row whose events form a hash chain; it remembers the newest link.

    Concrete models set `CHAIN_KEY_FIELD` to their unique natural key (a case number...)."""

    CHAIN_KEY_FIELD = ""

    last_event_seq = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def chain_key(self) -> str:
        return str(getattr(self, self.CHAIN_KEY_FIELD))


def _canonical_value(value):
    if isinstance(value, dt.datetime):
        # In UTC, so the hash does not depend on the zone the moment was written in.
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def canonical_json(chain_key: str, values: dict) -> str:
    """The hashed form of one link: its chain's key and its columns, sorted, in UTC."""
    content = {"chain": chain_key, **{k: _canonical_value(v) for k, v in values.items()}}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def link_hash(prev_hash: str, chain_key: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(chain_key, values)).encode("utf-8")
                          ).hexdigest()


class ChainedEvent(Event):
    """Abstract: an event that is a link of its parent's hash chain.

    Concrete models set `CHAIN_PARENT` to the name of their foreign key to the `ChainHead`, and
    `HASHED_FIELDS` to the base's plus their own columns. The list is explicit and only ever
    grows for new kinds of content: a column added later is not silently pulled into the hash
    of events written before it existed.
    """

    CHAIN_PARENT = ""
    HASHED_FIELDS: tuple[str, ...] = ("seq", "kind", "actor", "at", "from_status", "to_status",
                                      "reason", "payload")

    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta(Event.Meta):
        abstract = True

    def canonical_content(self, *, chain_key: str | None = None) -> str:
        """Every column an auditor relies on, in a fixed order and format, and the parent's
        natural key in place of its database id."""
        if chain_key is None:
            chain_key = getattr(self, self.CHAIN_PARENT).chain_key
        values = {}
        for name in self.HASHED_FIELDS:
            attname = self._meta.get_field(name).attname
            values[attname] = getattr(self, attname)
        return canonical_json(chain_key, values)

    def compute_hash(self, *, chain_key: str | None = None) -> str:
        return hashlib.sha256(
            (self.prev_hash + self.canonical_content(chain_key=chain_key)).encode("utf-8")
        ).hexdigest()

    def link(self, head: ChainHead) -> None:
        """Make this (unsaved) event the next link of `head`'s chain and move the head on.

        The caller holds the head's row lock and saves both in the same transaction; the head
        may itself be unsaved (its first event is linked before it is inserted)."""
        setattr(self, self.CHAIN_PARENT, head)
        self.seq = head.last_event_seq + 1
        self.prev_hash = head.last_event_hash
        self.hash = self.compute_hash(chain_key=head.chain_key)
        head.last_event_seq = self.seq
        head.last_event_hash = self.hash


# --- the chains, and checking them ---------------------------------------------------------


# content_check(head_ids) -> {head_id: reason} for the heads whose sealed content (files, rows
# outside the events, hashed into an event's payload) no longer matches what was sealed.
ContentCheck = Callable[[list[int]], dict[int, str]]


@dataclass(frozen=True)
class Chain:
    name: str  # what auditors call it: "case", "bill", "payment"
    event_model: type[ChainedEvent]
    content_check: ContentCheck | None = None

    @property
    def head_model(self) -> type[ChainHead]:
        return self.event_model._meta.get_field(self.event_model.CHAIN_PARENT).related_model


_chains: dict[str, Chain] = {}


def chain_register(name: str, event_model: type[ChainedEvent], *,
                   content_check: ContentCheck | None = None) -> None:
    """Apps declare their chains in AppConfig.ready(); amanah never imports them.

    `content_check` extends the proof past the event rows: an event can seal a digest of rows
    and files that live elsewhere (an inspection's findings and photos), and the check
    recomputes it, so changing any of them is named by `audit_verify` like a broken link."""
    _chains[name] = Chain(name=name, event_model=event_model, content_check=content_check)


def chains() -> list[Chain]:
    return [_chains[name] for name in sorted(_chains)]


@dataclass(frozen=True)
class AuditResult:
    chain: str
    ok: bool
    checked: int
    head_id: int | None = None
    head_key: str = ""
    event_id: int | None = None
    reason: str = ""


def _chain_verify(chain: Chain, *, head_id: int | None, chunk_size: int) -> AuditResult:
    """Walk the heads and their events side by side, both in id order, so memory stays flat
    however many millions of events there are."""
    event_model, head_model = chain.event_model, chain.head_model
    parent_column = event_model._meta.get_field(event_model.CHAIN_PARENT).attname
    heads = head_model.objects.order_by("pk")
    events = event_model.objects.order_by(parent_column, "seq")
    if head_id is not None:
        heads = heads.filter(pk=head_id)
        events = events.filter(**{parent_column: head_id})
    head_rows: Iterator = heads.values_list(
        "pk", head_model.CHAIN_KEY_FIELD, "last_event_seq", "last_event_hash").iterator(
        chunk_size=chunk_size)
    checked = 0
    pending = None  # an event read ahead that belongs to a later head
    event_rows = events.iterator(chunk_size=chunk_size)

    def broken(head_pk: int, event, reason: str) -> AuditResult:
        key = head_model.objects.filter(pk=head_pk).values_list(
            head_model.CHAIN_KEY_FIELD, flat=True).first()
        return AuditResult(chain.name, False, checked, head_pk, str(key or ""),
                           event.pk if event is not None else None, reason)

    for head_pk, chain_key, head_seq, head_hash in head_rows:
        chain_key = str(chain_key)
        prev_hash, expected_seq = "", 1
        while True:
            event = pending if pending is not None else next(event_rows, None)
            pending = None
            if event is None:
                break
            owner = getattr(event, parent_column)
            if owner != head_pk:
                if owner < head_pk:
                    return broken(owner, event, "event of a row that no longer exists")
                pending = event
                break
            if event.seq != expected_seq:
                return broken(head_pk, event,
                              f"sequence jumps from {expected_seq - 1} to {event.seq}")
            if event.prev_hash != prev_hash:
                return broken(head_pk, event, "link to the previous event does not match")
            if event.compute_hash(chain_key=chain_key) != event.hash:
                return broken(head_pk, event, "content does not match its hash")
            prev_hash, expected_seq = event.hash, expected_seq + 1
            checked += 1
        if head_hash != prev_hash or head_seq != expected_seq - 1:
            return broken(head_pk, None, "the newest event is missing or replaced")
        if chain.content_check is not None:
            reason = chain.content_check([head_pk]).get(head_pk)
            if reason:
                return broken(head_pk, None, reason)
    stray = pending if pending is not None else next(event_rows, None)
    if stray is not None:
        return broken(getattr(stray, parent_column), stray,
                      "event of a row that no longer exists")
    return AuditResult(chain.name, True, checked)


def audit_verify(*, chain: str | None = None, head_id: int | None = None,
                 chunk_size: int = 2000) -> list[AuditResult]:
    """Check every registered chain (or one, or one head of one) and report, for each chain,
    OK or its first broken link."""
    selected = [c for c in chains() if chain is None or c.name == chain]
    if chain is not None and not selected:
        raise LookupError(f"no chain named {chain!r}")
    return [_chain_verify(c, head_id=head_id, chunk_size=chunk_size) for c in selected]


# --- the database's own guard --------------------------------------------------------------

REWRITE_SETTING = "amanah.allow_event_rewrite"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION amanah_append_only() RETURNS trigger AS $$
BEGIN
    -- Only a deliberate, transaction-local switch (tests that prove tampering is detected,
    -- a reviewed data migration) lets a row be rewritten.
    IF current_setting('{REWRITE_SETTING}', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
"""


def append_only_trigger_install(schema_editor, table: str) -> None:
    """For migrations: make `table` refuse UPDATE and DELETE (PostgreSQL; a no-op elsewhere)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_FUNCTION, params=None)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION amanah_append_only()")


def append_only_trigger_remove(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
