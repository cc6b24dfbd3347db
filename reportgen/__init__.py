"""reportgen: release validation reports computed from raw test artifacts, rendered as an MkDocs site."""

from __future__ import annotations

__version__ = "0.1.0"
