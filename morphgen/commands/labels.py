"""``morphgen labels``: print the label sets and how morphgen's labels map onto each."""

from __future__ import annotations

import argparse

from morphgen.labels import LABELS
from morphgen.labelsets import SETS, LabelSet, get_set


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``labels`` subcommand."""
    parser = sub.add_parser(
        "labels",
        help="print the label sets and the mapping from morphgen's labels",
        description="Print every parsing label set morphgen can write (output.labels in the "
        "config) and the table that maps morphgen's labels onto it.",
    )
    parser.add_argument("--set", dest="set_name", metavar="NAME", help="show one set only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print one set in detail, or the overview of all sets."""
    if args.set_name:
        print(describe_set(get_set(args.set_name)))
    else:
        print(overview())
    return 0


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _side(s: LabelSet) -> str:
    who = "the subject's" if s.side == "subject" else "the image's"
    return f"left/right = {who} left/right" + ("" if s.side_verified else " (assumed)")


def describe_set(s: LabelSet) -> str:
    """Classes, mapping, absent classes and notes of one set."""
    from_morphgen: dict[str, list[str]] = {}
    for label in LABELS:
        from_morphgen.setdefault(s.remap[label.name], []).append(label.name)
    rows = [["id", "class", "colour", "from morphgen"]]
    for cid, name in s.classes:
        produced = ", ".join(from_morphgen.get(name, [])) or (
            "(absent)" if name in s.absent else "-"
        )
        rows.append([str(cid), name, "#{:02x}{:02x}{:02x}".format(*s.colours[name]), produced])
    parts = [f"{s.name}: {s.title}; {_side(s)}", f"evidence: {s.evidence}", _table(rows)]
    if s.absent:
        parts.append("absent (the model cannot produce): " + ", ".join(s.absent))
    if s.notes:
        parts.append(s.notes)
    return "\n".join(parts)


def overview() -> str:
    """Every set's summary plus one table mapping each morphgen label to each set's class."""
    sets = list(SETS.values())
    lines = ["Label sets (config: output.labels):"]
    for s in sets:
        lines.append(f"  {s.name:<20} {s.title}; {len(s.classes)} classes; {_side(s)}")
    rows = [["morphgen"] + [s.name for s in sets[1:]]]
    for label in LABELS:
        row = [f"{label.id} {label.name}"]
        for s in sets[1:]:
            target = s.remap[label.name]
            row.append(f"{s.class_id(target)} {target}")
        rows.append(row)
    lines += ["", "Mapping (id name in each set):", _table(rows), ""]
    for s in sets[1:]:
        lines.append(f"absent in {s.name}: {', '.join(s.absent)}")
    lines += ["", "Which side left/right means, and the evidence:"]
    lines += [f"  {s.name}: {s.evidence}" for s in sets]
    lines.append("\n`morphgen labels --set NAME` shows one set in full.")
    return "\n".join(lines)
