"""The Japanese the agent reads keeps to one vocabulary (docs/demands.md, "Words"): the agent
is オペレーター throughout, the superior 上司 or SV, the company's own staff get no honorific,
and a flag is a suspicion (カスハラの疑い, 要注意発言), never a verdict or 不当要求, which
names demands only."""

import re
import tomllib
import xml.etree.ElementTree as ElementTree

from callhelper.config import resources_dir

#: Words for the agent or the superior that the vocabulary replaced, and verdicts.
NOT_USED = ("担当", "対応者", "記録者", "監督者", "上司の方", "判定", "不当要求")


def japanese_texts():
    """Every translation of the window and every Japanese text of the playbooks and of the
    rules' labels, with where it comes from."""
    tree = ElementTree.parse(resources_dir() / "i18n" / "callhelper_ja.ts")
    for message in tree.iter("message"):
        yield message.findtext("source"), message.findtext("translation") or ""
    for path in sorted((resources_dir() / "playbooks").glob("*.toml")):
        yield from _ja_strings(path.name, tomllib.loads(path.read_text(encoding="utf-8")))
    rules = tomllib.loads((resources_dir() / "rules" / "demands.toml").read_text("utf-8"))
    for category in rules["category"]:
        yield category["id"], category["label"]["ja"]


def _ja_strings(where, value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "ja" and isinstance(inner, str):
                yield where, inner
            else:
                yield from _ja_strings(f"{where}.{key}", inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _ja_strings(f"{where}[{index}]", inner)


def test_the_japanese_keeps_one_word_for_the_agent_and_no_verdict():
    found = [(where, text) for where, text in japanese_texts()
             if any(word in text for word in NOT_USED)]
    assert found == []


def test_a_flag_is_shown_as_a_suspicion_until_confirmed():
    texts = dict(japanese_texts())
    assert "カスハラの疑い" in texts["suspected harassment"]
    labels = [text for where, text in japanese_texts() if where in {
        "violence", "threat", "insult", "money_demand", "kneeling_apology", "written_apology"}]
    assert not [label for label in labels if re.search("恐喝|脅迫|侮辱罪|強要", label)]
