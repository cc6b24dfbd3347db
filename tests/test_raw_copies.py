"""Raw copies in the built site: never served as active content, large ones gzip-compressed, and `reportgen verify`
re-hashing the original bytes of both."""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import shutil
from pathlib import Path

import pytest

from reportgen import limits, raw_copies
from reportgen.cli import main
from reportgen.errors import BuildError
from reportgen.raw_copies import raw_copy
from tests.support.project import BASE_MANIFEST, make_project

#: Documents a browser renders as pages of the site's origin if served under their own extension, each with script.
ACTIVE = {
    "evidence/report.html": "<html><body><p>Load test report</p><script>alert(document.domain)</script></body></html>\n",
    "evidence/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>chart</text></svg>\n',
    "evidence/notes.xml": '<x:html xmlns:x="http://www.w3.org/1999/xhtml"><x:script>alert(1)</x:script></x:html>\n',
}
LARGE = "evidence/requests.log"
ATTACHED = (
    BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
    + "attachments:\n"
    + "".join(f"  - {path}\n" for path in [*ACTIVE, LARGE])
)


def _large_log() -> bytes:
    """A text log just over the compression limit (repetitive, as request logs are)."""
    line = b"2026-10-01T12:00:00Z GET /slow 200 243ms\n"
    return line * (limits.RAW_COPY_GZIP_ABOVE // len(line) + 10)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("raw"), {"v1.0.0": ATTACHED})
    folder = root / "results/v1.0.0"
    for path, text in ACTIVE.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    (folder / LARGE).write_bytes(_large_log())
    assert main(["-C", str(root), "build"]) == 0
    return root


def _attachments(root: Path) -> dict[str, dict[str, object]]:
    document = json.loads((root / "site/releases/v1.0.0/claims.json").read_text(encoding="utf-8"))
    return {a["release_path"]: a for a in document["attachments"]}


def test_a_copy_a_browser_would_run_is_served_as_text(built: Path) -> None:
    """.html, .svg and .xml copies get .txt appended (text/plain by extension, as Pages serves it), keep their bytes,
    and the page links the .txt; no copy under the active name exists."""
    attachments = _attachments(built)
    site = built / "site/releases/v1.0.0"
    page = (built / "site_docs/releases/v1.0.0/index.md").read_text(encoding="utf-8")
    for path, text in ACTIVE.items():
        entry = attachments[path]
        assert entry["raw_copy"] == f"releases/v1.0.0/artifacts/{path}.txt"
        assert (site / f"artifacts/{path}.txt").read_text(encoding="utf-8") == text
        assert not (site / f"artifacts/{path}").exists()
        assert mimetypes.guess_type(f"x/{path}.txt")[0] == "text/plain"
        assert entry["sha256"] == hashlib.sha256(text.encode()).hexdigest() and "compressed" not in entry
        assert f"](artifacts/{path}.txt)" in page


def test_data_and_images_keep_their_names() -> None:
    """JSON, CSV, gzip streams and images are inert: their copies keep the name the manifest gives them."""
    for path in ("k6/summary-export.json", "jmeter/results.csv", "k6/stream.ndjson.gz", "shots/page.PNG"):
        assert raw_copy(path, 100).name == f"artifacts/{path}"
    for path in ("junit/report.xml", "report.HTML", "page.xhtml", "run.md", "tool/output"):
        assert raw_copy(path, 100).name == f"artifacts/{path}.txt"


def test_a_large_copy_is_gzip_compressed_with_the_original_hash(built: Path) -> None:
    """A copy over RAW_COPY_GZIP_ABOVE is stored as NAME.gz, the gzip of the original bytes, while claims.json keeps
    the original's SHA-256 and size; the page links the .gz and gives both sizes."""
    original = (built / "results/v1.0.0" / LARGE).read_bytes()
    entry = _attachments(built)[LARGE]
    assert entry["raw_copy"] == f"releases/v1.0.0/artifacts/{LARGE}.gz" and entry["compressed"] == "gzip"
    assert (entry["sha256"], entry["size"]) == (hashlib.sha256(original).hexdigest(), len(original))
    stored = built / "site" / str(entry["raw_copy"])
    assert gzip.decompress(stored.read_bytes()) == original and stored.stat().st_size < len(original) / 10
    page = (built / "site_docs/releases/v1.0.0/index.md").read_text(encoding="utf-8")
    assert f"](artifacts/{LARGE}.gz)" in page and " as gzip |" in page


def test_the_gzip_copy_is_byte_identical_on_rebuild(built: Path) -> None:
    """The gzip header carries no name and no time: a rebuild writes the same bytes."""
    stored = built / f"site/releases/v1.0.0/artifacts/{LARGE}.gz"
    before = stored.read_bytes()
    assert main(["-C", str(built), "build"]) == 0
    assert stored.read_bytes() == before


def test_verify_rehashes_the_original_bytes(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """verify passes on the site and, on a copy of it whose .gz was replaced by the gzip of other bytes, names that
    attachment as changed against the original's SHA-256."""
    assert main(["verify", str(built / "site")]) == 0
    capsys.readouterr()
    site = tmp_path / "site"
    shutil.copytree(built / "site", site)
    stored = site / f"releases/v1.0.0/artifacts/{LARGE}.gz"
    stored.write_bytes(gzip.compress(_large_log().replace(b"200", b"500"), mtime=0))
    assert main(["verify", str(site)]) == 1
    assert (
        f"v1.0.0: attachment changed: releases/v1.0.0/artifacts/{LARGE}.gz: expected sha256 " in capsys.readouterr().out
    )


def test_two_files_sharing_a_copy_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """a.html and a.html.txt would both be published as a.html.txt: the build exits 2 naming both."""
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01") + "attachments: [a.html, a.html.txt]\n"
    root = make_project(tmp_path, {"v1.0.0": manifest})
    for name in ("a.html", "a.html.txt"):
        (root / "results/v1.0.0" / name).write_text("x\n", encoding="utf-8")
    assert main(["-C", str(root), "build"]) == 2
    err = capsys.readouterr().err
    assert "a.html and" in err and "a.html.txt would both be published as artifacts/a.html.txt" in err


def test_a_copy_compressed_before_is_not_compressed_again(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild takes the gzip of bytes it compressed before from the cache (the same bytes); new bytes are
    compressed, and what the site holds is their gzip."""
    root = tmp_path / "repo"
    shutil.copytree(built, root)
    stored = root / f"site/releases/v1.0.0/artifacts/{LARGE}.gz"
    before = stored.read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr("reportgen.raw_copies.gzip.compress", _refuse)
        assert main(["-C", str(root), "build"]) == 0
    assert stored.read_bytes() == before
    changed = _large_log() + b"2026-10-01T12:00:01Z GET /slow 500 1ms\n"
    (root / "results/v1.0.0" / LARGE).write_bytes(changed)
    assert main(["-C", str(root), "build"]) == 0
    assert gzip.decompress(stored.read_bytes()) == changed


def _refuse(*_: object, **__: object) -> bytes:
    raise AssertionError("compressed again")


def test_a_copy_changed_since_its_analysis_is_refused(tmp_path: Path) -> None:
    """A large copy whose bytes are no longer those the analysis hashed stops the build, naming the file: its gzip
    would be kept under the old SHA-256 and served for those bytes on every later build."""
    source = tmp_path / "requests.log"
    source.write_bytes(_large_log())
    analysed = hashlib.sha256(source.read_bytes()).hexdigest()
    copy = raw_copy(LARGE, source.stat().st_size)
    first = raw_copies.stored(source, copy, analysed)
    assert isinstance(first, bytes) and gzip.decompress(first) == _large_log()
    source.write_bytes(_large_log() + b"one line more\n")
    with pytest.raises(BuildError, match=r"requests\.log: changed while the site was being built"):
        raw_copies.stored(source, copy, analysed)
