#!/usr/bin/env bash
# Runs every EcomOps test. Installs what the tests need first, so a fresh machine with the
# .NET 10 SDK needs nothing else:
#   - Debian's Chromium, for the Playwright browser tests (skipped when ECOMOPS_CHROMIUM names one).
#   - Node.js/npm (Debian's, if missing) and s3rver (npm, tools/s3rver), the S3-compatible server the
#     S3 object store tests start on 127.0.0.1.
#   - Python 3 (Debian's, if missing), which compile-checks the Glue job's script, etl/glue/csv_to_parquet.py.
# Extra arguments go to 'dotnet test' (for example: ./test.sh --filter FullyQualifiedName~Generation).
set -euo pipefail
cd "$(dirname "$0")"

chromium="${ECOMOPS_CHROMIUM:-/usr/bin/chromium}"
apt_packages=()
[ -x "$chromium" ] || apt_packages+=(chromium)
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || apt_packages+=(python3)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "The tests need ${apt_packages[*]}: install them (or set ECOMOPS_CHROMIUM to a Chromium binary), then run ./test.sh again." >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing ${apt_packages[*]} for the browser and S3 tests (apt-get)..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

if [ ! -d tools/s3rver/node_modules ]; then
  echo "Installing s3rver for the S3 tests (npm ci in tools/s3rver)..."
  npm ci --prefix tools/s3rver --no-audit --no-fund --loglevel=error >/dev/null
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test EcomOps.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Repeat each failure (name, message and the top of its stack) at the end, where a CI log's tail shows it.
awk '/^  Failed / { n = 0; show = 1; print "----"; } show && n < 40 { print; n++ } /^  (Passed|Skipped) / { show = 0 }' "$log" \
  | grep -v "^  Passed \|^  Skipped " || true

# One plain closing line with the totals (dotnet test prints one summary per test assembly).
awk '/^ *Passed: [0-9]+ *$/ { p += $2 } /^ *Failed: [0-9]+ *$/ { f += $2 } /^ *Skipped: [0-9]+ *$/ { s += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
