"""The built program (build.spec), run as a user would: from its folder, without the project's
Python or virtualenv, in a bare environment.

Building takes a minute or two, so it happens once for this module, into a temporary folder
(never the developer's dist/). `make test PYTEST_ARGS="-m 'not bundle'"` leaves it out.
"""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from callhelper import __version__
from callhelper.store.engine import MIGRATIONS_DIR, Store, head_revision
from callhelper.store.evidence import case_evidence
from evidence_checks import capture_cases, pdf_text
from processes import bare_environment, schema_ready, wait_for

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "callhelper.exe" if sys.platform == "win32" else "callhelper"
#: What the one-folder build may weigh; it was 152 MB on Linux when this was written.
SIZE_BUDGET_MB = 200


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """dist/callhelper/ built from build.spec, as `make dist` builds it."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed: `make test` installs it "
                    "(pip install -e '.[test,dist]')")
    work = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
         str(ROOT / "build.spec")],
        cwd=work, env=dict(os.environ, PYTHONHASHSEED="0"), capture_output=True, text=True,
        timeout=1200)
    assert result.returncode == 0, f"PyInstaller failed:\n{result.stderr[-5000:]}"
    folder = work / "dist" / "callhelper"
    assert (folder / PROGRAM).is_file(), f"no {PROGRAM} in {folder}"
    return folder


@pytest.fixture
def home(tmp_path):
    """A home of its own, with the settings and logs folders inside it; the settings folder
    private, as the app makes it (doctor names one that others may read)."""
    (tmp_path / "config").mkdir(mode=0o700)
    return tmp_path


def run(bundle: Path, home: Path, *args: str, check: bool = True):
    result = subprocess.run([str(bundle / PROGRAM), *args], cwd=home, env=bare_environment(home),
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    if check:
        assert result.returncode == 0, (f"callhelper {' '.join(args)} exited with "
                                        f"{result.returncode}:\n{result.stderr}")
    return result


def inside(bundle: Path) -> Path:
    """The folder beside the program that holds everything else (sys._MEIPASS)."""
    return bundle / "_internal"


def test_the_bundle_holds_resources_translations_and_migrations(bundle):
    internal = inside(bundle)
    expected = [path.relative_to(ROOT) for path in [
        *(ROOT / "resources" / "playbooks").glob("*.toml"),
        *(ROOT / "resources" / "rules").glob("*.toml"),
        *(path.with_suffix(".qm") for path in (ROOT / "resources" / "i18n").glob("*.ts")),
        MIGRATIONS_DIR / "env.py", *MIGRATIONS_DIR.glob("versions/*.py")]]
    missing = [str(path) for path in expected if not (internal / path).is_file()]
    assert not missing, f"not in the bundle: {missing}"
    assert (internal / "PySide6" / "Qt" / "translations" / "qtbase_ja.qm").is_file(), \
        "Qt's own Japanese translation is missing"


def bundled_modules(bundle: Path) -> set[str]:
    """The Python modules inside the program's archive."""
    listing = subprocess.run(
        [sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "--recursive",
         "--brief", str(bundle / PROGRAM)], capture_output=True, text=True, check=True,
        timeout=120).stdout
    return {line.strip() for line in listing.splitlines() if line.startswith(" ")}


def test_the_bundle_leaves_out_what_the_app_does_not_use(bundle):
    unwanted = sorted(module for module in bundled_modules(bundle)
                      if module.split(".")[0] in {"PyQt5", "PyQt6", "PySide2", "tkinter",
                                                  "_tkinter", "pytest", "_pytest", "pytestqt",
                                                  "hypothesis", "pygments"})
    assert not unwanted, f"the bundle carries modules the app does not use: {unwanted[:20]}"
    internal = inside(bundle)
    qt_modules = {path.name.split(".")[0] for path in (internal / "PySide6").glob("Qt*")
                  if path.suffix in (".so", ".pyd")}
    assert qt_modules == {"QtCore", "QtGui", "QtWidgets", "QtNetwork"}
    qml = sorted(path.name for path in internal.rglob("*Qt6Q[mu]*"))
    assert not qml, f"the bundle carries Qt's QML libraries: {qml}"
    files = [path for path in bundle.rglob("*") if path.is_file() and not path.is_symlink()]
    size_mb = sum(path.stat().st_size for path in files) / 1e6
    biggest = sorted(((path.stat().st_size // 1_000_000, path.name) for path in files),
                     reverse=True)[:10]
    assert size_mb < SIZE_BUDGET_MB, \
        f"the bundle weighs {size_mb:.0f} MB, over {SIZE_BUDGET_MB} MB; biggest (MB): {biggest}"


def test_the_built_program_prints_its_version(bundle, home):
    assert run(bundle, home, "--version").stdout.strip() == f"CallHelper {__version__}"


def test_the_built_program_fills_backs_up_and_checks_a_database(bundle, home):
    data = home / "data"
    run(bundle, home, "--data-dir", str(data), "demo", "--cases", "3")
    assert schema_ready(data / "callhelper.db") == (head_revision(),), \
        "the database lacks the latest schema: are the migrations in the bundle?"
    run(bundle, home, "--data-dir", str(data), "backup")
    doctor = run(bundle, home, "--data-dir", str(data), "doctor", check=False)
    assert doctor.returncode == 0, \
        f"callhelper doctor found problems in the built program:\n{doctor.stdout}{doctor.stderr}"
    assert "土下座" in run(bundle, home, "analyze", "土下座して謝れ").stdout, \
        "the demand rules (resources/rules) did not flag a demanded kneeling apology"


def test_the_built_program_exports_an_excel_workbook_in_japanese(bundle, home):
    data = home / "data"
    run(bundle, home, "--data-dir", str(data), "demo", "--cases", "3")
    out = home / "notes.xlsx"
    run(bundle, home, "--data-dir", str(data), "export", "--out", str(out), "--language", "ja")
    with zipfile.ZipFile(out) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<t>案件番号</t>" in sheet and "<t>お客様の発言</t>" in sheet, \
        "the workbook lacks the Japanese headers and labels"


def test_the_built_program_writes_a_pdf_with_qt(bundle, home):
    data = home / "data"
    run(bundle, home, "--data-dir", str(data), "demo", "--cases", "3")
    store = Store(f"sqlite:///{(data / 'callhelper.db').as_posix()}")
    with store.unit_of_work() as session:
        cases = [case_evidence(session, case_id) for case_id in range(1, 4)]
    store.close()
    flagged = [case for case in cases if case.statements]
    assert flagged, "the demo data has no flagged statement to report"
    report = home / "evidence.pdf"
    run(bundle, home, "--data-dir", str(data), "evidence", str(flagged[0].case_id),
        "--out", str(report))
    statement = flagged[0].statements[0].note.text
    assert "".join(statement.split()) in "".join(pdf_text(report).split()), \
        f"the PDF report lacks the flagged statement {statement!r}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop links only")
def test_links_open_the_built_program(bundle, home):
    run(bundle, home, "register-handlers")
    desktop = home / ".local" / "share" / "applications" / "callhelper-tel.desktop"
    assert f"Exec={bundle / PROGRAM} call incoming %u" in desktop.read_text(encoding="utf-8")


def test_the_built_window_opens_its_database_and_closes_cleanly_on_sigterm(bundle, home):
    database = home / "data" / "callhelper.db"
    (home / "config" / "settings.json").write_text('{"language": "ja"}', encoding="utf-8")
    window = subprocess.Popen([str(bundle / PROGRAM), "--data-dir", str(database.parent)],
                              cwd=home, env=bare_environment(home), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        wait_for(lambda: schema_ready(database) == (head_revision(),)
                 or window.poll() is not None, timeout=60)
        running = window.poll() is None
        window.send_signal(signal.SIGTERM)
        errors = window.communicate(timeout=30)[1]
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
    assert running, f"the window quit at once with {window.returncode}:\n{errors}"
    assert schema_ready(database) == (head_revision(),), \
        "the window created no database with the latest schema within 60 s (are the " \
        f"migrations, callhelper/store/migrations, in the bundle?):\n{errors}"
    assert window.returncode == 0, \
        f"the window exited with {window.returncode} on SIGTERM:\n{errors}"
    assert "no translation" not in errors and "Traceback" not in errors, errors
    written = sorted(str(path) for path in inside(bundle).rglob("__pycache__"))
    assert not written, f"running wrote into the program's folder: {written}"


@pytest.mark.postgresql
def test_the_built_program_reaches_a_team_server(bundle, home, postgres_url, clock):
    """Team mode's driver (psycopg with its libpq) is in the bundle: the built program finds
    a caller's cases on the server."""
    capture_cases(postgres_url, clock)
    result = run(bundle, home, "--database-url", postgres_url, "cases", "--number",
                 "03-1234-5678", "--json")
    assert len(json.loads(result.stdout)) == 2
