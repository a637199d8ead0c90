"""Registering CallHelper as the handler of tel: and callto: links, for this user only.

A click on such a link (in a CRM, a web page, a softphone's contact list) then runs
``callhelper call incoming <link>``, which shows the caller in the running window.
Linux and other freedesktop systems get a desktop file and an entry in mimeapps.list;
Windows gets the URL protocol keys under HKEY_CURRENT_USER.
"""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
from pathlib import Path

SCHEMES = ("tel", "callto")
DESKTOP_FILE = "callhelper-tel.desktop"
#: The built program without a console on Windows (build.spec): a click on a link must not
#: open a console window beside CallHelper's.
WINDOWED_PROGRAM = "callhelperw.exe"


def launch_command() -> list[str]:
    """How to start this installation: the built program (on Windows the one without a
    console), or this Python with the package."""
    if getattr(sys, "frozen", False):
        windowed = Path(sys.executable).with_name(WINDOWED_PROGRAM)
        return [str(windowed) if windowed.exists() else sys.executable]
    return [sys.executable, "-m", "callhelper"]


def register_handlers() -> list[str]:
    """Register for this user; returns what was done, one line each."""
    if sys.platform == "win32":
        return _register_windows()
    if sys.platform == "darwin":
        raise OSError("on macOS, choose CallHelper for tel: links in the app that opens them "
                      "(see docs/phone-systems.md)")
    return _register_freedesktop()


def _xdg(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / default)


def _register_freedesktop() -> list[str]:
    applications = _xdg("XDG_DATA_HOME", ".local/share") / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    desktop = applications / DESKTOP_FILE
    command = " ".join(shlex.quote(part) for part in launch_command())
    desktop.write_text(
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=CallHelper\n"
        "Comment=Show the caller's history in the CallHelper window\n"
        f"Exec={command} call incoming %u\n"
        f"MimeType={''.join(f'x-scheme-handler/{scheme};' for scheme in SCHEMES)}\n"
        "NoDisplay=true\n"
        "Terminal=false\n", encoding="utf-8")
    done = [f"wrote {desktop}"]
    mimeapps = _xdg("XDG_CONFIG_HOME", ".config") / "mimeapps.list"
    config = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    config.optionxform = str  # keys are MIME types: keep their case
    if mimeapps.exists():
        config.read(mimeapps, encoding="utf-8")
    if not config.has_section("Default Applications"):
        config.add_section("Default Applications")
    for scheme in SCHEMES:
        config.set("Default Applications", f"x-scheme-handler/{scheme}", DESKTOP_FILE)
    mimeapps.parent.mkdir(parents=True, exist_ok=True)
    with mimeapps.open("w", encoding="utf-8") as stream:
        config.write(stream, space_around_delimiters=False)
    done.append(f"set CallHelper as the handler of {', '.join(SCHEMES)} links in {mimeapps}")
    try:
        subprocess.run(["update-desktop-database", str(applications)], check=False,
                       capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pass  # optional: only refreshes a cache
    return done


def _register_windows() -> list[str]:  # pragma: no cover - Windows only
    import winreg

    command = subprocess.list2cmdline(launch_command()) + ' call incoming "%1"'
    done = []
    for scheme in SCHEMES:
        base = rf"Software\Classes\{scheme}"
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, base) as key:
            winreg.SetValueEx(key, "", 0, winreg.REG_SZ, f"URL:{scheme}")
            winreg.SetValueEx(key, "URL Protocol", 0, winreg.REG_SZ, "")
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, base + r"\shell\open\command") as key:
            winreg.SetValueEx(key, "", 0, winreg.REG_SZ, command)
        done.append(rf"registered {scheme}: in HKEY_CURRENT_USER\{base}")
    return done
