"""Playbooks are read from TOML; a bad file names its file and line."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert catalog.get("p") is not None, "read when first asked for"
    (tmp_path / "mine.toml").write_text(GOOD.replace("target_seconds = 60", "target_seconds ="),
                                        encoding="utf-8")
    errors = catalog.refresh()
    assert len(errors) == 1 and errors[0].line == 14
    assert catalog.get("p").steps[1].target_seconds == 60
    assert catalog.refresh() == errors, "still broken: still named"
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


@pytest.mark.parametrize("broken, words", [
    ('phrasings = 5\n' + GOOD, "phrasings"),
    (GOOD.replace("version = 2", "version = 2\ncall_limit_seconds = true"), "call_limit_seconds"),
    (GOOD.replace("version = 2", "version = 2\nescalation = 5"), "escalation"),
])
def test_values_of_the_wrong_kind_are_named(broken, words):
    with pytest.raises(PlaybookError, match=words):
        parse_playbook(broken, "broken.toml")


RESPONSES = GOOD + """
[responses.harm]
on = ["violence"]
level = "supervisor_now"
title.en = "Safety first"
say.en = ["I will end the call now."]

[responses.abuse]
on = ["insult", "threat"]
level = "warn"
title.en = "Warn"
say.en = ["If this goes on, I will end the call."]
"""


def test_responses_by_type_are_read_most_urgent_first():
    playbook = parse_playbook(RESPONSES)
    assert [r.name for r in playbook.responses_for(["threat", "violence"])] == ["harm", "abuse"]
    assert playbook.responses_for(["sexual"]) == []
    assert playbook.responses_for(["insult"])[0].say.get("ja") == (
        "If this goes on, I will end the call.",)


@pytest.mark.parametrize("change, line, words", [
    (('level = "warn"', 'level = "shout"'), 23,
     "responses.abuse: 'level' must be one of supervisor_now, change_handler, warn, limit, "
     "decline, same_answer, check"),
    (('on = ["insult", "threat"]', 'on = ["insult", "violence"]'), 23,
     "responses.abuse: 'violence' already has a response (responses.harm)"),
    (('on = ["insult", "threat"]', 'on = "insult"'), 23,
     "responses.abuse: 'on' must be a list of flag categories"),
    (('on = ["violence"]', 'on = []'), 17, "responses.harm: 'on' must be a list"),
    (('say.en = ["I will end the call now."]', ''), 17,
     "responses.harm: 'say' must be a table of languages"),
    (('say.en = ["I will end the call now."]', 'say.en = "I will end the call now."'), 17,
     "responses.harm: 'say.en' must be a list of strings"),
    (('title.en = "Warn"', ''), 23, "responses.abuse: 'title' must be a table of languages"),
])
def test_bad_responses_are_refused_with_their_line_and_problem(change, line, words):
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(RESPONSES.replace(*change), "mine.toml")
    assert str(caught.value).startswith(f"mine.toml:{line}: {words}")


def test_the_bundled_playbook_answers_every_flag_type_in_both_languages():
    playbook = load_playbook(resources_dir() / "playbooks" / "complaint.toml")
    flag_types = ["violence", "threat", "insult", "intimidation", "discrimination", "sexual",
                  "kneeling_apology", "written_apology", "money_demand", "restraint", "summon",
                  "individual_employee", "filming_stalking", "authority", "repeat_contact"]
    for flag in flag_types:
        (response,) = playbook.responses_for([flag])
        for language in ("ja", "en"):
            assert response.title.values[language] and response.say.values[language], flag
    assert playbook.responses_for(["violence"])[0].level == "supervisor_now"
    assert playbook.responses_for(["sexual"])[0].level == "change_handler"
    assert playbook.responses_for(["long_call"])[0].level == "limit"
    assert playbook.responses_for(["repeat_calls"])[0].title.get("ja") == \
        "未解決の可能性がある案件です。経緯を確認してください"
    assert playbook.senior.say.values["ja"] and playbook.senior.say.values["en"]
    assert playbook.escalation.not_by_reflex.values["ja"]


COMPLAINT = (resources_dir() / "playbooks" / "complaint.toml").read_text(encoding="utf-8")
VALUES = st.sampled_from(["5", "-1", "0", "true", '"x"', '""', "[]", "[1, 2]", '["a"]', "{}",
                          "{ en = 1 }", "1.5", "1979-05-27", "[{}]", "[[]]", "nan",
                          "9223372036854775807"])
TOP_LEVEL = st.sampled_from(["id", "version", "title", "call_limit_seconds", "steps",
                             "phrasings", "escalation", "responses", "senior"])


@settings(max_examples=400, deadline=None)
@given(base=st.sampled_from([COMPLAINT, GOOD]), data=st.data(),
       added=st.lists(st.tuples(TOP_LEVEL, VALUES), max_size=2))
def test_any_value_of_the_wrong_kind_gives_a_playbook_error_and_nothing_else(base, data, added):
    """A hand-edited playbook is checked, never crashes the reading of the folder."""
    lines = base.splitlines()
    assignments = [number for number, line in enumerate(lines)
                   if "=" in line and not line.lstrip().startswith(("#", "["))]
    for number, value in data.draw(st.lists(st.tuples(st.sampled_from(assignments), VALUES),
                                            max_size=3)):
        lines[number] = lines[number].split("=", 1)[0] + "= " + value
    text = "\n".join([f"{key} = {value}" for key, value in added] + lines)
    try:
        parse_playbook(text, "edited.toml")
    except PlaybookError as error:
        assert str(error).startswith("edited.toml")


def test_the_catalog_reads_its_folders_when_a_playbook_is_first_asked_for(tmp_path):
    catalog = PlaybookCatalog([tmp_path])  # the call window makes it before it shows
    (tmp_path / "mine.toml").write_text(GOOD, encoding="utf-8")
    assert [playbook.id for playbook in catalog.playbooks()] == ["p"]
