"""Label values that stay unique inside one artifact."""

from __future__ import annotations


class UniqueNames:
    """Hands out each name once; a repeat becomes ``name #2``, ``name #3``…

    Real files repeat names (pytest writes a test that fails and then errors in
    teardown as two testcases with one name; two hyperfine commands can share a
    ``-n`` name), and two measurements with equal labels would overwrite each other.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, name: str) -> str:
        count = self._seen.get(name, 0) + 1
        self._seen[name] = count
        return name if count == 1 else f"{name} #{count}"
