# Quick start: `make run` opens the call window, `make test` runs the whole suite.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TS_FILES := resources/i18n/callhelper_ja.ts
QM_FILES := $(TS_FILES:.ts=.qm)
SOURCES := $(shell find callhelper/ui callhelper/app -name '*.py')

.PHONY: run test test-fast bench dist i18n translations model screenshots clean

run: $(INSTALLED) i18n
	bash .ci/system-packages --desktop
	$(BIN)/callhelper

test: $(INSTALLED) i18n
	bash .ci/system-packages --test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The unit and GUI tests only, on two processes (pytest-xdist): under two minutes here, for
# the edit-test loop. `make test` stays the whole suite (integration, desktop, bundle, wheel).
test-fast: $(INSTALLED) i18n
	bash .ci/system-packages --test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2 tests/unit tests/gui $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dist]"
	touch $@

# The benchmark of the project's targets (docs/benchmarks.md): `make bench SIZES=10k` for a
# quick look; the demo databases are kept in benchmarks/.cache/.
SIZES ?= 10k 100k 1m
BENCH_ARGS ?=

bench: $(INSTALLED) i18n
	bash .ci/system-packages
	$(BIN)/python benchmarks/bench.py --sizes $(SIZES) $(BENCH_ARGS)

# The one-folder build in dist/callhelper/ (build.spec, docs/install.md). The tests build it
# too, into a temporary folder. A fixed hash seed keeps builds of the same sources alike.
dist: $(INSTALLED) i18n
	PYTHONHASHSEED=0 $(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec
	dist/callhelper/callhelper --version
	du -sh dist/callhelper

# The demand model (docs/demands.md), trained again from the development statements: after
# adding statements to tests/data/demands_dev.tsv or a category to the rules. Needs the
# `train` extra (scikit-learn), which the app never imports.
model: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[train]"
	$(BIN)/python -m callhelper.core.model tests/data/demands_dev.tsv \
		resources/rules/demands.toml resources/rules/demands-model.bin

# Compiled translations (.qm) are built from the .ts sources, never edited, and committed
# with them, as the wheel carries them (tests/unit/test_compiled_translations.py).
i18n: $(QM_FILES)

resources/i18n/%.qm: resources/i18n/%.ts $(INSTALLED)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

# After changing user-visible strings: refresh the .ts sources, then translate them.
translations: $(INSTALLED)
	$(BIN)/pyside6-lupdate -no-obsolete -locations none $(SOURCES) -ts $(TS_FILES)

# The README's screenshots, from the real window (needs a Japanese font).
screenshots: $(INSTALLED) i18n
	bash .ci/system-packages
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/make_screenshots.py docs

clean:
	rm -rf $(VENV) build dist
