"""Playbooks are read from TOML; a bad file names its file and line."""

import pytest

from callhelper.config import resources_dir
from callhelper.core.playbook import PlaybookCatalog, PlaybookError, load_playbook, parse_playbook

GOOD = """\
id = "p"
version = 2
title.en = "P"
title.ja = "ピー"

[[steps]]
id = "one"
target_seconds = 30
title.en = "One"
say.en = ["Hello"]

[[steps]]
id = "two"
target_seconds = 60
title.en = "Two"
"""


def test_bundled_complaint_playbook_follows_the_complaint_flow():
    playbook = load_playbook(resources_dir() / "playbooks" / "complaint.toml")
    assert playbook.id == "complaint"
    assert [step.id for step in playbook.steps] == [
        "limited-apology", "listen", "facts-impact", "contact-preferences", "supervisor",
        "solution", "apology-thanks"]
    for step in playbook.steps:
        assert step.target_seconds > 0
        assert step.title.get("ja") and step.title.get("en")
        assert step.say.get("ja") and step.say.get("en")
        assert step.why.get("ja") and step.why.get("en")
    assert "ご不便をおかけしております。申し訳ございません。" in playbook.steps[0].say.get("ja")
    honorific = [p for p in playbook.phrasings if p.ng.get("ja") == "ご対応させていただきます"]
    assert honorific and honorific[0].better.get("ja") == "対応いたします"
    assert playbook.escalation.on_flags and "superior" in playbook.escalation.on_requests
    assert playbook.escalation.after_seconds and playbook.call_limit_seconds


def test_language_falls_back_to_english():
    playbook = parse_playbook(GOOD)
    assert playbook.version == 2
    assert playbook.steps[0].title.get("ja") == "One"
    assert playbook.title.get("ja") == "ピー"
    assert playbook.steps[0].say.get("en") == ("Hello",)
    assert playbook.steps[1].say.get("en") == ""


@pytest.mark.parametrize("broken, line, words", [
    (GOOD.replace('target_seconds = 60', 'target_seconds = "soon"'), 12, "target_seconds"),
    (GOOD.replace('id = "two"', 'id = "one"'), 12, "used twice"),
    (GOOD.replace('title.en = "Two"', 'title = "Two"'), 12, "table of languages"),
    (GOOD.replace('version = 2', 'version = 0'), 2, "version"),
    (GOOD.replace('target_seconds = 30', 'target_seconds = = 30'), 8, "not valid TOML"),
])
def test_malformed_playbook_names_file_line_and_problem(tmp_path, broken, line, words):
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert caught.value.source == str(path)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert f"broken.toml:{line}:" in str(caught.value)


def test_playbook_without_steps_is_rejected():
    with pytest.raises(PlaybookError, match="at least one"):
        parse_playbook('id = "p"\nversion = 1\ntitle.en = "P"\n')


def test_catalog_lets_users_add_and_override_playbooks(tmp_path):
    bundled = resources_dir() / "playbooks"
    user = tmp_path / "playbooks"
    user.mkdir()
    catalog = PlaybookCatalog([bundled, user])
    assert [p.id for p in catalog.playbooks()] == ["complaint"]
    (user / "mine.toml").write_text(GOOD, encoding="utf-8")
    (user / "complaint.toml").write_text(GOOD.replace('id = "p"', 'id = "complaint"'),
                                         encoding="utf-8")
    assert catalog.refresh() == []
    assert [p.id for p in catalog.playbooks()] == ["complaint", "p"]
    assert catalog.get("complaint").version == 2


def test_a_broken_edit_keeps_the_last_good_playbook(tmp_path):
    (tmp_path / "mine.toml").write_text(GOOD, encoding="utf-8")
    catalog = PlaybookCatalog([tmp_path])
    (tmp_path / "mine.toml").write_text(GOOD.replace("target_seconds = 60", "target_seconds ="),
                                        encoding="utf-8")
    errors = catalog.refresh()
    assert len(errors) == 1 and errors[0].line == 14
    assert catalog.get("p").steps[1].target_seconds == 60
    (tmp_path / "mine.toml").unlink()
    assert catalog.refresh() == [] and catalog.playbooks() == []


def test_phrasings_and_escalation_rules_are_read():
    text = GOOD + """
[[phrasings]]
ng.ja = "ご対応させていただきます"
better.ja = "対応いたします"
steps = ["two"]

[escalation]
after_seconds = 600
on_requests = ["superior", "visit"]
repeat_calls = 3
"""
    playbook = parse_playbook(text)
    assert playbook.phrasings_for("one") == []
    (phrasing,) = playbook.phrasings_for("two")
    assert phrasing.better.get("ja") == "対応いたします"
    assert playbook.escalation.after_seconds == 600
    assert playbook.escalation.on_requests == ("superior", "visit")
    assert playbook.escalation.repeat_days == 30
    with pytest.raises(PlaybookError, match="no step three") as caught:
        parse_playbook(text.replace('steps = ["two"]', 'steps = ["three"]'))
    assert caught.value.line == 17
    with pytest.raises(PlaybookError, match="after_seconds") as caught:
        parse_playbook(text.replace("after_seconds = 600", "after_seconds = -1"))
    assert caught.value.line == 22
