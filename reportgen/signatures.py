"""SSH signatures over sign-offs, made and checked with ``ssh-keygen -Y`` as git does.

A sign-off signs a statement, not a file: the release, role, name, decision, date, comment and
evidence digest as canonical JSON, under the namespace ``reportgen``. Editing any of them after
signing, or the digest, makes the signature bad. Who may sign is an ``allowed_signers`` file at
the repository root (the format of ssh-keygen(1), "ALLOWED SIGNERS"); a key not listed there is
**unverifiable**, never silently trusted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reportgen import named_files, write
from reportgen.errors import SignatureError
from reportgen.schemas.manifest import SignOff

NAMESPACE = "reportgen"
ALLOWED_SIGNERS = "allowed_signers"


@dataclass(frozen=True)
class SignatureCheck:
    state: str  # "verified", "bad signature", "unverifiable", "unsigned"
    detail: str


def statement(release: str, signoff: SignOff) -> bytes:
    """The bytes a signature covers: every field a reader relies on, in a canonical form."""
    fields = {
        "release": release,
        "role": signoff.role,
        "name": signoff.name,
        "decision": signoff.decision,
        "date": signoff.date.isoformat(),
        "comment": signoff.comment,
        "evidence_digest": signoff.evidence_digest,
    }
    return ("reportgen sign-off\n" + json.dumps(fields, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _ssh_keygen() -> str | None:
    return shutil.which("ssh-keygen")


def sign(message: bytes, key: Path) -> str:
    """An armored SSH signature of ``message`` by the private ``key``."""
    program = _ssh_keygen()
    if program is None:
        raise SignatureError(f"{key}: ssh-keygen is not installed (Debian: apt-get install openssh-client)")
    if (reason := named_files.not_a_file(key)) is not None:
        raise SignatureError(f"{key}: {reason}: name the private key file")
    if not key.is_file():
        raise SignatureError(f"{key}: no such key file")
    done = subprocess.run(
        [program, "-Y", "sign", "-f", str(key), "-n", NAMESPACE, "-q"],
        input=message,
        capture_output=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0 or b"BEGIN SSH SIGNATURE" not in done.stdout:
        said = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
        raise SignatureError(f"{key}: ssh-keygen could not sign: {said}")
    return done.stdout.decode()


def check(message: bytes, signature: str | None, allowed_signers: Path) -> SignatureCheck:
    """Is ``signature`` a good signature of ``message`` by a key that ``allowed_signers`` lists?"""
    if not signature:
        return SignatureCheck("unsigned", "no SSH signature")
    program = _ssh_keygen()
    if program is None:
        return SignatureCheck("unverifiable", "ssh-keygen is not installed")
    if not allowed_signers.is_file():
        return SignatureCheck("unverifiable", f"no {ALLOWED_SIGNERS} file in the repository")
    with write.scratch_folder({"signature": signature.encode()}) as folder:
        sig = str(folder / "signature")
        found = subprocess.run(
            [program, "-Y", "find-principals", "-s", sig, "-f", str(allowed_signers)],
            capture_output=True,
            check=False,
            timeout=60,
        )
        principals = found.stdout.decode(errors="replace").split()
        if found.returncode != 0 or not principals:
            said = found.stderr.decode(errors="replace")
            if "signature" in said.lower() and "parse" in said.lower():
                return SignatureCheck("bad signature", "not an SSH signature")
            return SignatureCheck("unverifiable", f"the signing key is not in {ALLOWED_SIGNERS}")
        for principal in principals:
            verified = subprocess.run(
                [program, "-Y", "verify", "-f", str(allowed_signers), "-I", principal, "-n", NAMESPACE, "-s", sig],
                input=message,
                capture_output=True,
                check=False,
                timeout=60,
            )
            if verified.returncode == 0:
                return SignatureCheck("verified", f"signed by {principal}")
    return SignatureCheck("bad signature", "the signature does not match this sign-off and its evidence digest")
