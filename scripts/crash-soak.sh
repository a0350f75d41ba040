#!/usr/bin/env bash
# Crash soak: the crash-safety test (test/storage/crash.test.ts) with many more SIGKILL
# trials than CI runs. Usage: scripts/crash-soak.sh [trials, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
QUIVER_CRASH_TRIALS="${1:-200}" npx vitest run test/storage/crash.test.ts
