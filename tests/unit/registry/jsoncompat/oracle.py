"""The independent test oracle: ``jsonsubschema`` (IBM; set inclusion of JSON Schemas), run in a worker
process with a time limit per case (it is slow on some inputs and may hang).

jsonsubschema validates schemas against the draft-4 metaschema, so pairs are translated to draft 4
(boolean schemas, numeric ``exclusiveMinimum``/``exclusiveMaximum``); pairs using keywords it does not
understand (it silently ignores them, which would make it wrong) are not sent at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import Any

NOT_UNDERSTOOD = frozenset(
    {"pattern", "format", "prefixItems", "dependentRequired", "$anchor", "if", "then", "else",
     "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames"}
)  # fmt: skip

WORKER = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from jsonsubschema import isSubschema
for line in sys.stdin:
    writer, reader = json.loads(line)
    try:
        print(json.dumps({"sub": bool(isSubschema(writer, reader))}), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:200]}"}), flush=True)
"""


class Untranslatable(Exception):
    """The pair uses something jsonsubschema cannot be trusted with."""


def to_draft4(node: Any) -> Any:
    """The same schema in the draft-4 vocabulary jsonsubschema reads."""
    if node is True:
        return {}
    if node is False:
        return {"not": {}}
    if isinstance(node, list):
        return [to_draft4(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    if NOT_UNDERSTOOD.intersection(node):
        raise Untranslatable(sorted(NOT_UNDERSTOOD.intersection(node)))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in SCHEMA_VALUED:
            out[key] = value
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            inclusive = "minimum" if key == "exclusiveMinimum" else "maximum"
            if inclusive in node:
                raise Untranslatable(key)
            out[inclusive], out[key] = value, True
        elif key in ("properties", "patternProperties", "$defs", "definitions"):
            out[key] = {name: to_draft4(schema) for name, schema in value.items()}
        else:
            out[key] = to_draft4(value)
    return out


SCHEMA_VALUED = frozenset(
    {"exclusiveMinimum", "exclusiveMaximum", "properties", "patternProperties", "$defs", "definitions",
     "additionalProperties", "items", "additionalItems", "not", "allOf", "anyOf", "oneOf"}
)  # fmt: skip
"""Keywords whose values hold subschemas (or are translated); every other value is copied as is."""


class Oracle:
    """A jsonsubschema worker; ``is_subschema`` returns True/False, or a string when it failed or timed out."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True,
            )  # fmt: skip
        return self._proc

    def is_subschema(self, writer: Any, reader: Any) -> bool | str:
        try:
            payload = json.dumps([to_draft4(writer), to_draft4(reader)])
        except Untranslatable as exc:
            return f"skipped: {exc}"
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(payload + "\n")
        proc.stdin.flush()
        answer: list[str] = []
        reader_thread = threading.Thread(target=lambda: answer.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader_thread.start()
        reader_thread.join(self.timeout)
        if not answer:
            self.close()
            return f"timeout after {self.timeout}s"
        result = json.loads(answer[0])
        return bool(result["sub"]) if "sub" in result else f"error: {result['error']}"

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()
            self._proc = None
