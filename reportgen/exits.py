"""Exit codes of ``reportgen``: the one table, printed by ``--help`` and kept equal to the verdicts guide.

A module of its own, with no imports, so that ``--help`` stays fast.
"""

from __future__ import annotations

EXIT_OK, EXIT_NOT_PASS, EXIT_INVALID = 0, 1, 2

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "every checked release's verdict is PASS (and it passes --strict / --require-signoff when given)"),
    (
        EXIT_NOT_PASS,
        "a checked release is FAIL, UNVERIFIED, WAIVED or NO TARGETS, fails --strict or --require-signoff, "
        "or there is no release to check",
    ),
    (EXIT_INVALID, "invalid input: a manifest, artifact or sign-off file cannot be used (nothing is judged)"),
)


def help_table() -> str:
    """The table as ``--help`` prints it."""
    return "exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES)
