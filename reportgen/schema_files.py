"""``reportgen schema``: the JSON Schemas of what users write (release.yaml, signoffs.yaml) and of what reportgen
writes (``check --json``, claims.json, releases/index.json), for editors and for consumers."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from reportgen.claims import ClaimsDocument, SiteIndex, json_schema
from reportgen.errors import ProjectError
from reportgen.outputs import guard_output_file, is_json_schema
from reportgen.project import Project, find_project
from reportgen.schemas.check import CheckRelease
from reportgen.schemas.manifest import Manifest, SignOffs
from reportgen.write import write_file

_MODELS: dict[str, type[BaseModel]] = {
    "manifest": Manifest,
    "signoffs": SignOffs,
    "claims": ClaimsDocument,
    "index": SiteIndex,
}


def schema_text(kind: str) -> str:
    """The schema of ``kind`` (manifest, signoffs, check, claims or index) as stable JSON text."""
    if kind == "check":
        schema = TypeAdapter(list[CheckRelease]).json_schema()
        schema["title"] = "reportgen check --json"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    else:
        schema = json_schema(_MODELS[kind])
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schema(kind: str, output: Path, start: Path) -> None:
    """Write the schema to ``output``, refusing to replace a file that is not a JSON Schema (or one of the
    project's own files when ``start`` is inside a report repository)."""
    try:
        project: Project | None = find_project(start)
    except ProjectError:
        project = None  # outside a report repository only the file itself is checked
    target = guard_output_file(project, output, what="JSON Schema", ours=is_json_schema)
    write_file(target, schema_text(kind).encode())
