"""The layers of the code (docs/architecture.md, "Layers"), read from the imports of every
module without running it: each layer imports only the layers below it, and the modules a
softphone runs on every call (the ring path) and the ones the call window needs to show
load neither Qt nor the storage stack.

An import counts wherever it is written: at the top of a module, inside a function (loaded
later, but still a dependency), and under ``if TYPE_CHECKING:`` (for annotations only, but
still a statement of which layer knows which).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "callhelper"

#: The layers from the bottom up. A module belongs to the layer of the longest prefix its
#: name starts with (``callhelper`` itself, which holds the version, is in "base").
LAYERS = {
    "core": ("callhelper.core",),
    "base": ("callhelper.locations", "callhelper.files", "callhelper.urls",
             "callhelper.config", "callhelper.channel", "callhelper.handlers", "callhelper"),
    "store": ("callhelper.store",),
    "app": ("callhelper.app",),
    "ui": ("callhelper.ui",),
    "top": ("callhelper.cli", "callhelper.launcher", "callhelper.__main__",
            "callhelper.doctor"),
}
#: What each layer may import of ours. Everything may import its own layer; "top" (the
#: command line and its entry point) may import anything.
ALLOWED = {
    "core": {"core"},
    "base": {"core", "base"},
    "store": {"core", "base", "store"},
    "app": {"core", "base", "store", "app"},
    "ui": {"core", "base", "store", "app", "ui"},
    "top": set(LAYERS),
}
#: Deliberate exceptions: (importing module, imported module) → why.
EXCEPTIONS: dict[tuple[str, str], str] = {}

QT = ("PySide6", "shiboken6")
STORAGE = ("sqlalchemy", "sqlmodel", "alembic")
#: Third-party packages a layer must not import at all.
FORBIDDEN_LIBRARIES = {"core": QT + STORAGE, "base": QT + ("sqlmodel", "alembic"),
                       "store": QT}
#: The demand rules and their model: compiled on a thread of their own once the window shows.
RULES = ("callhelper.core.flags", "callhelper.core.model")
#: What a softphone's ``callhelper NUMBER`` runs before it hands the number over.
RING_PATH = ("callhelper.launcher", "callhelper.channel", "callhelper.core.wire")
#: What ``callhelper`` imports to show the call window, before the store's worker starts.
WINDOW = ("callhelper.ui.start", "callhelper.ui.call_window")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    name: str  # the module it imports (for ``from x import y``: x.y when that is a module)
    line: int
    where: str  # "module", "function" or "typing" (under TYPE_CHECKING)

    def __str__(self) -> str:
        kind = {"module": "", "function": " inside a function",
                "typing": " under TYPE_CHECKING"}[self.where]
        return f"{self.module} (line {self.line}) imports {self.name}{kind}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolved(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
    return base


def imports_of(module: str) -> list[Import]:
    """Every import statement of ``module``, with where it is written."""
    path = MODULES[module]
    found: list[Import] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for statement in child.body:
                    visit_one(statement, "typing")
                for statement in child.orelse:
                    visit_one(statement, where)
                continue
            inner = "function" if where == "module" and isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else where
            visit_one(child, inner)

    def visit_one(node: ast.AST, where: str) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(module, alias.name, node.lineno, where) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolved(module, node, path.name == "__init__.py")
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.append(Import(module, name if name in MODULES else base, node.lineno,
                                    where))
        visit(node, where)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), "module")
    return found


def layer_of(module: str) -> str:
    """The layer of the longest prefix ``module`` starts with."""
    matches = [(len(prefix), layer) for layer, prefixes in LAYERS.items()
               for prefix in prefixes if within(module, (prefix,))]
    if not matches:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/unit/"
                             "test_layers.py")
    return max(matches)[1]


def ours(name: str) -> bool:
    return name == "callhelper" or name.startswith("callhelper.")


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def loaded_at_import(start: tuple[str, ...]) -> dict[str, Import | None]:
    """The modules loaded by importing ``start``: their imports at module level, followed
    (with the packages above each), each with the import that first brought it in."""
    loaded: dict[str, Import | None] = {}
    waiting: list[tuple[str, Import | None]] = [(name, None) for name in start]
    while waiting:
        name, by = waiting.pop()
        if name in loaded:
            continue
        loaded[name] = by
        parts = name.split(".")
        waiting.extend((".".join(parts[:end]), by) for end in range(1, len(parts)))
        if name in MODULES:
            waiting.extend((found.name, found) for found in imports_of(name)
                           if found.where == "module")
    return loaded


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_the_layers_below_it(module):
    layer = layer_of(module)
    wrong = [f"{found} (in {layer_of(found.name)})" for found in imports_of(module)
             if ours(found.name) and layer_of(found.name) not in ALLOWED[layer]
             and (module, found.name) not in EXCEPTIONS]
    assert not wrong, (f"{module} is in {layer}, which may import only "
                       f"{', '.join(sorted(ALLOWED[layer]))}: " + "; ".join(wrong))


@pytest.mark.parametrize("module", sorted(name for name in MODULES
                                          if layer_of(name) in FORBIDDEN_LIBRARIES))
def test_the_lower_layers_use_neither_qt_nor_more_of_the_storage_stack_than_theirs(module):
    forbidden = FORBIDDEN_LIBRARIES[layer_of(module)]
    wrong = [str(found) for found in imports_of(module) if within(found.name, forbidden)]
    assert not wrong, f"{layer_of(module)} must not import {', '.join(forbidden)}: " + \
        "; ".join(wrong)


def test_the_settings_load_no_database_library_when_imported():
    """config.py reads URLs with SQLAlchemy's parser, loaded only when a URL is read."""
    loaded = loaded_at_import(("callhelper.config",))
    wrong = [f"{name} (by {by})" for name, by in loaded.items() if within(name, STORAGE)]
    assert not wrong, "; ".join(wrong)


@pytest.mark.parametrize("module", sorted(name for name in MODULES
                                          if layer_of(name) == "app"))
def test_the_app_layer_builds_no_widget_and_loads_the_store_only_when_used(module):
    """app/ holds services without widgets (the QApplication is the one object of QtWidgets
    it makes), and the window imports it before the store's worker has loaded the storage
    stack: the store is imported inside the functions that use it, or for types only."""
    found = imports_of(module)
    widgets = [str(each) for each in found if within(each.name, ("PySide6.QtWidgets",))
               and each.where != "typing" and not _only_application(module, each)]
    assert not widgets, "app/ builds no widgets (they belong in ui/): " + "; ".join(widgets)
    early = [str(each) for each in found if each.where == "module"
             and within(each.name, STORAGE + ("callhelper.store",))]
    assert not early, ("app/ loads the storage stack at module level, before the window "
                       "shows: import it inside the function that uses it; " + "; ".join(early))


def _only_application(module: str, found: Import) -> bool:
    """Whether the import of PySide6.QtWidgets at ``found`` takes QApplication alone."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return any(isinstance(node, ast.ImportFrom) and node.lineno == found.line
               and [alias.name for alias in node.names] == ["QApplication"]
               for node in ast.walk(tree))


def test_the_ring_path_loads_neither_qt_nor_the_storage_stack_nor_the_rules():
    """``callhelper NUMBER`` with a window running only writes a line to a local socket."""
    loaded = loaded_at_import(RING_PATH)
    wrong = [f"{name}, brought in by {by}" for name, by in loaded.items()
             if within(name, QT + STORAGE + RULES + ("callhelper.store", "callhelper.app",
                                                       "callhelper.ui", "callhelper.config"))]
    assert not wrong, "the ring path must stay lean: " + "; ".join(wrong)


def test_the_call_window_shows_without_the_storage_stack():
    """Window first (docs/architecture.md): what the call window's modules import at their
    top holds no SQLAlchemy, SQLModel or store module; those load on the store's worker, and
    the demand rules and their model on a thread of their own (core/rules_loading.py)."""
    loaded = loaded_at_import(WINDOW)
    wrong = [f"{name}, brought in by {by}" for name, by in loaded.items()
             if within(name, STORAGE + RULES + ("callhelper.store", "phonenumbers"))]
    assert not wrong, "the call window would wait for the storage stack: " + "; ".join(wrong)


def test_an_upward_import_is_named_with_its_module_and_line(tmp_path, monkeypatch):
    """The test's own check: a store module importing the ui is caught and named."""
    monkeypatch.setitem(MODULES, "callhelper.store.__layers_probe__", tmp_path / "probe.py")
    (tmp_path / "probe.py").write_text("def later():\n    from callhelper.ui import models\n",
                                       encoding="utf-8")
    with pytest.raises(AssertionError, match=r"callhelper\.store\.__layers_probe__ \(line 2\) "
                       r"imports callhelper\.ui\.models inside a function"):
        test_a_module_imports_only_the_layers_below_it("callhelper.store.__layers_probe__")
