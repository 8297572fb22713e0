#!/usr/bin/env bash
# Regenerates the OCSF class JSON Schemas the export tests validate against (export/ocsf.test.ts), offline,
# from the OCSF schema that the PyPI package `ocsf-json-schema` ships (Draft 2020-12, objects embedded,
# no profiles). Development time only: nothing at run time reads these files.
#   bash export/ocsf-schemas/generate.sh            # needs python3 (>= 3.10) and PyPI
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="1.8.0"
venv="${TMPDIR:-/tmp}/cordon-ocsf-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q 'ocsf-json-schema==1.2.0'
"$venv/bin/python" - "$here" "$version" <<'PY'
import json, sys
from ocsf_json_schema import get_ocsf_schema, OcsfJsonSchemaEmbedded
out, version = sys.argv[1], sys.argv[2]
schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=version))
# The classes Cordon exports (docs/evidence-export.md).
for uid in (2003, 2004, 2005, 3001, 6003, 7001):
    name = schema.lookup_class_name_from_uid(class_uid=uid)
    with open(f"{out}/{uid}-{name}.json", "w") as f:
        json.dump(schema.get_class_schema(class_name=name, profiles=[]), f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"{uid} {name}")
PY
