#!/usr/bin/env bash
# The long fuzz run: every property test (*.fuzz.test.ts) with AUDITWATCH_FUZZ_SCALE (default 50) times
# the cases of the short pass in `npm test`. Each test prints "fuzz: N cases"; a failure prints
# fast-check's seed and path, and AUDITWATCH_FUZZ_SEED=<seed> replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
export AUDITWATCH_FUZZ_SCALE="${AUDITWATCH_FUZZ_SCALE:-50}"
mapfile -t files < <(find dist -name '*.fuzz.test.js' | sort)
exec node --test --test-concurrency=2 --enable-source-maps --test-timeout=7200000 "${files[@]}"
