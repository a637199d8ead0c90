"""Demand detection on a corpus of statements, with its recall and false-positive figures."""

import tomllib
from pathlib import Path

import pytest

from callhelper.config import resources_dir
from callhelper.core.flags import RulesError, analyze, load_rules, normalize

CORPUS = tomllib.loads((Path(__file__).parents[1] / "data" / "demands_corpus.toml")
                       .read_text(encoding="utf-8"))
RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def test_recall_on_flagged_statements_is_at_least_95_percent():
    missed = [(category, text) for category, text in CORPUS["flagged"]
              if category not in analyze(text, RULES).flag_categories]
    recall = 1 - len(missed) / len(CORPUS["flagged"])
    print(f"flag recall {recall:.1%} over {len(CORPUS['flagged'])} statements; missed: {missed}")
    assert recall >= 0.95, missed


def test_no_plain_statement_is_flagged_or_taken_for_a_request():
    wrong = [(text, analyze(text, RULES)) for text in CORPUS["plain"]]
    false_positives = [(text, a.flag_categories, a.request_categories) for text, a in wrong
                       if a.flags or a.requests]
    print(f"false positives: {len(false_positives)} of {len(CORPUS['plain'])}")
    assert false_positives == []


@pytest.mark.parametrize("category, text", CORPUS["requests"])
def test_requests_are_found_and_never_shown_as_harassment(category, text):
    analysis = analyze(text, RULES)
    assert category in analysis.request_categories
    assert analysis.flags == ()


def test_every_category_has_labels_in_both_languages():
    for category in RULES.categories:
        assert category.label.values.get("ja") and category.label.values.get("en"), category.id


def test_spans_point_into_the_original_text():
    text = "いいから ｿｰｼｬﾙ… いや SNS に 晒 す ぞ"
    (match,) = analyze(text, RULES).flags
    assert match.category == "threat"
    assert text[match.start:match.end] == "晒 す"


def test_bring_it_here_is_not_a_visit():
    assert "visit" not in analyze("商品券くらい持ってこい", RULES).request_categories


def test_the_stored_text_has_card_numbers_masked_and_flags_still_found():
    analysis = analyze("4111 1111 1111 1111 のカードで払った金を返せ、土下座しろ", RULES)
    assert analysis.text.startswith("**** **** **** 1111")
    assert analysis.masked_cards == 1
    assert analysis.flag_categories == ("kneeling_apology",)
    assert analysis.request_categories == ("refund",)


def test_normalize_unifies_widths_kana_and_spaces():
    assert normalize("ﾄﾞ ｹﾞ ｻﾞ")[0] == "どげざ"
    assert normalize("ＳＮＳ　に")[0] == "snsに"
    assert normalize("a ｶﾞb") == ("aがb", [0, 2, 4], [1, 4, 5])


@pytest.mark.parametrize("text, span", [
    ("ﾄﾞｹﾞｻﾞしろ", "ﾄﾞｹﾞｻﾞ"),
    ("ｱﾞｱﾞ土下座しろ", "土下座"),
    ("ア\u3099土下座", "土下座"),
    ("ｱﾞ", None),
])
def test_voiced_marks_that_do_not_combine_keep_the_spans_right(text, span):
    flags = analyze(text, RULES).flags
    if span is None:
        assert flags == ()
    else:
        assert [text[m.start:m.end] for m in flags] == [span]


def test_a_broken_rules_file_is_refused(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[category]]\nid = "x"\nkind = "flag"\npatterns = ["("]\n', encoding="utf-8")
    with pytest.raises(RulesError, match="bad pattern"):
        load_rules(path)
    path.write_text('[[category]]\nid = "x"\nkind = "maybe"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="kind"):
        load_rules(path)


@pytest.mark.parametrize("text, flags, requests", [
    ("I want a refund, or I'll post this online", ("threat",), ("refund",)),
    ("You useless idiot", ("insult",), ()),
    ("Put me through to your manager", (), ("superior",)),
    ("It stopped working after a week", (), ()),
])
def test_common_english_statements(text, flags, requests):
    analysis = analyze(text, RULES)
    assert (analysis.flag_categories, analysis.request_categories) == (flags, requests)
