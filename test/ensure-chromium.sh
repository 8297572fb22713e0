#!/usr/bin/env bash
# Makes sure the headless browser of the HTML report test (test/e2e/drill.test.ts) is at /usr/bin/chromium,
# where that test looks for it. Like temporal-config/ensure-temporal.sh, `npm test` runs it first: the README's
# test command then passes on a fresh machine. Order:
#   1. /usr/bin/chromium present: nothing to do;
#   2. running as root on Debian/Ubuntu: install Debian's `chromium` package with apt-get (no browser download
#      from elsewhere; playwright-core only drives it);
#   3. otherwise: say what to run, and fail before the suite starts rather than in the middle of it.
# Idempotent; fast when installed. Progress goes to stderr.
set -euo pipefail
browser=/usr/bin/chromium

if [ -x "$browser" ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the HTML report test (first time only)..." >&2
  if apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 && [ -x "$browser" ]; then
    exit 0
  fi
  echo "apt-get install chromium failed (see above): check the apt sources and the network, then run npm test again." >&2
  exit 1
fi

if command -v apt-get >/dev/null 2>&1; then
  how="  sudo apt-get update && sudo apt-get install -y chromium"
else
  how="  install Chromium with your system's package manager and make it available as $browser (a symlink is enough)"
fi
cat >&2 <<MSG
The HTML report test (test/e2e/drill.test.ts) needs headless Chromium at $browser, and it is not there.
This script installs it only when run as root on a Debian-based system. Install it yourself:
$how
then run npm test again.
MSG
exit 1
