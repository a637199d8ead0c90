"""The demand model (core/model.py) and how the detector weighs it against the patterns
(core/flags.py): the shipped model is the one trained on the development statements, and a
small model written here shows each rule of the combination on statements a user could type."""

import logging
from pathlib import Path

import pytest

from callhelper.config import resources_dir
from callhelper.core.flags import RulesError, analyze, load_rules, normalize
from callhelper.core.model import CategoryModel, fingerprint, load_model, ngrams

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_rules(resources_dir() / "rules" / "demands.toml")


def test_the_shipped_model_is_the_one_trained_on_the_development_statements():
    """Adding statements to the development set without `make model` fails here."""
    model = SHIPPED.model.model()
    dev = ROOT / "tests" / "data" / "demands_dev.tsv"
    assert model.trained_on == f"demands_dev.tsv {fingerprint(dev)}", \
        "the development statements changed since the model was trained: run `make model`"
    assert model.categories == tuple(category.id for category in SHIPPED.categories)


def test_the_shipped_detector_reads_dialect_threats_and_leaves_the_traps_alone():
    for threat in ("会社に乗り込むぞ", "火ぃつけたろか", "家族がどうなってもええんか",
                   "覚えとけよ", "なめとんのかコラ", "切ったらあかんで", "女じゃ話にならん",
                   "手ぇついて謝らんかい", "ＳＮＳで名前出したるからな", "毎日電話したるからな"):
        assert analyze(threat, SHIPPED).flags, threat
    for ordinary in ("土下座なんてしなくていいから早く直して", "慰謝料とかそういうのはいらないです",
                     "店員さんに『どうなっても知らないよ』って言われた", "箱の中にゴミが入ってました",
                     "日光に晒してたら色が抜けた", "返品先の住所を教えてください",
                     "折り返しの電話待ってるからね", "自分がバカだったのかも"):
        assert not analyze(ordinary, SHIPPED).flags, ordinary


STATEMENTS = ["ねっとにさらすぞ", "ねっとにあげたる", "返金してほしい",
              "返金しないとさらすぞ", "ばかやろう", "このばかな機械", "てすと"]
CATEGORIES = ("threat", "insult", "refund")


def small_model(weights: dict[str, dict[str, float]], bias: float = -3.0) -> CategoryModel:
    """A model that knows every n-gram of STATEMENTS, with the given weights and no others."""
    grams = {gram for statement in STATEMENTS for gram in ngrams(normalize(statement)[0])}
    rows = {gram: {CATEGORIES.index(category): weight
                   for category, weight in weights.get(gram, {}).items()} for gram in grams}
    return CategoryModel.of(CATEGORIES, rows, dict.fromkeys(grams, 1.0),
                            (bias,) * len(CATEGORIES), "test")


RULES_TEXT = """
[model]
file = "model.bin"
alone = 0.5
veto = 0.2
also = 0.8

[[category]]
id = "threat"
kind = "flag"
label.ja = "晒す発言"
label.en = "Exposure"
patterns = ["さらす(ぞ|けん)"]

[[category]]
id = "insult"
kind = "flag"
label.ja = "暴言"
label.en = "Abuse"
patterns = ["ばか"]
{insult_extra}

[[category]]
id = "refund"
kind = "request"
label.ja = "返金"
label.en = "Refund"
patterns = ["返金"]

[[context]]
id = "about_a_thing"
categories = ["insult"]
after = ["な機械"]
"""


def rules_with(folder: Path, model: CategoryModel, insult_extra: str = ""):
    (folder / "model.bin").write_bytes(model.to_bytes())
    path = folder / "demands.toml"
    path.write_text(RULES_TEXT.replace("{insult_extra}", insult_extra), encoding="utf-8")
    return load_rules(path)


def test_the_model_alone_flags_a_new_way_of_saying_it_and_points_at_the_words(tmp_path):
    rules = rules_with(tmp_path, small_model({"ねっと": {"threat": 30.0}}))
    statement = "ネットにあげたる"  # no pattern knows it, the model does
    analysis = analyze(statement, rules)
    assert analysis.flag_categories == ("threat",)
    match = analysis.flags[0]
    assert statement[match.start:match.end] == "ネット"


def test_a_pattern_the_model_finds_unlikely_is_dropped_unless_its_entry_is_trusted(tmp_path):
    model = small_model({"ばか": {"insult": -8.0}})
    assert analyze("ばかやろう", rules_with(tmp_path, model)).flags == ()
    trusted = '[[category.entry]]\npatterns = ["ばかやろう"]\ntrusted = true'
    assert analyze("ばかやろう", rules_with(tmp_path, model, trusted)).flag_categories == \
        ("insult",)


def test_words_a_context_cancelled_are_not_flagged_on_the_models_word(tmp_path):
    rules = rules_with(tmp_path, small_model({"ばか": {"insult": 30.0}}))
    assert analyze("このばかな機械", rules).flags == ()
    assert analyze("ばかやろう", rules).flag_categories == ("insult",)


def test_no_flag_from_the_model_alone_when_the_statement_reads_more_as_a_request(tmp_path):
    rules = rules_with(tmp_path, small_model({"ほしい": {"threat": 25.0, "refund": 35.0}}))
    analysis = analyze("返金してほしい", rules)
    assert analysis.request_categories == ("refund",) and analysis.flags == ()


def test_a_second_flag_beside_a_patterns_needs_a_surer_model(tmp_path):
    rules = rules_with(tmp_path, small_model({"さらす": {"threat": 40.0, "insult": 23.0},
                                              "返金": {"refund": 30.0}}))
    analysis = analyze("返金しないとさらすぞ", rules)
    assert analysis.flag_categories == ("threat",)
    assert analysis.request_categories == ("refund",)


def test_statements_the_model_knows_too_little_of_are_left_to_the_patterns(tmp_path):
    rules = rules_with(tmp_path, small_model({"ばか": {"insult": -8.0}}))
    assert analyze("ばか you are such an idiot", rules).flag_categories == ("insult",)


def test_a_damaged_model_leaves_the_patterns_to_decide_and_says_so(tmp_path, caplog):
    rules = rules_with(tmp_path, small_model({"ばか": {"insult": -8.0}}))
    (tmp_path / "model.bin").write_bytes(b"CallHelper demand model\n{not json")
    with caplog.at_level(logging.WARNING):
        analysis = analyze("ばかやろう", rules)
    assert analysis.flag_categories == ("insult",)
    assert "the demand model is not used" in caplog.text and "model.bin" in caplog.text


def test_the_stored_model_reads_back_the_same(tmp_path):
    model = small_model({"さらす": {"threat": 6.0}, "返金": {"refund": 4.0}})
    (tmp_path / "model.bin").write_bytes(model.to_bytes())
    again = load_model(tmp_path / "model.bin")
    for statement in STATEMENTS:
        normal = normalize(statement)[0]
        assert again.opinion(normal) == model.opinion(normal)


@pytest.mark.parametrize("table, problem", [
    ('[model]\nalone = 0.5', "needs a 'file'"),
    ('[model]\nfile = "m.bin"\nveto = 2', "numbers from 0 to 1"),
    ('[model]\nfile = "m.bin"\nalso = true', "numbers from 0 to 1"),
])
def test_a_bad_model_table_is_refused_when_the_rules_load(tmp_path, table, problem):
    path = tmp_path / "demands.toml"
    path.write_text(table + '\n[[category]]\nid = "x"\nkind = "flag"\npatterns = ["x"]\n',
                    encoding="utf-8")
    with pytest.raises(RulesError, match=problem):
        load_rules(path)


def test_a_model_replaced_on_disk_is_read_again(tmp_path):
    rules = rules_with(tmp_path, small_model({"ねっと": {"threat": 30.0}}))
    statement = "ネットにあげたる"
    assert analyze(statement, rules).flag_categories == ("threat",)
    assert analyze(statement, rules).flag_categories == ("threat",)  # the one read kept
    replaced = tmp_path / "replaced.bin"
    replaced.write_bytes(small_model({}).to_bytes())
    replaced.replace(tmp_path / "model.bin")
    assert analyze(statement, rules).flag_categories == ()
