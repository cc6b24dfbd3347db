"""``reportgen sign``: append a sign-off bound to the release's current evidence to ``signoffs.yaml``.

The entry records the date, the evidence digest, the SHA-256 of each file the digest covers and a
short hash of each manifest field, so that when the evidence changes later the sign-off can say
*what* changed. The file is read and written as a ruamel round trip (comments and formatting stay)
and replaced atomically, after checking that what will be written loads back. With a key, the
sign-off is signed with ``ssh-keygen -Y sign`` (see :mod:`reportgen.signatures`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from reportgen import named_files, signatures, write
from reportgen.analyse import analyse_release
from reportgen.approval import approval_problem, with_verdict
from reportgen.digest import evidence_files, manifest_fields
from reportgen.errors import ManifestError, Position, ReportgenError
from reportgen.load import PositionIndex, load_signoffs, read_yaml, round_trip_yaml, validate
from reportgen.project import SIGNOFFS, Project
from reportgen.schemas.manifest import SignOff, SignOffs
from reportgen.schemas.report import SignOffState
from reportgen.signoffs import signoff_states

HEADER = "# Sign-offs, appended by `reportgen sign`; each records the evidence digest it approved.\n"


@dataclass(frozen=True)
class Signed:
    path: Path
    signoff: SignOff
    state: SignOffState


def _entry(signoff: SignOff) -> CommentedMap:
    """The YAML mapping of a new sign-off, in the order a reader expects."""
    entry = CommentedMap()
    for key in ("role", "name", "decision", "date", "comment", "evidence_digest"):
        value = getattr(signoff, key)
        if value is not None:
            entry[key] = value
    entry["evidence"] = CommentedMap(signoff.evidence or {})
    entry["manifest_fields"] = CommentedMap(signoff.manifest_fields or {})
    if signoff.signature:
        entry["signature"] = LiteralScalarString(signoff.signature)
    return entry


def _render(entry: CommentedMap) -> list[str]:
    """The entry as block YAML lines, at column 0."""
    entry.fa.set_block_style()
    stream = io.StringIO()
    round_trip_yaml().dump(entry, stream)
    return stream.getvalue().splitlines()


def _appended(path: Path, entry: CommentedMap) -> str:
    """The new text of signoffs.yaml: the old text unchanged, byte for byte, with the entry appended.

    Appending text rather than dumping the whole tree keeps every comment and flow mapping exactly as
    written (ruamel's emitter mangles a block item after a flow item that carries a trailing comment).
    A file with no list to append to is written fresh, with a header comment.
    """
    lines = _render(entry)
    if not path.exists():
        return HEADER + "signoffs:\n" + "".join(f"  {'- ' if i == 0 else '  '}{line}\n" for i, line in enumerate(lines))
    document = read_yaml(path)
    items = document.tree.get("signoffs")
    text = named_files.read_text(path, "utf-8-sig")
    if not isinstance(items, CommentedSeq) or not items or items.fa.flow_style():
        # Nothing to line up with (absent, empty or a flow list): replace the list, keep the rest.
        tree = document.tree
        block = CommentedSeq(list(items or []))
        block.append(entry)
        tree["signoffs"] = block
        stream = io.StringIO()
        round_trip_yaml().dump(tree, stream)
        return stream.getvalue()
    line, column = items.lc.item(0)
    dash = text.splitlines()[line].rfind("-", 0, column)
    if dash < 0:
        raise ManifestError(Position(path, line + 1, column + 1), "signoffs: cannot find where the list's items start")
    first = " " * dash + "-" + " " * (column - dash - 1)
    rest = " " * column
    added = "".join(f"{first if i == 0 else rest}{text_line}\n" for i, text_line in enumerate(lines))
    return text + ("" if text.endswith("\n") else "\n") + added


def sign(
    project: Project,
    release: str,
    *,
    role: str,
    name: str,
    decision: str,
    today: dt.date,
    comment: str | None = None,
    key: Path | None = None,
) -> Signed:
    """Append a sign-off over the release's current evidence; the file is replaced atomically or not at all."""
    result = analyse_release(project, release, project.release_ids(), rehash=True)  # the bytes are what is signed
    files = evidence_files(result.manifest_sha256, result.artifacts, result.attachments)
    fields = manifest_fields(result.manifest)
    signoff = SignOff.model_validate(
        {
            "role": role,
            "name": name,
            "decision": decision,
            "date": today,
            "comment": comment,
            "evidence_digest": result.evidence_digest,
            "evidence": files,
            "manifest_fields": fields,
        }
    )
    if (problem := approval_problem(signoff, result.verdict)) is not None:
        raise ReportgenError(f"{project.release_dir(release) / SIGNOFFS}: {problem}; nothing was written")
    if key is not None:
        signature = signatures.sign(signatures.statement(release, signoff), key)
        signoff = signoff.model_copy(update={"signature": signature})
    path = project.release_dir(release) / SIGNOFFS
    before = load_signoffs(path).signoffs
    text = _appended(path, _entry(signoff))
    # What is written must load back as the old sign-offs plus this one: check before the file is replaced.
    reread = round_trip_yaml().load(text)
    written = validate(SignOffs, reread, PositionIndex(path, reread)).signoffs
    if written != [*before, signoff]:
        raise ManifestError(Position(path), "appending the sign-off would change the others; nothing was written")
    write.write_file(path, text.encode())
    allowed = project.root / signatures.ALLOWED_SIGNERS
    states = signoff_states(release, [signoff], result.evidence_digest, files, fields, allowed)
    state = with_verdict(states, result.verdict, path)[0]  # "approved despite FAIL", as check shows it
    return Signed(path=path, signoff=signoff, state=state)
