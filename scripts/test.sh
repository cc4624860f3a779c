#!/usr/bin/env bash
# The whole test suite: installs the system packages the tests need when missing (Debian's chromium for
# the report and dashboard tests), builds, and runs every *.test.js under dist/ with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
rm -rf dist
npx tsc -p tsconfig.json
npx tsc -p src/web/app/tsconfig.json
node dist/web/build.js
exec node --test --test-concurrency=2 --enable-source-maps --test-timeout=600000 dist/
