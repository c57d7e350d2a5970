"""Regulator bundles: a period of the ledger's log, with its chain links, tables and a signed
manifest, written as one tar stream that domain/bundle_verify.py checks offline.

**The run.** A bundle covers a run of consecutive log positions: from the first event recorded at
or after `from` up to, not including, the first event recorded at or after `to` (or the log's head
when the bundle is made). Recorded times follow log order only roughly, so an event sits in the run
its position puts it in; bundles of back-to-back periods tile the log, and the link at the end of
one is the link before the next.

**Members**, in this order:

- `events.jsonl`: one JSON object per event, in log order: `position`, `originator_id`, `version`,
  `topic`, `recorded_at`, `payload` (the stored payload as text), `previous` (the link of the event
  before it in the log) and `link` (its own, `SHA-256(previous || canonical)`: domain/audit_chain.py);
- the tables of bundle_tables.py (`tickets.csv`, `claims.csv`, `stock.csv`, `penalties.csv`,
  `kpis.csv`), as far as the filters allow;
- `public_key.pem`: the public half of the key that signed the manifest (for reference: a verifier
  uses the key it obtained from the ledger's operator, not this one);
- `manifest.json`: the period, filters, run (first and last position, link before the first event
  and at the last), event count, each file's SHA-256, size and rows, the contract and penalty
  schedule versions the events refer to, and how far the chain sealer and each view had read;
- `manifest.json.sig`: the raw 64-byte Ed25519 signature of the manifest's bytes.

**Filters** (customer, contract, kind of aggregate) keep only some aggregates' events. The chain
cannot be recomputed across the events left out, so every event carries its own previous link:
each event's link is checked on its own, and against the sealed chain or a full bundle. Without
filters, the events chain end to end from the link before the run to the link at its end.

**Links** are folded from the log as it is read, from the last checkpoint signed before the period
(or the first event); wherever the chain sealer has recorded a link in `event_chain`, the two must
agree, or the export stops: the log was altered after it was sealed.

Files are written to temporary files, hashed as they are written, before the first byte of the tar
stream leaves; memory stays flat whatever the bundle's size.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as quoted
from typing import IO, Any
from uuid import UUID

from domain.audit_chain import GENESIS, StoredEvent, link
from domain.checkpoints import SigningKey, instant_text
from domain.errors import RuleViolation
from domain.ledger import ServiceLedger
from projections.bundle_filters import BundleRequest, Selection, recorded
from projections.bundle_tables import Scope, tables
from projections.checkpoint_store import CLOCK_MARGIN, Chain, event_pages
from projections.read_side import ReadSide

FORMAT = "service-ledger bundle 1"
CHUNK = 1 << 16
SPOOL = 1 << 20
"""A file of the bundle stays in memory up to this size, then moves to a temporary file."""
CONTRACT_REF = re.compile(
    rb'"contract_id":\{"_type_":"uuid_hex","_data_":"([0-9a-f]{32})"\},"contract_version":(\d+)'
)
SCHEDULE_REF = re.compile(
    rb'"schedule_kind":"(\w+)","schedule_id":\{"_type_":"uuid_hex","_data_":"([0-9a-f]{32})"\},'
    rb'"schedule_version":(\d+)'
)
Progress = Callable[[int], None]


class ChainBroken(RuleViolation):
    """The log does not match a link sealed or signed for it: it was altered afterwards."""

    code = "chain-broken"


class HashedFile:
    """A bundle file being written: spooled to disk past a size, hashed and counted as written."""

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - closed by the bundle
        self.digest = hashlib.sha256()
        self.size = 0
        self.rows = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def entry(self) -> dict[str, Any]:
        return {
            "sha256": self.digest.hexdigest(),
            "bytes": self.size,
            "rows": self.rows,
            "holds": self.description,
        }


@dataclass
class Run:
    """What the event pass found: the run's ends and links, and what the events refer to."""

    first: int | None = None
    last: int | None = None
    link_before: bytes = GENESIS
    link_at_end: bytes = GENESIS
    contracts: set[tuple[str, int]] = field(default_factory=set)
    schedules: set[tuple[str, str, int]] = field(default_factory=set)


class Bundle:
    """One bundle: `prepare()` reads the store into hashed files and signs the manifest; `stream()`
    then yields the tar bytes; `close()` drops the temporary files."""

    def __init__(
        self,
        ledger: ServiceLedger,
        read_side: ReadSide,
        chain: Chain,
        key: SigningKey,
        request: BundleRequest,
        now: datetime,
    ) -> None:
        self.ledger, self.read_side, self.chain, self.key = ledger, read_side, chain, key
        self.request = request
        self.now = now
        self.head = ledger.recorder.max_notification_id() or 0
        anchor = chain.checkpoints.signed_before(request.start - CLOCK_MARGIN)
        if anchor is not None and not anchor.verifies():
            raise ChainBroken(f"the checkpoint at position {anchor.position} does not verify under its key")
        self.anchor = (0, GENESIS) if anchor is None else (anchor.position, anchor.link)
        self.selection = Selection.of(request)
        self.files: list[HashedFile] = []
        self.manifest = self.signature = b""

    @property
    def positions_to_read(self) -> int:
        """How many log positions prepare() reads at most: a filtered bundle reads the log up to
        its run once more, from the start, to find the aggregates the filters name."""
        return self.head - self.anchor[0] + (self.head if self.selection.names_aggregates else 0)

    def prepare(self, progress: Progress | None = None) -> None:
        """Read the run's events, then the tables, into hashed files, and sign the manifest;
        `progress` hears how many more log positions have been read."""
        report = progress or (lambda _: None)
        upto = self._find_members(report) if self.selection.names_aggregates else self.head
        events = self._add("events.jsonl", "the events of the run the filters keep, with their links")
        run = self._write_events(events, upto, report)
        as_of = self.request.end if self.request.end <= self.now else None
        scope = Scope(self.request.start, self.request.end, as_of, **self.request.filters())
        for table in tables(self.read_side, scope):
            self._write_table(self._add(table.name, table.description), table.rows)
        self._add("public_key.pem", "the public key that signed manifest.json").write(
            self.key.public_pem.encode("ascii")
        )
        self.manifest = self._manifest(run, events.rows)
        self.signature = self.key.sign(self.manifest)

    def _add(self, name: str, description: str) -> HashedFile:
        self.files.append(HashedFile(name, description))
        return self.files[-1]

    def _find_members(self, report: Progress) -> int:
        """Note the aggregates the filters name, from the log's start to the run's end; that end."""
        last = reported = 0
        for page in event_pages(self.ledger, 0, self.head):
            for event in page:
                if self.request.ended_by(recorded(event.recorded_at)):
                    report(self.head - reported)
                    return last
                self.selection.take(event)
                last = event.position
            report(page[-1].position - reported)
            reported = page[-1].position
        return last

    def _write_events(self, out: HashedFile, upto: int, report: Progress) -> Run:
        run = Run()
        after, previous = self.anchor
        for page in event_pages(self.ledger, after, upto):
            lines, previous, ended = self._take_page(page, run, previous)
            out.write("".join(lines).encode("utf-8"))
            out.rows += len(lines)
            if ended:
                break
            report(page[-1].position - after)
            after = page[-1].position
        if run.first is None:
            run.link_before = run.link_at_end = previous  # an empty run sits after what was read
        return run

    def _take_page(self, page: list[StoredEvent], run: Run, previous: bytes) -> tuple[list[str], bytes, bool]:
        """The lines of a page's events that the run keeps; the last link; whether the run ended."""
        sealed = self.chain.sealed_links(page[0].position - 1, page[-1].position)
        lines: list[str] = []
        keep_all = not self.selection.filters
        for event in page:
            current = link(previous, event)
            if sealed.get(event.position, current) != current:
                msg = f"the event at position {event.position} does not match the link sealed for it"
                raise ChainBroken(msg, position=event.position)
            stated = event.recorded_at
            at = recorded(stated)
            if self.request.ended_by(at):
                return lines, previous, True
            if run.first is None and self.request.started_by(at):
                run.first, run.link_before = event.position, previous
            if run.first is not None:
                run.last, run.link_at_end = event.position, current
                if keep_all or self.selection.admits(event):
                    lines.append(event_line(event, stated, previous, current))
                    note_references(run, event.payload)
            previous = current
        return lines, previous, False

    def _write_table(self, out: HashedFile, rows: Iterator[Any]) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        for count, row in enumerate(rows):
            writer.writerow(row)
            out.rows = count
            if text.tell() >= CHUNK:
                out.write(text.getvalue().encode("utf-8"))
                text.seek(0)
                text.truncate()
        out.write(text.getvalue().encode("utf-8"))

    def _manifest(self, run: Run, count: int) -> bytes:
        manifest = {
            "format": FORMAT,
            "made_at": instant_text(self.now),
            "period": {"from": instant_text(self.request.start), "to": instant_text(self.request.end)},
            "filters": self.request.filters(),
            "complete": not self.selection.filters,
            "run": {
                "first_position": run.first,
                "last_position": run.last,
                "link_before": run.link_before.hex(),
                "link_at_end": run.link_at_end.hex(),
            },
            "events": count,
            "log_head": self.head,
            "sealed_head": self.chain.sealed.head().position,
            "files": {f.name: f.entry() for f in self.files},
            "references": {
                "contracts": [{"contract_id": c, "version": v} for c, v in sorted(run.contracts)],
                "penalty_schedules": [
                    {"kind": k, "schedule_id": s, "version": v} for k, s, v in sorted(run.schedules)
                ],
            },
            "views": {runner.name: runner.position() for runner in self.read_side.runners.values()},
            "signing_key": {"sha256": self.key.fingerprint, "ephemeral": self.key.ephemeral},
        }
        return json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    def stream(self) -> Iterator[bytes]:
        """The tar stream: each file, then manifest.json and manifest.json.sig; closes the bundle."""
        try:
            mtime, written = int(self.now.timestamp()), 0
            for item in self.files:
                item.file.seek(0)
                header = member_header(item.name, item.size, mtime)
                yield header
                while chunk := item.file.read(CHUNK):
                    yield chunk
                yield padding(item.size)
                written += len(header) + item.size + len(padding(item.size))
            for name, data in (("manifest.json", self.manifest), ("manifest.json.sig", self.signature)):
                header = member_header(name, len(data), mtime)
                yield header + data + padding(len(data))
                written += len(header) + len(data) + len(padding(len(data)))
            ending = 2 * tarfile.BLOCKSIZE
            yield bytes(ending + (-(written + ending) % tarfile.RECORDSIZE))
        finally:
            self.close()

    def close(self) -> None:
        for item in self.files:
            item.file.close()


def event_line(event: StoredEvent, recorded_at: str, previous: bytes, current: bytes) -> str:
    """The event's line of events.jsonl: its canonical fields, payload as text, and links."""
    return (
        f'{{"position":{event.position},"originator_id":{quoted(event.originator_id)},'
        f'"version":{event.version},"topic":{quoted(event.topic)},"recorded_at":{quoted(recorded_at)},'
        f'"payload":{quoted(payload_text(event))},"previous":"{previous.hex()}","link":"{current.hex()}"}}\n'
    )


def payload_text(event: StoredEvent) -> str:
    try:
        return event.payload.decode("utf-8")
    except UnicodeDecodeError:
        msg = f"the payload at position {event.position} is not UTF-8 text (a compressed or encrypted store?)"
        raise RuleViolation(msg, position=event.position) from None


def note_references(run: Run, payload: bytes) -> None:
    """The contract versions and penalty schedule versions an event names."""
    if b'"contract_version"' in payload:
        run.contracts.update((str(UUID(c.decode())), int(v)) for c, v in CONTRACT_REF.findall(payload))
    if b'"schedule_version"' in payload:
        run.schedules.update(
            (k.decode(), str(UUID(s.decode())), int(v)) for k, s, v in SCHEDULE_REF.findall(payload)
        )


def member_header(name: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    return info.tobuf(format=tarfile.PAX_FORMAT)


def padding(size: int) -> bytes:
    return bytes(-size % tarfile.BLOCKSIZE)
