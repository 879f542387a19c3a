# The two commands in README.md: `make deck` and `make test`. Both set up what is missing first.
.PHONY: setup deck test test-fast lint bench preview clean vendor-mermaid

setup:
	@bash scripts/setup.sh

deck: setup
	.venv/bin/deck build

# PYTHONDONTWRITEBYTECODE emptied: Python keeps compiled modules, and pytest its rewritten test
# modules, for the next run and the other worker (a machine that sets it compiled everything twice a run).
test: setup
	.venv/bin/ruff check deck tests bench
	PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest

# Everything but the LibreOffice and Chromium runs (pytest marks; see tests/conftest.py).
test-fast: setup
	.venv/bin/ruff check deck tests bench
	PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest -m "not libreoffice and not browser"

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
