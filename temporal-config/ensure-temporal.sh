#!/usr/bin/env bash
# Prints the path of a `temporal` CLI at the pinned version, building it if needed. Order:
#   1. $TEMPORAL_CLI_PATH, if set (must be the pinned server version);
#   2. a `temporal` on PATH at the pinned version;
#   3. the cached build in ${CORDON_CACHE_DIR:-~/.cache/cordon}/temporal-<version>/temporal;
#   4. `go install github.com/temporalio/cli/cmd/temporal@<version>` through the Go module proxy into that cache.
# Idempotent; fast when cached. Progress goes to stderr, the path alone to stdout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache_dir="${CORDON_CACHE_DIR:-$HOME/.cache/cordon}/temporal-$TEMPORAL_CLI_VERSION"
cached="$cache_dir/temporal"

is_pinned() { "$1" --version 2>/dev/null | grep -q "Server $TEMPORAL_SERVER_VERSION"; }

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  if is_pinned "$TEMPORAL_CLI_PATH"; then echo "$TEMPORAL_CLI_PATH"; exit 0; fi
  echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not a temporal CLI with Server $TEMPORAL_SERVER_VERSION; unset it or point it at $TEMPORAL_CLI_VERSION." >&2
  exit 1
fi
if on_path=$(command -v temporal 2>/dev/null) && is_pinned "$on_path"; then echo "$on_path"; exit 0; fi
if [ -x "$cached" ] && is_pinned "$cached"; then echo "$cached"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
Cordon needs the Temporal CLI $TEMPORAL_CLI_VERSION (Temporal server $TEMPORAL_SERVER_VERSION) and could not find it.
Either install Go >= 1.25 (https://go.dev/doc/install) and run this script again, or build it yourself with
  CGO_ENABLED=0 go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION
and set TEMPORAL_CLI_PATH to the binary.
MSG
  exit 1
fi
echo "Building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (first time only, 5-15 minutes)..." >&2
mkdir -p "$cache_dir"
# A pure-Go build (SQLite is modernc.org/sqlite): no C toolchain needed.
if ! (cd "$cache_dir" && CGO_ENABLED=0 GOBIN="$cache_dir" GOFLAGS=-mod=mod \
      go install -ldflags "-s -w" "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2); then
  echo "go install of the Temporal CLI failed (see above). It needs the Go module proxy; check GOPROXY and network." >&2
  exit 1
fi
if ! is_pinned "$cached"; then
  echo "built $cached but it does not report Server $TEMPORAL_SERVER_VERSION" >&2
  exit 1
fi
echo "$cached"
