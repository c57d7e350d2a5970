"""The hash chain over the ledger's log: the canonical encoding of a stored event, and the link
that chains it to every event before it.

Standard library only, so that a regulator can read it in one sitting and run it anywhere.

- **Canonical encoding.** One line of JSON, then a newline, then the payload exactly as stored:
  `[position, originator_id, version, topic, recorded_at]\\n<payload bytes>`. The JSON uses no
  spaces (separators `,` and `:`) and keeps non-ASCII characters as UTF-8. `recorded_at` is the
  event's recorded time, as the payload states it (ISO 8601, UTC).
- **Link.** `link(n) = SHA-256(link(n-1) || canonical(n))`, where `link(0)` is 32 zero bytes and
  events are taken in log order. A link is shown as 64 lowercase hex digits.

Changing any byte of an event, or the order of the events, changes its link and every link
after it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

GENESIS = bytes(32)
"""The link before the first event."""
_TIMESTAMP = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
"""How every stored payload begins: with its recorded time."""
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
"""What JSON escapes in a string; text without it is written as it is (the same bytes)."""
_STATED_AT = len(_TIMESTAMP)
_ESCAPED_BYTES = bytes(range(0x20)) + b'"\\'
"""The bytes of a header line that only JSON's own quotes may hold: quotes, backslashes, controls."""
_HEADER_LINE_ESCAPED = 7
"""What a header line holds of those when no field needs escaping: the six quotes around its three
strings, and the newline that ends it."""


@dataclass(frozen=True)
class StoredEvent:
    """An event as the log stores it: its position, aggregate, version, topic and payload."""

    position: int
    originator_id: str
    version: int
    topic: str
    payload: bytes

    @property
    def recorded_at(self) -> str:
        """The recorded time the payload states, or "" if it states none."""
        if self.payload.startswith(_TIMESTAMP):
            start = len(_TIMESTAMP)
            return self.payload[start : self.payload.index(b'"', start)].decode("ascii")
        document = json.loads(self.payload)
        stated = document.get("timestamp") if isinstance(document, dict) else None
        return str(stated.get("_data_", "")) if isinstance(stated, dict) else ""

    def header(self) -> bytes:
        recorded_at = self.recorded_at
        if _NEEDS_ESCAPE.search(self.originator_id + self.topic + recorded_at) is None:
            text = f'[{self.position},"{self.originator_id}",{self.version},"{self.topic}","{recorded_at}"]'
        else:
            fields = [self.position, self.originator_id, self.version, self.topic, recorded_at]
            text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")

    def canonical(self) -> bytes:
        return self.header() + b"\n" + self.payload


def link(previous: bytes, event: StoredEvent) -> bytes:
    """The event's link: the hash of the previous link and the event's canonical encoding."""
    return link_fields(
        previous, event.position, event.originator_id, event.version, event.topic, event.payload
    )


def link_fields(
    previous: bytes, position: int, originator_id: str, version: int, topic: str, payload: bytes
) -> bytes:
    """`link` of the event with these fields, without building a StoredEvent: the same bytes hashed.

    The common case is written directly: the payload states its recorded time first and no field
    needs escaping (the header line holds no quote, backslash or control byte beyond its own six
    quotes and newline). Anything else takes StoredEvent's own path.
    """
    if payload.startswith(_TIMESTAMP):
        end = payload.find(b'"', _STATED_AT)
        stated = payload[_STATED_AT:end]
        line = b'[%d,"%b",%d,"%b","%b"]\n' % (
            position,
            originator_id.encode(),
            version,
            topic.encode(),
            stated,
        )
        if (
            end >= 0
            and stated.isascii()
            and len(line) - len(line.translate(None, _ESCAPED_BYTES)) == _HEADER_LINE_ESCAPED
        ):
            return hashlib.sha256(previous + line + payload).digest()
    event = StoredEvent(position, originator_id, version, topic, payload)
    return hashlib.sha256(previous + event.canonical()).digest()
