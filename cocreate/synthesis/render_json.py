"""The synthesis as JSON: the builder's dict itself, canonical (sorted keys, UTF-8,
characters as they are, no spaces), so the same data gives the same bytes.
docs/synthesis.md and docs/synthesis.schema.json describe it.

Compact on purpose: Python's C encoder works only without indentation, and indenting
a 100,000-vote archive took 2.5 s instead of 0.3 s (bench/synthesis/run.py). Any JSON
viewer (or `python -m json.tool`) indents it for reading."""

import json
from typing import Any

MEDIA_TYPE = "application/json"
EXTENSION = "json"


def render(data: dict[str, Any]) -> bytes:
    """The data as canonical JSON text (UTF-8), ending with a newline."""
    text = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return (text + "\n").encode("utf-8")
