#!/bin/sh
# The few system packages the project needs beyond Python itself, checked (and,
# as root on Debian/Ubuntu, installed) before the virtualenv is built:
#   python3-venv  (the venv/ensurepip modules; split out of python3 on Debian)
#   libmagic1     (CKAN's uploader imports python-magic, which loads libmagic)
#   chromium      (the browser tests, tests/browser: Playwright drives the system
#                  Chromium headless). Without root it is only reported: the portal
#                  runs without it, and the browser tests fail saying it is missing.
# PostgreSQL and Redis are NOT needed: make run / make test embed them.
set -eu
python=${1:-python3}
missing=""
"$python" -c "import venv, ensurepip" 2>/dev/null || missing="$missing python3-venv"
if ! ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then missing="$missing libmagic1"; fi
for_tests=""
[ -x "${KHTOURISM_CHROMIUM:-/usr/bin/chromium}" ] || for_tests="$for_tests chromium"
[ -z "$missing$for_tests" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages:$missing$for_tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing $for_tests
elif [ -n "$missing" ]; then
    echo "missing system packages:$missing$for_tests" >&2
    echo "install them first, e.g.: sudo apt-get install$missing$for_tests" >&2
    exit 1
else
    echo "note: the browser tests need Chromium: sudo apt-get install$for_tests" >&2
fi
