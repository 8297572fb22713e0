#!/usr/bin/env bash
# The `cordon` package bin: runs cli/cordon.ts with the project's own tsx and Node 24.
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
PATH="$here/../node_modules/.bin:$PATH" exec "$here/../node_modules/.bin/tsx" "$here/cordon.ts" "$@"
