"""Text clean-up: layer names and texts must reach JSON and glTF as valid UTF-8.

Why: DXF before R2007 stores text in the drawing's code page (cp949, Shift-JIS …). ezdxf decodes
it from ``$DWGCODEPAGE`` and keeps undecodable bytes as surrogates; when the header lies, we try
the usual Asian and Western code pages before giving up with replacement characters.
"""
from __future__ import annotations

__all__ = ["clean_text"]

_FALLBACK_CODECS = ("utf-8", "cp949", "shift_jis", "gbk", "big5", "cp1252")


def clean_text(value: str) -> str:
    """Return ``value`` as a clean str with no lone surrogates."""
    if not value:
        return ""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    raw = value.encode("utf-8", "surrogateescape")
    for codec in _FALLBACK_CODECS:
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")
