"""claims.json: the machine-readable account of one release page, and the site-wide index of releases.

A versioned, documented document (``reportgen schema --claims`` prints its JSON Schema): which
generator wrote it, which manifest and artifacts it rests on (paths, SHA-256, sizes, adapters), the
evidence digest and how it is computed, and one claim per figure on the page. ``reportgen verify``
reads it back; scripts can too. Pure: page models in, models out.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from reportgen import __version__
from reportgen.digest import DIGEST_METHOD
from reportgen.project import MANIFEST
from reportgen.raw_copies import raw_copy
from reportgen.schemas.manifest import Projection
from reportgen.schemas.page import ReleasePage
from reportgen.schemas.report import Evidence, Provenance, RelativeResult, ReleaseResult, TargetResult

#: Bumped when a field changes meaning or disappears; new optional fields keep the version.
SCHEMA_VERSION: Literal[1] = 1
#: Where the built site keeps its release pages (``site_docs/releases/`` → ``site/releases/``).
RELEASES = "releases"
INDEX = "index.json"
CLAIMS = "claims.json"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Generator(_Model):
    name: Literal["reportgen"] = "reportgen"
    version: str = Field(description="The reportgen version that wrote the file.")


class _Copied(_Model):
    """A release file with a copy in the site: ``compressed`` says how that copy is stored, when not as is."""

    compressed: Literal["gzip"] | None = Field(
        None,
        description="gzip when the copy is the original gzip-compressed (large files); sha256 and size stay the "
        "original's. Absent for a copy of the bytes as they are.",
    )

    @model_serializer(mode="wrap")
    def _compact(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None or k != "compressed"}


class ManifestEntry(_Copied):
    path: str = Field(description="The manifest, relative to the repository root (results/<release>/release.yaml).")
    raw_copy: str = Field(description="Its unchanged copy inside the site, relative to the site root.")
    sha256: str


class DigestEntry(_Model):
    value: str = Field(description="sha256:<hex>, what a sign-off signs.")
    method: str = Field(description="How the value is computed, in words.")


class ArtifactEntry(_Copied):
    path: str = Field(description="Relative to the repository root.")
    release_path: str = Field(description="Relative to the release folder, as release.yaml and selectors name it.")
    raw_copy: str = Field(description="The unchanged copy inside the site, relative to the site root.")
    sha256: str
    size: int = Field(description="Bytes.")
    adapter: str = Field(description="The adapter that read it (re-run by `reportgen verify`).")
    adapter_version: str
    scenario: str | None = None


class AttachmentEntry(_Copied):
    """A document that is evidence but not a measurement: hashed, linked and verified, never read for numbers."""

    path: str = Field(description="Relative to the repository root.")
    release_path: str
    raw_copy: str = Field(description="Relative to the site root.")
    sha256: str
    size: int
    title: str


class Derivation(_Model):
    expression: str
    inputs: list[str]


class RelativeClaim(_Model):
    """How a relative target's value stands against the baseline's (the comparison row of its metric)."""

    rule: str = Field(description='The rule in words, e.g. "at least 20 % below v1.1.0\'s".')
    baseline: str | None = Field(description="The baseline release; null when the manifest names none.")
    baseline_value: float | None = Field(description="The baseline's value, in the claim's unit.")
    baseline_provenance: Provenance | None = None
    change: float | None = Field(default=None, description="This release's value minus the baseline's.")
    low: float | None = Field(default=None, description="95 % interval of the change (bootstrap), low end.")
    high: float | None = None
    noise: str = Field(description="improved, regressed, no significant change or not tested for noise.")
    method: str | None = None


class Claim(_Model):
    """One figure on the release page. Optional members are left out when they do not apply."""

    id: str = Field(description="The figure's anchor on the evidence page.")
    label: str
    value: float | None = Field(description="In ``unit``; null when missing.")
    unit: str
    text: str = Field(description="The value as the page shows it.")
    provenance: Provenance
    verdict: str | None = Field(default=None, description="Only for target figures.")
    threshold: str | None = None
    severity: str | None = None
    reason: str | None = None
    interval: list[float] | None = Field(
        default=None, description="The value's own 95 % interval from raw samples (target figures), [low, high]."
    )
    marginal: bool | None = Field(
        default=None, description="Present (true) when the interval straddles the bound: the verdict is the rule's."
    )
    relative: RelativeClaim | None = None
    evidence: Evidence | None = None
    projection: Projection | None = None
    derived: Derivation | None = None
    note: str | None = None

    @model_serializer(mode="wrap")
    def _compact(self, handler: Any) -> dict[str, Any]:
        # Members that do not apply are absent, but a missing value stays an explicit null.
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None or k == "value"}


class SignOffEntry(_Model):
    role: str
    name: str
    decision: str
    date: str
    state: str = Field(description="current, stale (with what changed), or not bound to evidence.")
    signature: str = Field(description="verified (by whom), bad signature, unverifiable (why), or not signed.")


class ReleaseEntry(_Model):
    id: str
    title: str
    date: str
    status: str
    baseline: str | None
    verdict: str
    counts: dict[str, int]


class ClaimsDocument(_Model):
    """``releases/<release>/claims.json`` in the built site."""

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: Generator
    release: ReleaseEntry
    page: str = Field(description="The release page, relative to the site root.")
    manifest: ManifestEntry
    evidence_digest: DigestEntry
    artifacts: list[ArtifactEntry]
    attachments: list[AttachmentEntry] = Field(default_factory=list)
    signoffs: list[SignOffEntry] = Field(default_factory=list)
    claims: list[Claim]


class IndexEntry(_Model):
    id: str
    title: str
    date: str
    status: str
    verdict: str
    counts: dict[str, int]
    evidence_digest: str
    claims: str = Field(description="Its claims.json, relative to the site root.")
    page: str


class SiteIndex(_Model):
    """``releases/index.json`` in the built site: every release, newest first."""

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: Generator
    releases: list[IndexEntry]


def _in_site(release: str, relative: str) -> str:
    return f"{RELEASES}/{release}/{relative}"


def _located(release: str, path: str, size: int) -> dict[str, Any]:
    """The three names of a release file (from the repository root, in the release folder, in the site) and how
    its copy is stored."""
    copy = raw_copy(path, size)
    return {
        "path": f"results/{release}/{path}",
        "release_path": path,
        "raw_copy": _in_site(release, copy.name),
        "compressed": copy.compressed,
    }


def _relative(found: RelativeResult | None) -> RelativeClaim | None:
    if found is None:
        return None
    row = found.comparison
    return RelativeClaim(
        rule=found.rule,
        baseline=found.baseline,
        baseline_value=row.baseline if row else None,
        baseline_provenance=found.baseline_provenance,
        change=row.delta if row else None,
        low=row.low if row else None,
        high=row.high if row else None,
        noise=row.change if row else "n/a",
        method=row.method if row else None,
    )


def _claims(page: ReleasePage, results: list[TargetResult]) -> list[Claim]:
    verdicts = {t.figure.id: t for t in page.targets}
    judged = {t.figure.id: r for t, r in zip(page.targets, results, strict=True)}
    items: list[Claim] = []
    for figure in page.figures:
        target = verdicts.get(figure.id)
        result = judged.get(figure.id)
        items.append(
            Claim(
                id=figure.id,
                label=figure.label,
                value=figure.value,
                unit=figure.unit,
                text=figure.text,
                provenance=figure.provenance,
                verdict=target.verdict if target else None,
                threshold=target.threshold if target else None,
                severity=target.severity if target else None,
                reason=target.reason if target else None,
                interval=[result.low, result.high]
                if result and result.low is not None and result.high is not None
                else None,
                marginal=True if result and result.marginal else None,
                relative=_relative(result.relative) if result else None,
                evidence=figure.evidence,
                projection=figure.projection,
                derived=Derivation(expression=figure.expression, inputs=figure.inputs) if figure.expression else None,
                note=figure.note or None,
            )
        )
    return items


def claims_document(result: ReleaseResult, page: ReleasePage) -> ClaimsDocument:
    """Everything an auditor needs to re-derive the page from the raw copies beside it."""
    release = result.id
    return ClaimsDocument(
        generator=Generator(version=__version__),
        release=ReleaseEntry(
            id=release,
            title=page.title,
            date=page.date,
            status=page.status,
            baseline=page.baseline,
            verdict=page.verdict,
            counts=page.counts,
        ),
        page=_in_site(release, ""),
        manifest=ManifestEntry(
            path=f"results/{release}/{MANIFEST}",
            raw_copy=_in_site(release, raw_copy(MANIFEST).name),
            sha256=result.manifest_sha256,
        ),
        evidence_digest=DigestEntry(value=result.evidence_digest, method=DIGEST_METHOD),
        artifacts=[
            ArtifactEntry(
                **_located(release, a.path, a.size),
                sha256=a.sha256,
                size=a.size,
                adapter=a.extraction.adapter,
                adapter_version=a.extraction.adapter_version,
                scenario=a.scenario,
            )
            for a in result.artifacts
        ],
        attachments=[
            AttachmentEntry(
                **_located(release, a.path, a.size),
                sha256=a.sha256,
                size=a.size,
                title=a.title,
            )
            for a in result.attachments
        ],
        signoffs=[
            SignOffEntry(
                role=s.role, name=s.name, decision=s.decision, date=s.date, state=s.state, signature=s.signature
            )
            for s in page.signoffs
        ],
        claims=_claims(page, result.targets),
    )


def index_entry(d: ClaimsDocument) -> IndexEntry:
    """What releases/index.json lists of a release."""
    return IndexEntry(
        id=d.release.id,
        title=d.release.title,
        date=d.release.date,
        status=d.release.status,
        verdict=d.release.verdict,
        counts=d.release.counts,
        evidence_digest=d.evidence_digest.value,
        claims=_in_site(d.release.id, CLAIMS),
        page=d.page,
    )


def site_index(entries: list[IndexEntry]) -> SiteIndex:
    """One entry per release, in the order given (the build's: newest first)."""
    return SiteIndex(generator=Generator(version=__version__), releases=entries)


def to_json(model: BaseModel) -> bytes:
    """Stable bytes: sorted keys, two-space indent, UTF-8, one trailing newline. A lone surrogate read from an
    artifact (JSON may hold one) stays the ``\\udXXX`` escape JSON has for it instead of failing to encode."""
    text = json.dumps(model.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode(errors="backslashreplace")


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
