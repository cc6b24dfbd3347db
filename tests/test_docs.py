"""Documentation stays complete: every adapter and every manifest field is documented (a test fails otherwise)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from reportgen.adapters import adapters
from reportgen.schemas import manifest

DOCS = Path(__file__).resolve().parent.parent / "site_docs"


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, field in model.model_fields.items():
        names.add(field.alias or name)  # as written in YAML (projected.from is from_ in Python)
        for candidate in (*getattr(field.annotation, "__args__", ()), field.annotation):
            inner = getattr(candidate, "__args__", (candidate,))
            for kind in inner:
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    names |= _fields(kind, seen)
    return names


def test_every_adapter_has_a_docs_page_naming_it() -> None:
    """Each registered adapter name appears in a page under site_docs/adapters/, with a selector example."""
    pages = {page: page.read_text() for page in (DOCS / "adapters").glob("*.md")}
    for name in adapters():
        documented = [page for page, text in pages.items() if f"`{name}`" in text or f"({name}" in text or name in text]
        assert documented, f"adapter {name} has no docs page"
        assert any(scheme in pages[documented[0]] for scheme in ("json:", "csv:", "xml:", "query:", "text:")), (
            f"{documented[0]} shows no selector"
        )


def test_every_manifest_field_is_in_the_manifest_guide() -> None:
    """Every field of release.yaml and signoffs.yaml is named in site_docs/guide/manifest.md."""
    guide = (DOCS / "guide/manifest.md").read_text()
    missing = sorted(
        name
        for name in _fields(manifest.Manifest, set()) | _fields(manifest.SignOffs, set())
        if f"`{name}`" not in guide and f"{name}:" not in guide
    )
    assert not missing, f"not documented in guide/manifest.md: {missing}"
