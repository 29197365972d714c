#!/usr/bin/env bash
# Mutation score of the unit tests (a nightly job, not CI): Stryker.NET (dotnet-stryker, pinned in
# dotnet-tools.json) mutates the protocol codec (rig/HilRig.Protocol, with tests/HilRig.Protocol.Tests) and the
# emulated chip's logic and flash (rig/HilRig.Bench Chip/ and Flash/, with tests/HilRig.Bench.Tests), and prints
# each score. Reports land in each test project's StrykerOutput/: markdown (the score per file) and JSON (every
# mutant with its status and place; survivors are the tests to write).
# Every test runs against every mutant (bench/stryker-config.json: coverage-analysis off): with the MTP runner,
# Stryker's per-test coverage missed tests that do kill mutants (FlashLayout's address tests, for one), and scored low.
#   bash bench/mutation.sh            both
#   bash bench/mutation.sh protocol   one of them (protocol | chip)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
run() { # test project, project to mutate, extra arguments
  local tests=$1 project=$2; shift 2
  (cd "tests/$tests" && dotnet stryker --test-runner mtp --project "$project" --reporter progress --reporter markdown --reporter json --concurrency 2 --config-file ../../bench/stryker-config.json "$@") \
    | grep -E "final mutation score|mutants (created|got status)|total mutants" | sed "s/^/$tests: /"
}
case "${1:-all}" in
  protocol|all) run HilRig.Protocol.Tests HilRig.Protocol.csproj ;;&
  chip|all) run HilRig.Bench.Tests HilRig.Bench.csproj --mutate "**/Chip/**/*.cs" --mutate "**/Flash/**/*.cs" ;;
  protocol|chip) ;;
  *) echo "usage: bench/mutation.sh [protocol|chip]" >&2; exit 2 ;;
esac
