"""Process plumbing: JSON-lines events, the supervised child per job, the CLI and warm server."""
from __future__ import annotations
