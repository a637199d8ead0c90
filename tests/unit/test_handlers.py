"""Registering for tel: and callto: links on a freedesktop system."""

import configparser
import subprocess
import sys

from callhelper.handlers import launch_command


def test_register_handlers_writes_a_desktop_file_and_keeps_other_defaults(tmp_path):
    data, config = tmp_path / "share", tmp_path / "config"
    config.mkdir()
    (config / "mimeapps.list").write_text(
        "[Default Applications]\ntext/html=firefox.desktop\n\n[Added Associations]\n"
        "image/png=viewer.desktop;\n", encoding="utf-8")
    env = {"XDG_DATA_HOME": str(data), "XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "callhelper", "register-handlers"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    desktop = (data / "applications" / "callhelper-tel.desktop").read_text(encoding="utf-8")
    assert "MimeType=x-scheme-handler/tel;x-scheme-handler/callto;" in desktop
    assert f"Exec={sys.executable} -m callhelper call incoming %u" in desktop
    defaults = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    defaults.optionxform = str
    defaults.read(config / "mimeapps.list", encoding="utf-8")
    assert defaults["Default Applications"]["x-scheme-handler/tel"] == "callhelper-tel.desktop"
    assert defaults["Default Applications"]["x-scheme-handler/callto"] == \
        "callhelper-tel.desktop"
    assert defaults["Default Applications"]["text/html"] == "firefox.desktop"
    assert defaults["Added Associations"]["image/png"] == "viewer.desktop;"


def test_the_built_program_registers_its_windowed_twin_where_there_is_one(tmp_path, monkeypatch):
    program = tmp_path / "callhelper.exe"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    assert launch_command() == [str(program)]
    (tmp_path / "callhelperw.exe").touch()
    assert launch_command() == [str(tmp_path / "callhelperw.exe")]
