"""JSON read from files a user can edit is bounded like the socket's and the endpoint's: a
deeply nested file gives way to the defaults instead of stopping the app."""

from callhelper.config import Settings, resolve_paths


def test_deeply_nested_settings_give_way_to_the_defaults(paths):
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / "settings.json").write_text("[" * 60_000, encoding="utf-8")
    assert resolve_paths().database_url == paths.database_url
    settings = Settings.for_paths(paths)
    assert settings.get("cti_port") == 8321
    assert settings.problem.endswith("nested deeper than 32 levels")
