#!/usr/bin/env bash
# The heavy reliability tests: the crash tests' many-kill variants (SIGKILL of ecomops convert, crawl and
# warehouse copy, and of the dashboard, at seeded random moments), and the concurrency tests.
# ./test.sh runs only the CI variants (3 kills per kind); the heavy ones are skipped there.
#
#   tests/reliability.sh                      10 kills per kind
#   ECOMOPS_CRASH_KILLS=25 tests/reliability.sh
#   ECOMOPS_CRASH_SEED=1234 tests/reliability.sh   replay the kill moments of a failed run (its output prints the seed)
#
# Each kill costs a process start and (part of) a run: about 4-8 s on an idle 2-core machine, so 10 kills per kind
# take some 5-8 minutes in all. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."

export ECOMOPS_HEAVY=1
export ECOMOPS_CRASH_KILLS="${ECOMOPS_CRASH_KILLS:-10}"

dotnet build EcomOps.sln -v q -nologo
start=$(date +%s)
dotnet test EcomOps.Tests --no-build --filter "Category=Heavy|FullyQualifiedName~EcomOps.Tests.Reliability.ConcurrencyTests" \
  --logger "console;verbosity=detailed" "$@"
echo "reliability tests: ${ECOMOPS_CRASH_KILLS} kills per kind, $(( $(date +%s) - start )) s"
