#!/usr/bin/env bash
# Set up everything the project needs, skipping what is already there:
# Debian packages (when root), node_modules (npm ci) and .venv (editable + test extras).
# Emoji: fonts-symbola, monochrome, which LibreOffice draws into PDFs; a colour bitmap font
# (fonts-noto-color-emoji) draws nothing there, and fontconfig would prefer it: leave it out.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(fonts-noto-cjk fonts-dejavu-core fonts-symbola fontconfig libreoffice-impress poppler-utils chromium)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  fi
fi

if command -v npm >/dev/null; then
  if [ ! -f node_modules/mermaid/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: npm ci (mermaid)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
else
  echo "setup: npm not found; diagrams come from the committed cache (deck/diagram-cache) or the Mermaid copy in deck/vendor" >&2
fi

if [ ! -x .venv/bin/deck ] || [ pyproject.toml -nt .venv/.installed ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  touch .venv/.installed
fi
