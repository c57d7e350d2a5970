"""A dispute timeline as a printable page for a dispute file: plain HTML with inline CSS, no
scripts, every recorded value escaped (a description holding markup shows as the text it is)."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any

from api.timeline_schemas import CorrectionView, TimelineEntry, TimelineView

STYLE = """
body { font: 10.5pt/1.4 Georgia, "Times New Roman", serif; color: #000; background: #fff; margin: 2em; }
h1 { font-size: 15pt; margin: 0 0 0.3em; }
p.meta { margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; margin-top: 1em; }
thead { display: table-header-group; }
th, td { border: 1px solid #888; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { page-break-inside: avoid; break-inside: avoid; }
td.when { white-space: nowrap; font-family: "Courier New", monospace; font-size: 9pt; }
.source { font-size: 8.5pt; text-transform: uppercase; letter-spacing: 0.05em; color: #444; }
.note { margin: 2px 0; }
.correction { margin: 4px 0; padding: 3px 6px; border-left: 3px solid #000; background: #f2f2f2; }
dl { margin: 2px 0 0; font-size: 9pt; }
dt { display: inline; font-weight: bold; }
dd { display: inline; margin: 0 0.8em 0 0.2em; word-break: break-word; }
@media print { body { margin: 0; } th { background: none; } @page { size: A4 landscape; margin: 12mm; } }
"""


def timeline_page(timeline: TimelineView, reader: str, printed_at: datetime) -> str:
    """The whole page: a heading naming the ticket or claim, who printed it and when, and one row
    per recorded event in the order the ledger recorded them."""
    title = f"Dispute timeline of {timeline.subject} {timeline.subject_id}"
    penalties = "all" if timeline.penalties == "all" else "only those the reader is a party to"
    parts = "shown" if timeline.part_movements else "not shown to this reader's role"
    rows = "\n".join(row(number, entry) for number, entry in enumerate(timeline.entries, start=1))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{text(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{text(title)}</h1>
<p class="meta">Printed at {text(instant(printed_at))} for {text(reader)}, from the ledger's log.</p>
<p class="meta">Penalties: {text(penalties)}. Part movements: {text(parts)}.
{len(timeline.entries)} recorded events, in the order they were recorded.</p>
<table>
<thead><tr><th>#</th><th>Recorded</th><th>Occurred</th><th>Event</th><th>By</th><th>Particulars</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def row(number: int, entry: TimelineEntry) -> str:
    event = f'<span class="source">{text(entry.source)}</span><br>{text(entry.event)}'
    return (
        f"<tr><td>{number}</td>"
        f'<td class="when">{text(instant(entry.recorded_at))}</td>'
        f'<td class="when">{text(instant(entry.occurred_at))}</td>'
        f"<td>{event}<br><small>{text(entry.subject_id)} v{entry.version}</small></td>"
        f"<td>{text(entry.actor_id)}<br><small>{text(entry.actor_role)}</small></td>"
        f"<td>{particulars(entry)}</td></tr>"
    )


def particulars(entry: TimelineEntry) -> str:
    """The reason, the contract or schedule version behind it, its corrections and its details."""
    parts = []
    if entry.reason is not None:
        parts.append(f'<div class="note"><b>Reason:</b> {text(entry.reason)}</div>')
    if entry.contract is not None:
        contract = f"{entry.contract.contract_id} version {entry.contract.version}"
        parts.append(f'<div class="note"><b>Contract:</b> {text(contract)}</div>')
    if entry.schedule is not None:
        schedule = entry.schedule
        named = f"{schedule.kind} {schedule.name} version {schedule.version} ({schedule.id})"
        parts.append(f'<div class="note"><b>Schedule:</b> {text(named)}</div>')
    parts += [correction(c) for c in entry.corrections]
    if entry.details:
        items = "".join(
            f"<dt>{text(key)}</dt><dd>{text(shown(value))}</dd>" for key, value in entry.details.items()
        )
        parts.append(f"<dl>{items}</dl>")
    return "".join(parts)


def correction(fix: CorrectionView) -> str:
    said = (
        f"Corrected from {instant(fix.original_occurred_at)} to {instant(fix.new_occurred_at)} "
        f"by {fix.actor_id} ({fix.actor_role}), approved by {fix.approver_id} ({fix.approver_role}), "
        f"recorded {instant(fix.recorded_at)} as version {fix.version}. Reason: {fix.reason}"
    )
    return f'<div class="correction">{text(said)}</div>'


def instant(when: datetime) -> str:
    return when.isoformat()


def shown(value: Any) -> str:
    """A detail's value as text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def text(value: str) -> str:
    """Escaped for HTML text and attributes."""
    return escape(value, quote=True)
