"""Runs the breaking-change guard's table of schema edits (tests/test_schema_guard.py) through the PyPI checkers
and prints each one's verdicts against the table's: the evidence behind keeping the project's own guard.

    python3 -m venv /tmp/checkers && /tmp/checkers/bin/pip install api-schema-diff==1.0.4 jsonschema-diff==0.1.11
    .venv/bin/python scripts/evaluate_schema_checkers.py /tmp/checkers/bin
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_schema_guard as guard

# Each checker's command line; exit 1 means "breaking" (api-schema-diff) or "different" (jsonschema-diff).
CHECKERS = {"api-schema-diff": ["api-schema-diff"], "jsonschema-diff": ["jsonschema-diff", "--no-color", "--exit-code"]}


def main(bin_folder: str) -> None:
    right = dict.fromkeys(CHECKERS, 0)
    for name, (change, must_break, _) in guard.EDITS.items():
        base = guard.day_open if name == "additionalProperties tightened" else guard.day
        released, current = guard.edit(change, base)
        verdicts = []
        with tempfile.TemporaryDirectory() as folder:
            old, new = Path(folder, "old.json"), Path(folder, "new.json")
            old.write_text(json.dumps(released))
            new.write_text(json.dumps(current))
            for checker, command in CHECKERS.items():
                ran = subprocess.run(
                    [f"{bin_folder}/{command[0]}", *command[1:], str(old), str(new)], capture_output=True
                )
                breaks = ran.returncode == 1
                right[checker] += breaks == must_break
                verdicts.append(f"{checker}={'breaks' if breaks else 'passes'}")
        print(f"{name:<45} must {'break' if must_break else 'pass':<6} {'  '.join(verdicts)}")
    for checker, count in right.items():
        print(f"{checker}: {count} of {len(guard.EDITS)} verdicts right")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(sys.executable).parent))
