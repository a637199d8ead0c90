"""The labelled statements of benchmarks/detection.py: both sets read, name only categories
the rules know, and the frozen evaluation set's figures do not fall below those reached.

The floors are what the detector (the patterns and the model) reaches now (docs/demands.md,
"Measured"), which meets the targets (harassment ≥ 90 %, other lines ≤ 2 %, requests ≥ 90 %).
Raise a floor when the detector reaches more; never lower one to let a change through. A failure prints figures, never the frozen
set's lines: tune on the development set (``detection.py --set dev --misses``)."""

import sys
from pathlib import Path

import pytest

from callhelper.config import resources_dir
from callhelper.core.flags import FLAG, REQUEST, load_rules

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import detection  # noqa: E402

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
FLOORS = {"harassment_recall": 0.915, "request_recall": 0.905}
CEILINGS = {"other_flagged": 0.016}


@pytest.mark.parametrize("name", sorted(detection.SETS))
def test_each_set_reads_and_names_only_the_rules_categories(name):
    statements = detection.load(detection.SETS[name])
    assert len(statements) >= 1200
    kinds = {category.id: category.kind for category in RULES.categories}
    assert {c for s in statements for c in s.flags} == {c for c, k in kinds.items() if k == FLAG}
    assert {c for s in statements for c in s.requests} == {
        c for c, k in kinds.items() if k == REQUEST}
    texts = [statement.text for statement in statements]
    assert len(set(texts)) == len(texts), "each statement once"
    harassing = sum(1 for statement in statements if statement.flags)
    assert len(statements) - harassing >= harassing, "as many other lines as harassing ones"


def test_the_frozen_set_does_not_lose_what_the_detector_reached():
    figures = detection.measure(detection.load(detection.SETS["eval"]), RULES)
    for name, floor in FLOORS.items():
        assert figures[name] >= floor, (name, round(figures[name], 3))
    for name, ceiling in CEILINGS.items():
        assert figures[name] <= ceiling, (name, round(figures[name], 3))


def test_the_two_sets_share_no_statement():
    dev, frozen = ({s.text for s in detection.load(path)} for path in detection.SETS.values())
    assert len(dev & frozen) == 0, "remove the shared statements from the development set"
