"""Demand detection on a corpus of statements, with its recall and false-positive figures."""

import tomllib
from pathlib import Path

import pytest

from callhelper.config import resources_dir
from callhelper.core.escalation import escalation_reasons
from callhelper.core.flags import RulesError, analyze, load_rules, normalize
from callhelper.core.playbook import load_playbook

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


@pytest.mark.parametrize("flag, asked, text", CORPUS["suspected"])
def test_ambiguous_statements_are_shown_as_a_suspicion_with_their_request(flag, asked, text):
    analysis = analyze(text, RULES)
    assert flag in analysis.flag_categories
    assert not asked or asked in analysis.request_categories


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


@pytest.mark.parametrize("text, requests", [
    ("土下座とか、そういうのは結構ですから早く交換して", ("exchange",)),
    ("謝罪文なんて要らないので、状況だけ教えてほしい", ("explanation",)),
    ("慰謝料だのは言うつもりないです", ()),
])
def test_a_refused_demand_is_not_flagged(text, requests):
    analysis = analyze(text, RULES)
    assert analysis.flags == ()
    assert analysis.request_categories == requests


def test_after_a_refusal_the_same_demand_made_again_is_flagged_where_it_is_made():
    text = "俺への土下座なんていらん、店長が土下座しろ"
    (match,) = analyze(text, RULES).flags
    assert match.category == "kneeling_apology"
    assert match.start == text.rindex("土下座")


@pytest.mark.parametrize("text", [
    "前の係の人に『ネットに書くなら書けば』って言われました",
    "ネットに晒すって言われて怖かったんです",
    "掲示板に書いてあったやり方を試しました",
    "姉が「慰謝料を取れ」ってうるさくて",
])
def test_quoted_or_hearsay_words_are_not_flagged(text):
    assert analyze(text, RULES).flags == ()


def test_the_customer_repeating_their_own_threat_is_still_flagged():
    assert analyze("ネットに晒すって言ってんだろうが", RULES).flag_categories == ("threat",)


@pytest.mark.parametrize("text, flags", [
    ("私がバカだったんです、設定を間違えてました", ()),
    ("俺もアホやったわ、箱捨ててもうて", ()),
    ("あんたがバカなんやろ", ("insult",)),
])
def test_the_customer_calling_themself_names_is_no_insult(text, flags):
    assert analyze(text, RULES).flag_categories == flags


@pytest.mark.parametrize("text, category, span", [
    ("火ぃつけたろか", "violence", "火ぃつけたろ"),
    ("ばーーか", "insult", "ばーーか"),
    ("会社に乗り込んだるからな", "violence", "会社に乗り込ん"),
])
def test_spoken_elongations_and_dialect_endings_are_found(text, category, span):
    flags = analyze(text, RULES).flags
    assert [(m.category, text[m.start:m.end]) for m in flags] == [(category, span)]


def test_a_company_can_add_a_context_that_cancels_matches(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[category]]\nid = "kneeling_apology"\nkind = "flag"\npatterns = ["土下座"]\n'
        '[[context]]\nid = "toy"\nbefore = ["うさぎの"]\n', encoding="utf-8")
    rules = load_rules(path)
    assert analyze("うさぎの土下座スタンプが表示されない", rules).flags == ()
    assert analyze("土下座しろ", rules).flag_categories == ("kneeling_apology",)


@pytest.mark.parametrize("context, message", [
    ('brackets = ["「"]', "two-character"),
    ('categories = ["no_such_category"]', "unknown categories"),
    ('after = ["("]', "bad pattern"),
])
def test_a_broken_context_is_refused(tmp_path, context, message):
    path = tmp_path / "rules.toml"
    path.write_text(f'[[category]]\nid = "x"\nkind = "flag"\npatterns = ["a"]\n'
                    f'[[context]]\n{context}\n', encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules(path)


@pytest.mark.parametrize("text, reason", [
    ("すみません、別の担当の方に代わってもらえますか", "change_handler"),
    ("責任者の方いらっしゃいますか", "superior"),
])
def test_asking_for_another_handler_or_a_superior_suggests_a_senior(text, reason):
    playbook = load_playbook(resources_dir() / "playbooks" / "complaint.toml")
    analysis = analyze(text, RULES)
    assert analysis.flags == ()
    assert escalation_reasons(playbook, 60, analysis.flag_categories,
                              analysis.request_categories) == [reason]


@pytest.mark.parametrize("text, requests", [
    ("謝罪文までは求めてないんで、原因を教えてください", ("explanation",)),
    ("ネットに書くとかそんなんはせえへんけど、ほんまに困ってるんよ", ()),
    ("土下座とか別にええけん、はよ直して", ("repair",)),
    ("口コミに書き込むつもりなんてないですよ", ()),
])
def test_refusals_in_other_words_are_not_flagged(text, requests):
    analysis = analyze(text, RULES)
    assert analysis.flags == ()
    assert analysis.request_categories == requests


def test_a_refusal_of_something_else_keeps_the_flag():
    assert "discrimination" in analyze("ばばあの説明なんかいらんねん", RULES).flag_categories


@pytest.mark.parametrize("text", [
    "毎晩電話するとか言う人もおるんやね、大変やな",
    "土下座させた客が捕まったってニュースで見ました",
    "口コミに「最悪」って書いてる人がいましたよ",
    "このプリンタほんまアホやな、また紙詰まりや",
    "夫の名前と住所を登録し直したいんです",
    "お詫びの手紙が届きました、ありがとうございます",
    "見守りカメラの盗撮防止モードってどこで設定するんですか",
])
def test_hearsay_things_own_details_and_product_features_are_not_flagged(text):
    assert analyze(text, RULES).flags == ()


@pytest.mark.parametrize("text, category", [
    ("窓ガラス割ったろか", "violence"),
    ("裏口でずっと立っとくけんね", "filming_stalking"),
    ("土日も構わず電話させてもらいますから", "repeat_contact"),
    ("おばちゃんやと話にならんわ", "discrimination"),
    ("あいつ辞めさせてくれへんか", "individual_employee"),
])
def test_stems_with_other_endings_are_flagged(text, category):
    assert category in analyze(text, RULES).flag_categories
