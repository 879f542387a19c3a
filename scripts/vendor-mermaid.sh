#!/usr/bin/env bash
# Copy the pinned Mermaid build from node_modules into the package (deck/vendor/mermaid/), so an
# installed interview-deck renders diagrams without Node. package.json is the pin; the copy records
# its own version in deck/vendor/mermaid/package.json and tests/e2e/test_packaging.py checks they agree.
# Run after changing the pin: npm install --save-exact mermaid@X && npm ci && scripts/vendor-mermaid.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/mermaid
dest=deck/vendor/mermaid
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$src/package.json")
pinned=$(python3 -c 'import json; print(json.load(open("package.json"))["dependencies"]["mermaid"])')
if [ "$version" != "$pinned" ]; then
  echo "vendor-mermaid: node_modules has mermaid $version, package.json pins $pinned; run npm ci first" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/dist/mermaid.min.js" "$dest/mermaid.min.js"
cp "$src/LICENSE" "$dest/LICENSE"
cat > "$dest/package.json" <<JSON
{
  "name": "mermaid",
  "version": "$version",
  "license": "MIT",
  "description": "dist/mermaid.min.js of the npm package mermaid@$version, vendored by scripts/vendor-mermaid.sh",
  "homepage": "https://github.com/mermaid-js/mermaid"
}
JSON
echo "vendor-mermaid: $dest holds mermaid $version"
