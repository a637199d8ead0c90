"""How well the demand detector (callhelper/core/flags.py with resources/rules/demands.toml)
finds harassment and requests in labelled statements.

Two sets of statements, written for this purpose by people who did not see the rules:
- ``tests/data/demands_dev.tsv``, the development part: tune the rules on it, and look at
  the lines it gets wrong (``--set dev --misses``);
- ``tests/data/demands_eval.tsv``, the frozen evaluation part: never tuned on, changed only
  by adding lines. Its figures are the ones quoted (docs/demands.md); its lines are never
  printed by this script, so that nobody tunes on them by accident.

Each line: ``text``, ``flags`` and ``requests`` (comma-separated category ids, or empty),
``variety`` (standard, kansai, …) and ``trap`` (negation, quotation, …, or empty).

    python benchmarks/detection.py --set eval          # the figures, per category
    python benchmarks/detection.py --set dev --misses  # and the development lines missed
    python benchmarks/detection.py --json              # both sets, machine-readable
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"dev": ROOT / "tests" / "data" / "demands_dev.tsv",
        "eval": ROOT / "tests" / "data" / "demands_eval.tsv"}
COLUMNS = ["text", "flags", "requests", "variety", "trap"]


@dataclass(frozen=True)
class Statement:
    text: str
    flags: frozenset[str]
    requests: frozenset[str]
    variety: str
    trap: str


def _ids(cell: str) -> frozenset[str]:
    return frozenset(part.strip() for part in cell.split(",") if part.strip())


def load(path: Path) -> list[Statement]:
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != COLUMNS:
            raise ValueError(f"{path}: the header must be {COLUMNS}, not {header}")
        statements = []
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(COLUMNS):
                raise ValueError(f"{path}:{number}: {len(row)} columns, not {len(COLUMNS)}")
            text, flags, requests, variety, trap = row
            statements.append(Statement(text, _ids(flags), _ids(requests), variety, trap))
    return statements


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def measure(statements: list[Statement], rules) -> dict:
    """Recall of harassment (any flag on a harassing line), the share of other lines
    flagged, recall of requests (any request on a line with one), and per category its
    recall (lines of the category that got it) and precision (lines given it that have it)."""
    from callhelper.core.flags import analyze

    found = [analyze(statement.text, rules) for statement in statements]
    harassing = [(s, a) for s, a in zip(statements, found) if s.flags]
    other = [(s, a) for s, a in zip(statements, found) if not s.flags]
    asking = [(s, a) for s, a in zip(statements, found) if s.requests]
    per_category: dict[str, dict] = {}
    gold, given, both = Counter(), Counter(), Counter()
    for statement, analysis in zip(statements, found):
        expected = statement.flags | statement.requests
        got = set(analysis.flag_categories) | set(analysis.request_categories)
        gold.update(expected)
        given.update(got)
        both.update(expected & got)
    kinds = {category.id: category.kind for category in rules.categories}
    for category in sorted(set(gold) | set(given)):
        per_category[category] = {
            "kind": kinds.get(category, "missing from the rules"),
            "lines": gold[category], "recall": _ratio(both[category], gold[category]),
            "given": given[category], "precision": _ratio(both[category], given[category])}
    traps = Counter(s.trap for s, _ in other if s.trap)
    traps_flagged = Counter(s.trap for s, a in other if s.trap and a.flags)
    return {
        "lines": len(statements), "harassing": len(harassing), "other": len(other),
        "with_requests": len(asking),
        "harassment_recall": _ratio(sum(1 for _, a in harassing if a.flags), len(harassing)),
        "harassment_named": _ratio(sum(1 for s, a in harassing
                                       if s.flags & set(a.flag_categories)), len(harassing)),
        "other_flagged": _ratio(sum(1 for _, a in other if a.flags), len(other)),
        "request_recall": _ratio(sum(1 for _, a in asking if a.requests), len(asking)),
        "request_named": _ratio(sum(1 for s, a in asking
                                    if s.requests & set(a.request_categories)), len(asking)),
        "traps_flagged": {trap: [traps_flagged[trap], count] for trap, count in traps.items()},
        "categories": per_category,
    }


def misses(statements: list[Statement], rules) -> list[str]:
    """The lines whose flags or requests differ from their labels."""
    from callhelper.core.flags import analyze

    lines = []
    for statement in statements:
        analysis = analyze(statement.text, rules)
        flags, requests = set(analysis.flag_categories), set(analysis.request_categories)
        if flags != statement.flags or requests != statement.requests:
            lines.append(f"{statement.text}\t want {sorted(statement.flags)} "
                         f"{sorted(statement.requests)}\t got {sorted(flags)} "
                         f"{sorted(requests)}\t {statement.variety} {statement.trap}")
    return lines


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def report(name: str, figures: dict) -> str:
    lines = [f"{name}: {figures['lines']} statements ({figures['harassing']} harassing, "
             f"{figures['other']} not, {figures['with_requests']} with a request)",
             f"  harassment found {_percent(figures['harassment_recall'])} (named right "
             f"{_percent(figures['harassment_named'])}) — target ≥ 90 %",
             f"  other lines flagged {_percent(figures['other_flagged'])} — target ≤ 2 %",
             f"  requests found {_percent(figures['request_recall'])} (named right "
             f"{_percent(figures['request_named'])}) — target ≥ 90 %",
             "  traps flagged: " + ", ".join(f"{trap} {hit}/{count}" for trap, (hit, count)
                                             in sorted(figures["traps_flagged"].items())),
             "",
             "| category | kind | lines | recall | flagged/marked | precision |",
             "| --- | --- | --- | --- | --- | --- |"]
    for category, row in figures["categories"].items():
        lines.append(f"| {category} | {row['kind']} | {row['lines']} | "
                     f"{_percent(row['recall'])} | {row['given']} | "
                     f"{_percent(row['precision'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from callhelper.config import resources_dir
    from callhelper.core.flags import load_rules

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), action="append",
                        help="which statements (default: both)")
    parser.add_argument("--misses", action="store_true",
                        help="also print the development lines the detector gets wrong")
    parser.add_argument("--json", action="store_true", help="machine-readable figures")
    args = parser.parse_args(argv)
    rules = load_rules(resources_dir() / "rules" / "demands.toml")
    chosen = args.set or sorted(SETS)
    results = {name: measure(load(SETS[name]), rules) for name in chosen}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print("\n\n".join(report(name, figures) for name, figures in results.items()))
    if args.misses:
        if "dev" not in chosen:
            parser.error("--misses prints development lines only (--set dev)")
        print("\n".join(["", "development lines the detector gets wrong:",
                         *misses(load(SETS["dev"]), rules)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
