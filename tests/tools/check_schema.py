"""Validate topology files against wway's JSON Schema, as an editor would.

    python check_schema.py SCHEMA FILE...

Prints `FILE: ok`, `FILE: invalid: <first error>` or `FILE: unparsable` per file.
"""

import json
import sys

import jsonschema
import yaml


def main() -> None:
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sys.argv[2:]:
        try:
            with open(path) as f:
                # Through JSON, as an editor sees it: mapping keys become strings.
                document = json.loads(json.dumps(yaml.safe_load(f)))
        except yaml.YAMLError:
            print(f"{path}: unparsable")
            continue
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        print(f"{path}: ok" if not errors else f"{path}: invalid: {errors[0].message}")


if __name__ == "__main__":
    main()
