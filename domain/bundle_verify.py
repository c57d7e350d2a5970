"""Checks a regulator bundle offline, with nothing but the bundle and the ledger's public key.

    python -m domain.bundle_verify BUNDLE.tar --public-key ledger-public.pem

It needs the standard library, the `cryptography` package (Ed25519) and domain/audit_chain.py
(the canonical form of an event and its link, about 70 lines). In order, it checks:

1. `manifest.json.sig` is the Ed25519 signature of `manifest.json` under the given key;
2. the bundle holds exactly the files the manifest lists (and the manifest and its signature);
3. in `events.jsonl`, each event's link is SHA-256 of its previous link and its canonical bytes,
   its recorded time is the one its payload states, and positions rise within the manifest's run;
   for a complete (unfiltered) bundle, each event's previous link is the link of the event before
   it, from the run's `link_before` to its `link_at_end`, and the run is all there;
4. every file's SHA-256, and its count of rows, are those the manifest states.

It prints "complete and unaltered" (or, for a filtered bundle, "unaltered") and exits 0, or names
the first problem, with the file and the event's position, and exits 1.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from domain.audit_chain import StoredEvent, link

EVENTS = "events.jsonl"
SIGNED = ("manifest.json", "manifest.json.sig")


class Problem(Exception):
    """Why a bundle does not verify: the file at fault and, in events.jsonl, the event."""

    def __init__(self, file: str, reason: str, position: int | None = None) -> None:
        where = file if position is None else f"{file}, event at position {position}"
        super().__init__(f"{where}: {reason}")


def verify(bundle: Path, public_key_pem: bytes) -> str:
    """The verdict on a bundle that verifies; raises Problem naming the first fault otherwise."""
    key = load_pem_public_key(public_key_pem)
    if not isinstance(key, Ed25519PublicKey):
        raise Problem("public key", "is not an Ed25519 public key")
    with tarfile.open(bundle, "r:") as tar:
        members: dict[str, tarfile.TarInfo] = {}
        for member in tar.getmembers():
            if not member.isfile() or member.name in members:
                raise Problem(member.name, "is not a plain file, or appears twice in the bundle")
            members[member.name] = member

        def read(name: str) -> IO[bytes]:
            stream = tar.extractfile(members[name]) if name in members else None
            if stream is None:
                raise Problem(name, "is missing from the bundle")
            return stream

        manifest_bytes, signature = read(SIGNED[0]).read(), read(SIGNED[1]).read()
        try:
            key.verify(signature, manifest_bytes)
        except InvalidSignature:
            reason = (
                "manifest.json.sig does not verify under the given key: altered, or signed by another key"
            )
            raise Problem("manifest.json", reason) from None
        manifest: dict[str, Any] = json.loads(manifest_bytes)
        files: dict[str, dict[str, Any]] = manifest["files"]
        unlisted = sorted(set(members) - set(files) - set(SIGNED))
        if unlisted:
            raise Problem(unlisted[0], "is in the bundle but not in the manifest")
        for name, entry in files.items():
            rows = check_events(read(name), manifest) if name == EVENTS else count_rows(name, read(name))
            digest, stream = hashlib.sha256(), read(name)
            while chunk := stream.read(1 << 16):
                digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                raise Problem(name, "its SHA-256 is not the one the manifest states: the file was altered")
            if rows != entry["rows"]:
                raise Problem(name, f"holds {rows} rows; the manifest states {entry['rows']}")
    run = manifest["run"]
    span = f"positions {run['first_position']} to {run['last_position']}"
    if manifest["complete"]:
        chain = f"chained from {run['link_before'][:16]}... to {run['link_at_end'][:16]}..."
        return f"complete and unaltered: {manifest['events']} events, {span}, {chain}; {len(files)} files"
    kept = {k: v for k, v in manifest["filters"].items() if v is not None}
    return f"unaltered: {manifest['events']} events of {span} kept by {kept}, each link checked alone"


def check_events(lines: Iterable[bytes], manifest: dict[str, Any]) -> int:
    """Check every event's link, and for a complete bundle the chain; the number of events."""
    run, complete = manifest["run"], manifest["complete"]
    first, last = run["first_position"], run["last_position"]
    chained = bytes.fromhex(run["link_before"])
    position, count = None, 0
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            event = StoredEvent(
                record["position"],
                record["originator_id"],
                record["version"],
                record["topic"],
                record["payload"].encode("utf-8"),
            )
            previous, claimed = bytes.fromhex(record["previous"]), bytes.fromhex(record["link"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Problem(
                EVENTS, f"line {number} is not an event record (after position {position})"
            ) from None
        at = event.position
        if first is None or not first <= at <= last or (position is not None and at <= position):
            raise Problem(EVENTS, "is out of order, or outside the run the manifest states", at)
        if complete and (previous != chained or (position is None and at != first)):
            raise Problem(EVENTS, "does not follow the event before it: the chain is broken here", at)
        if record["recorded_at"] != event.recorded_at:
            raise Problem(EVENTS, "its recorded_at is not the recorded time its payload states", at)
        if link(previous, event) != claimed:
            raise Problem(EVENTS, "its link is not SHA-256 of its previous link and its content", at)
        chained, position, count = claimed, at, count + 1
    if count != manifest["events"]:
        raise Problem(EVENTS, f"holds {count} events; the manifest states {manifest['events']}")
    if complete and (position != last or chained.hex() != run["link_at_end"]):
        raise Problem(EVENTS, f"the chain ends at position {position}, not at the run's end and link")
    return count


def count_rows(name: str, stream: IO[bytes]) -> int:
    """Data rows of a CSV file (its header aside); 0 for any other file."""
    if not name.endswith(".csv"):
        return 0
    try:
        return max(sum(1 for _ in csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))) - 1, 0)
    except (UnicodeDecodeError, csv.Error):
        raise Problem(name, "is not a CSV file in UTF-8") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a service-ledger bundle offline.")
    parser.add_argument("bundle", type=Path, help="the bundle (a tar file)")
    parser.add_argument("--public-key", type=Path, required=True, help="the ledger's public key (PEM)")
    args = parser.parse_args(argv)
    try:
        print(verify(args.bundle, args.public_key.read_bytes()))
    except Problem as problem:
        print(f"NOT VERIFIED: {problem}")
        return 1
    except (OSError, tarfile.TarError, ValueError, KeyError, TypeError) as error:
        print(f"NOT VERIFIED: the bundle or the key cannot be read: {error!r}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
