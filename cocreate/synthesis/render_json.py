"""The synthesis as JSON: the builder's dict itself, canonical (sorted keys, UTF-8,
characters as they are), so the same data gives the same bytes. docs/synthesis.md and
docs/synthesis.schema.json describe it."""

import json
from typing import Any

MEDIA_TYPE = "application/json"
EXTENSION = "json"


def render(data: dict[str, Any]) -> bytes:
    """The data as canonical JSON text (UTF-8), ending with a newline."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False)
    return (text + "\n").encode("utf-8")
