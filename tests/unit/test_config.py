"""Paths follow the overrides; settings survive restarts and bad files."""

import getpass

from callhelper.config import Settings, resolve_paths


def test_paths_come_from_the_environment(app_dirs):
    paths = resolve_paths()
    assert paths.data_dir == app_dirs["data"].resolve()
    assert paths.config_dir == app_dirs["config"].resolve()
    assert paths.database_url == f"sqlite:///{(app_dirs['data'] / 'callhelper.db').resolve()}"
    assert paths.database_file == (app_dirs["data"] / "callhelper.db").resolve()


def test_command_line_beats_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLHELPER_DATABASE_URL", "sqlite:////elsewhere.db")
    paths = resolve_paths(tmp_path / "mine", "sqlite:////given.db")
    assert paths.data_dir == (tmp_path / "mine").resolve()
    assert paths.database_url == "sqlite:////given.db"
    assert resolve_paths().database_url == "sqlite:////elsewhere.db"
    assert resolve_paths().database_file is not None


def test_agent_name_defaults_to_the_login_name(paths):
    settings = Settings.for_paths(paths)
    assert settings.agent_name == getpass.getuser()
    settings.set("agent_name", "佐藤")
    assert Settings.for_paths(paths).agent_name == "佐藤"


def test_a_broken_settings_file_falls_back_to_defaults(paths):
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / "settings.json").write_text("{not json", encoding="utf-8")
    settings = Settings.for_paths(paths)
    assert settings.get("always_on_top") is False
    assert "settings.json" in settings.problem


def test_values_of_the_wrong_type_are_ignored(paths):
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / "settings.json").write_text(
        '{"always_on_top": "yes", "language": "ja", "unknown": 1}', encoding="utf-8")
    settings = Settings.for_paths(paths)
    assert settings.get("always_on_top") is False
    assert settings.get("language") == "ja"


def test_values_of_the_wrong_type_are_named_as_the_problem(paths):
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / "settings.json").write_text(
        '{"cti_port": 0, "backup_keep": "7", "language": "ja"}', encoding="utf-8")
    settings = Settings.for_paths(paths)
    assert "cti_port, backup_keep" in settings.problem
    assert (settings.get("cti_port"), settings.get("backup_keep")) == (8321, 7)


def test_a_file_with_a_problem_is_left_as_it_is_until_the_settings_are_saved(paths):
    paths.config_dir.mkdir(parents=True)
    file = paths.config_dir / "settings.json"
    file.write_text('{"agent_name": "佐藤", "always_on_top": tru', encoding="utf-8")
    settings = Settings.for_paths(paths)
    settings.set("always_on_top", True)
    settings.set("playbook", "delivery")
    assert settings.get("always_on_top") is True, "the change holds while the app runs"
    assert file.read_text(encoding="utf-8") == '{"agent_name": "佐藤", "always_on_top": tru'
    settings.save()
    again = Settings.for_paths(paths)
    assert again.problem is None
    assert (again.get("always_on_top"), again.get("playbook")) == (True, "delivery")
