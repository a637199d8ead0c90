"""Helpers for the tests of the harassment evidence export."""

import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest

#: Japan's time, UTC+09:00, written so that it needs no time zone database.
JAPAN_TZ = "JST-9"


def pdf_text(path) -> str:
    """The text of a PDF as a reader would copy it out (pdftotext, from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (.ci/system-packages does)")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


@contextmanager
def japan_time():
    """Local time is Japan's inside the block."""
    if not hasattr(time, "tzset"):
        pytest.skip("the local time zone can be set only on POSIX systems")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = JAPAN_TZ
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()
