# The two commands in README.md: `make deck` and `make test`. Both set up what is missing first.
.PHONY: setup deck test test-fast test-sweep lint bench preview clean vendor-mermaid

setup:
	@bash scripts/setup.sh

deck: setup
	.venv/bin/deck build

# PYTHONDONTWRITEBYTECODE emptied: Python keeps compiled modules, and pytest its rewritten test
# modules, for the next run and the other worker (a machine that sets it compiled everything twice a run).
# `test` leaves out the sweeps (pytest mark `sweep`: a check run on samples here, on the whole of a
# large input in `test-sweep`); CI (.ci/run) runs both. Plain `pytest` runs everything.
test: setup
	.venv/bin/ruff check deck tests bench
	PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest -m "not sweep"

# Everything but the LibreOffice and Chromium runs (pytest marks; see tests/conftest.py).
test-fast: setup
	.venv/bin/ruff check deck tests bench
	PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest -m "not libreoffice and not browser and not sweep"

# The sweeps alone: the bundled study deck, handout and scorecard whole in LibreOffice and
# openxml-audit, four more corpus templates (and yahei.pptx's checks), the 100 corpus flowcharts
# against Mermaid's own drawing, and the property tests with all their examples (`make test` runs a
# fifth: tests/conftest.py examples()).
test-sweep: setup
	DECK_SWEEP=1 PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest -m "sweep or hypothesis"

bench: setup
	@command -v pandoc >/dev/null || { apt-get update -qq && apt-get install -y -qq pandoc >/dev/null; }
	.venv/bin/python bench/bench_build.py
	.venv/bin/python bench/bench_diagrams.py

preview: deck
	.venv/bin/deck preview build/study.pptx --limit 30 -o build/study-contact.png

# After changing the Mermaid pin in package.json: copy that build into the package (deck/vendor/mermaid).
vendor-mermaid: setup
	bash scripts/vendor-mermaid.sh

clean:
	rm -rf build
