"""``reportgen verify``: does every figure of a built site follow from the raw files it links to?

From a built site alone: hash every raw copy, re-run the analysis (the adapters named in claims.json,
derived values, guards, verdicts) on the copies of the manifest and artifacts kept in the site, and
compare the result with claims.json and with the figures the release pages print. From a checkout:
the same, and then recompute every release from ``results/`` and compare that with the site too, so
a manifest or artifact changed after the build shows. Every difference is a :class:`Mismatch`;
unreadable input is an error.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from reportgen import named_files, write
from reportgen.analyse import analyse, analyse_release
from reportgen.assemble import release_page
from reportgen.claims import CLAIMS, INDEX, RELEASES, ClaimsDocument, SiteIndex, claims_document
from reportgen.errors import InputError, Position, ProjectError, ReportgenError
from reportgen.input_cache import hash_file
from reportgen.project import MANIFEST, Project, find_project
from reportgen.raw_copies import original

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Mismatch:
    """One thing that does not follow: what kind, about what, and both sides."""

    release: str
    kind: str  # "artifact changed", "artifact missing", "value changed", "verdict changed", "page figure differs", …
    subject: str
    expected: str = ""
    actual: str = ""

    def __str__(self) -> str:
        text = f"{self.release}: {self.kind}: {self.subject}"
        if self.expected or self.actual:
            text += f": expected {self.expected or '—'}, actual {self.actual or '—'}"
        return text


@dataclass
class Verification:
    """What was checked and what did not match; ``ok`` only when nothing differs."""

    site: Path
    releases: list[str] = field(default_factory=list)
    files_hashed: int = 0
    claims_compared: int = 0
    figures_compared: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _read_model(path: Path, model: type[Model], what: str) -> Model:
    try:
        return model.model_validate_json(named_files.read_bytes(path))
    except named_files.NotAFileError as exc:
        raise InputError(exc.position, f"{what} {exc.reason}") from None
    except OSError as exc:
        raise InputError(Position(path), f"cannot read {what}: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(t) for t in first["loc"])
        raise InputError(
            Position(path), f"not a reportgen {what} (`reportgen schema` describes it): {where}: {first['msg']}"
        ) from None


def is_site(path: Path) -> bool:
    # exists(), not is_file(): an index that is a folder or a FIFO is then refused by name when read.
    return (path / RELEASES / INDEX).exists()


def verify(path: Path, site_dir: Path | None = None) -> Verification:
    """Verify a built site (``path`` holds ``releases/index.json``) or a checkout and its built site."""
    if not path.exists():
        raise ProjectError(f"{path}: no such folder; name a built site folder or a report repository")
    if site_dir is None and is_site(path):
        return verify_site(path)
    try:
        project = find_project(path)
    except ProjectError:
        raise ProjectError(
            f"{path}: neither a built site (no {RELEASES}/{INDEX}) nor a report repository; "
            "name a site folder or run inside a checkout"
        ) from None
    return verify_checkout(project, site_dir or project.site)


def verify_site(site: Path) -> Verification:
    """Everything the site alone can prove: raw copies, recomputation from them, claims.json and pages agree."""
    index = _read_model(site / RELEASES / INDEX, SiteIndex, "site index")
    report = Verification(site=site)
    known = [entry.id for entry in index.releases]
    documents = _documents(site, index)
    for entry in index.releases:
        report.releases.append(entry.id)
        claims_path = site / entry.claims
        if not claims_path.is_file():
            report.mismatches.append(Mismatch(entry.id, "claims.json missing", entry.claims))
            continue
        document = _read_model(claims_path, ClaimsDocument, "claims.json")
        if (entry.verdict, entry.evidence_digest) != (document.release.verdict, document.evidence_digest.value):
            report.mismatches.append(
                Mismatch(
                    entry.id,
                    "index disagrees with claims.json",
                    f"{RELEASES}/{INDEX}",
                    f"{document.release.verdict} {document.evidence_digest.value}",
                    f"{entry.verdict} {entry.evidence_digest}",
                )
            )
        readable = _check_raw_copies(site, document, report)
        files = _release_files(document, readable)
        for baseline in _baselines_needed(document, documents):  # relative targets are judged against them
            # the baseline's own copies are checked where that release is verified: only their bytes are needed
            files |= _release_files(baseline, _check_raw_copies(site, baseline, Verification(site=site)))
        with write.scratch_folder(files) as scratch:
            try:
                result = analyse_release(Project(scratch), document.release.id, known, rehash=True)
            except ReportgenError as exc:
                report.mismatches.append(Mismatch(entry.id, "cannot recompute from the raw copies", str(exc)))
                continue
        recomputed = claims_document(result, release_page(result, None))
        _compare(recomputed, document, report, from_checkout=False)
        _check_pages(site, document, report)
    return report


def verify_checkout(project: Project, site: Path) -> Verification:
    """The site on its own, then every release recomputed from ``results/`` against the site's claims.json."""
    if not is_site(site):
        raise ProjectError(f"{site}: no built site here ({RELEASES}/{INDEX} is missing); run `reportgen build` first")
    report = verify_site(site)
    results = analyse(project, rehash=True)  # what is verified is the bytes, never a kept digest
    by_id = {r.id: r for r in results}
    built = set(report.releases)
    for result in results:
        if result.id not in built:
            report.mismatches.append(Mismatch(result.id, "release not in the built site", f"results/{result.id}"))
            continue
        document = _read_model(site / RELEASES / result.id / CLAIMS, ClaimsDocument, "claims.json")
        baseline = by_id.get(result.manifest.baseline) if result.manifest.baseline else None
        _compare(claims_document(result, release_page(result, baseline)), document, report, from_checkout=True)
    for release in sorted(built - set(by_id)):
        report.mismatches.append(Mismatch(release, "release in the site but not in results/", f"results/{release}"))
    return report


def _documents(site: Path, index: SiteIndex) -> dict[str, ClaimsDocument]:
    """Every release's claims.json that can be read, by release id (for the baselines of relative targets)."""
    found: dict[str, ClaimsDocument] = {}
    for entry in index.releases:
        try:
            found[entry.id] = _read_model(site / entry.claims, ClaimsDocument, "claims.json")
        except ReportgenError:
            continue  # said where that release itself is verified
    return found


def _baselines_needed(document: ClaimsDocument, documents: dict[str, ClaimsDocument]) -> list[ClaimsDocument]:
    """The chain of baselines a release's relative targets are judged against (each baseline's own relative
    targets need theirs), as far as the site holds them."""
    chain: list[ClaimsDocument] = []
    seen = {document.release.id}
    current = document
    while any(c.relative is not None for c in current.claims):
        baseline = documents.get(current.release.baseline or "")
        if baseline is None or baseline.release.id in seen:
            break
        seen.add(baseline.release.id)
        chain.append(baseline)
        current = baseline
    return chain


def _release_files(document: ClaimsDocument, readable: dict[str, write.Content]) -> dict[str, write.Content]:
    """The scratch release folder: repository-relative path → the original bytes of each readable copy."""
    release = document.release.id
    return {f"results/{release}/{path}": content for path, content in readable.items()}


def _original_sha256(content: write.Content) -> str:
    return hash_file(content)[0] if isinstance(content, Path) else hashlib.sha256(content).hexdigest()


def _check_raw_copies(site: Path, document: ClaimsDocument, report: Verification) -> dict[str, write.Content]:
    """Hash the original bytes of the manifest copy and of every artifact and attachment copy (a gzip copy
    decompressed first) against claims.json; release path → those bytes, for every copy that could be read."""
    release = document.release.id
    readable: dict[str, write.Content] = {}
    manifest = document.manifest
    entries = [(MANIFEST, manifest.raw_copy, manifest.sha256, "manifest", manifest.compressed, 0)]
    for kind, items in (("artifact", document.artifacts), ("attachment", document.attachments)):
        entries += [(a.release_path, a.raw_copy, a.sha256, kind, a.compressed, a.size) for a in items]
    for name, copy, expected, kind, compressed, size in entries:
        path = site / copy
        if not path.is_file():
            report.mismatches.append(Mismatch(release, f"{kind} missing", copy))
            continue
        try:
            content = original(path, compressed, size)
        except (zlib.error, EOFError) as exc:
            report.mismatches.append(Mismatch(release, f"{kind} changed", copy, f"{compressed} data", str(exc)))
            continue
        readable[name] = content
        actual = _original_sha256(content)
        report.files_hashed += 1
        if actual != expected:
            report.mismatches.append(
                Mismatch(release, f"{kind} changed", copy, f"sha256 {expected}", f"sha256 {actual}")
            )
    return readable


def _dump(model: BaseModel | None) -> object:
    return None if model is None else model.model_dump(mode="json")


def _compare(recomputed: ClaimsDocument, claimed: ClaimsDocument, report: Verification, *, from_checkout: bool) -> None:
    """Every difference between what the files give now and what claims.json states.

    Recomputed from the site's raw copies, their hashes are already checked one by one and the site holds
    no signoffs.yaml; recomputed from a checkout, changed files in results/ and changed sign-offs count too.

    In each mismatch "expected" is what claims.json (the published report) states and "actual" what was found.
    """
    release = claimed.release.id
    page = f"{claimed.page}{CLAIMS}"
    add = report.mismatches.append
    if recomputed.release.verdict != claimed.release.verdict:
        add(Mismatch(release, "release verdict changed", page, claimed.release.verdict, recomputed.release.verdict))
    if recomputed.release.counts != claimed.release.counts:
        add(
            Mismatch(
                release, "verdict counts changed", page, str(claimed.release.counts), str(recomputed.release.counts)
            )
        )
    if recomputed.manifest.sha256 != claimed.manifest.sha256:
        add(
            Mismatch(
                release,
                f"{MANIFEST} changed since the build",
                recomputed.manifest.path,
                f"sha256 {claimed.manifest.sha256}",
                f"sha256 {recomputed.manifest.sha256}",
            )
        )
    digests = (claimed.evidence_digest.value, recomputed.evidence_digest.value)
    if digests[0] != digests[1]:
        add(Mismatch(release, "evidence digest changed", page, *digests))
    _compare_files(release, recomputed, claimed, report, hashes=from_checkout)
    _compare_claims(release, page, recomputed, claimed, report)
    if from_checkout:
        then, now = _dump_all(claimed.signoffs), _dump_all(recomputed.signoffs)
        if then != now:
            add(Mismatch(release, "sign-offs changed since the build", page, _short(then), _short(now)))


def _dump_all(models: Iterable[BaseModel]) -> list[object]:
    return [_dump(m) for m in models]


def _compare_files(
    release: str, recomputed: ClaimsDocument, claimed: ClaimsDocument, report: Verification, *, hashes: bool
) -> None:
    for kind, mine, theirs in (
        ("artifact", recomputed.artifacts, claimed.artifacts),
        ("attachment", recomputed.attachments, claimed.attachments),
    ):
        ours = {a.release_path: a for a in mine}
        listed = {a.release_path: a for a in theirs}
        for path in sorted(ours.keys() - listed.keys()):
            report.mismatches.append(Mismatch(release, f"{kind} not in claims.json", ours[path].path))
        for path in sorted(listed.keys() - ours.keys()):
            report.mismatches.append(Mismatch(release, f"{kind} no longer declared", listed[path].path))
        for path in sorted(ours.keys() & listed.keys()):
            a, b = ours[path].model_dump(), listed[path].model_dump()
            for key in sorted(k for k in a if a[k] != b[k] and (hashes or k not in ("sha256", "size"))):
                what = f"{kind} changed" if key in ("sha256", "size") else f"{kind} {key} changed"
                report.mismatches.append(Mismatch(release, what, a["path"], f"{key} {b[key]}", f"{key} {a[key]}"))


def _compare_claims(
    release: str, page: str, expected: ClaimsDocument, actual: ClaimsDocument, report: Verification
) -> None:
    ours = {c.id: c for c in expected.claims}
    listed = {c.id: c for c in actual.claims}
    for claim_id in sorted(ours.keys() - listed.keys()):
        report.mismatches.append(Mismatch(release, "claim missing from claims.json", f"{claim_id} ({page})"))
    for claim_id in sorted(listed.keys() - ours.keys()):
        report.mismatches.append(Mismatch(release, "claim no raw file supports", f"{claim_id} ({page})"))
    for claim_id in [c.id for c in actual.claims if c.id in ours]:
        report.claims_compared += 1
        a, b = _flat(ours[claim_id].model_dump(mode="json")), _flat(listed[claim_id].model_dump(mode="json"))
        for key in sorted(a.keys() | b.keys()):
            # A changed artifact is reported once, by file, not again for every figure read from it.
            if a.get(key) == b.get(key) or key == "evidence.sha256":
                continue
            kind = {"value": "value changed", "verdict": "verdict changed", "text": "value changed"}.get(
                key, f"claim {key} changed"
            )
            report.mismatches.append(
                Mismatch(release, kind, f"{claim_id}.{key} ({page})", _short(b.get(key)), _short(a.get(key)))
            )


def _flat(data: dict[str, object], prefix: str = "") -> dict[str, object]:
    """Nested members as dotted keys (``evidence.raw_value``), so a mismatch names the one member that differs."""
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _short(value: object) -> str:
    text = "null" if value is None else str(value)
    return text if len(text) <= 200 else text[:197] + "…"


class _Figures(HTMLParser):
    """Figures as a rendered page shows them: links to evidence anchors, and evidence table rows by anchor."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (figure id, link text)
        self.rows: dict[str, list[str]] = {}  # anchor id in the first cell → text of each cell
        self._link: str | None = None
        self._text: list[str] = []
        self._cells: list[list[str]] | None = None
        self._ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and (href := values.get("href")):
            parts = urlsplit(href)
            target = parts.path.rstrip("/").removesuffix("/index.html").removesuffix(".html")
            # Only links into this release's evidence page are figures; same-page links are cross-references.
            if parts.fragment and target == "evidence":
                self._link, self._text = parts.fragment, []
        elif tag == "tr":
            self._cells, self._ids = [], []
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append([])
        elif tag == "span" and self._cells is not None and len(self._cells) == 1 and (span_id := values.get("id")):
            self._ids.append(span_id)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link, "".join(self._text).strip()))
            self._link = None
        elif tag == "tr" and self._cells is not None:
            for anchor in self._ids:
                self.rows[anchor] = [" ".join("".join(c).split()) for c in self._cells]
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._text.append(data)
        if self._cells:
            self._cells[-1].append(data)


def _parse(path: Path) -> _Figures:
    parser = _Figures()
    parser.feed(named_files.read_text(path, errors="replace"))
    parser.close()
    return parser


def _page_files(site: Path, page: str, name: str) -> Iterator[Path]:
    for candidate in (f"{page}{name}/index.html", f"{page}{name}.html") if name else (f"{page}index.html",):
        if (site / candidate).is_file():
            yield site / candidate
            return


def _check_pages(site: Path, document: ClaimsDocument, report: Verification) -> None:
    """Each figure link on the release page, and each evidence row, prints exactly its claim's text."""
    release = document.release.id
    claims = {c.id: c for c in document.claims}
    for name in ("", "evidence"):
        found = list(_page_files(site, document.page, name))
        shown = f"{document.page}{name + '/' if name else ''}"
        if not found:
            report.mismatches.append(Mismatch(release, "page missing", shown))
            continue
        figures = _parse(found[0])
        for figure_id, text in figures.links:
            claim = claims.get(figure_id)
            if claim is None:
                continue  # a link into another part of the page; the strict build checked every anchor
            report.figures_compared += 1
            if text != claim.text:
                report.mismatches.append(
                    Mismatch(release, "page figure differs from its claim", f"{figure_id} ({shown})", claim.text, text)
                )
        if name != "evidence":
            continue
        for figure_id, claim in claims.items():
            cells = figures.rows.get(figure_id)
            if cells is None or len(cells) < 2:
                report.mismatches.append(Mismatch(release, "figure has no evidence entry", f"{figure_id} ({shown})"))
                continue
            report.figures_compared += 1
            # A figure with no value is listed under "Missing" with its reason in place of a value.
            shows = cells[1] == claim.text or cells[1].startswith(claim.text + " ")
            if not shows and not (claim.value is None and claim.provenance == "missing"):
                report.mismatches.append(
                    Mismatch(
                        release, "page figure differs from its claim", f"{figure_id} ({shown})", claim.text, cells[1]
                    )
                )
