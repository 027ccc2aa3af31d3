#!/usr/bin/env bash
# The dashboard's load test (issue 13): publishes the dashboard in Release, builds the load generator in Release,
# and runs it. Defaults: 50 circuit sessions for 3 minutes, 2 Chromium tabs measuring beside them.
# Extra arguments go to the load command, for example:
#   bench/load.sh --sessions 20 --duration 90s --browsers 0
# Needs Chromium for the browser tabs (ECOMOPS_CHROMIUM or /usr/bin/chromium; ./test.sh installs it), or --browsers 0.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet publish EcomOps.Web -c Release --nologo -v quiet
dotnet build bench/EcomOps.LoadTest -c Release --nologo -v quiet
exec dotnet bench/EcomOps.LoadTest/bin/Release/net10.0/EcomOps.LoadTest.dll load "$@"
