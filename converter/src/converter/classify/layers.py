"""Layer names → categories (wall, door, window, column, stair, room, annotation, other).

Why names first: in real drawings the layer is the strongest signal of meaning. We know the
AIA/NCS standard (A-WALL, A-DOOR, A-GLAZ, A-FLOR-STRS, A-AREA, A-ANNO-DIMS …), the common
English/German/Korean/Japanese/Chinese names, and bound-xref prefixes (``XREF$0$A-WALL``,
``XREF|A-WALL``). The ``layerMapping`` option wins over all of it.
"""
from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from typing import Mapping

__all__ = ["strip_xref", "category_of_name", "LayerClassifier"]

_XREF = re.compile(r"^(?:.*\$\d+\$|.*\|)")
_TOKEN = re.compile(r"[a-z0-9äöüß]+")

# NCS modifiers that turn any major group into annotation (identifiers, texts, dimensions).
_ANNOTATION_TOKENS = {
    "anno", "dim", "dims", "dimension", "dimensions", "text", "txt", "note", "notes", "iden", "symb",
    "tag", "tags", "title", "ttlb", "nplt", "defpoints", "grid", "grids", "axis", "leader", "label",
    "bemassung", "bemaßung", "beschriftung", "masse", "maße", "achse", "achsen", "cota", "cotas",
    "texte", "texto",
}
_CJK_ANNOTATION = ("치수", "문자", "텍스트", "주석", "그리드", "寸法", "文字", "注記", "通り芯", "尺寸", "标注", "文本", "轴线")

# (category, latin tokens, CJK substrings) in priority order.
_RULES: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("stair", frozenset({"stair", "stairs", "strs", "step", "steps", "treppe", "treppen", "escalier",
                         "escalera", "escaleras", "ramp"}), ("계단", "階段", "楼梯")),
    ("column", frozenset({"column", "columns", "col", "cols", "colm", "pillar", "pillars", "stuetze",
                          "stütze", "stützen", "saeule", "säule", "säulen", "pilar", "poteau"}),
     ("기둥", "柱")),
    ("window", frozenset({"window", "windows", "win", "wind", "glaz", "glazing", "glass", "crystal",
                          "fenster", "fenetre", "fenêtre", "ventana", "ventanas", "curtwall"}),
     ("창호", "창문", "窓", "サッシ", "窗")),
    ("door", frozenset({"door", "doors", "dr", "tuer", "tür", "türen", "tueren", "porte", "puerta",
                        "puertas", "opening", "openings"}), ("문", "ドア", "扉", "建具", "门")),
    ("wall", frozenset({"wall", "walls", "wand", "wände", "waende", "mauer", "mauerwerk", "mur", "murs",
                        "muro", "muros", "partition", "partitions"}), ("벽", "壁", "墙")),
    ("room", frozenset({"room", "rooms", "area", "areas", "space", "spaces", "raum", "räume", "raeume",
                        "zone", "zones", "pièce", "piece", "habitacion"}), ("실명", "실", "室", "部屋", "房间")),
)


def strip_xref(name: str) -> str:
    """``XREF$0$A-WALL`` and ``XREF|A-WALL`` → ``A-WALL``."""
    return _XREF.sub("", name)


@lru_cache(maxsize=4096)
def category_of_name(name: str) -> str | None:
    """Category from a layer or block name alone; None when the name says nothing."""
    base = strip_xref(name).strip().lower()
    if not base:
        return None
    tokens = set(_TOKEN.findall(base))
    if tokens & _ANNOTATION_TOKENS or any(s in base for s in _CJK_ANNOTATION):
        return "annotation"
    for category, words, cjk in _RULES:
        if tokens & words or any(s in base for s in cjk):
            return category
    # compact names: "AWALL", "WALL1", "DOOR_90" without separators
    for category, words, _ in _RULES:
        for token in tokens:
            for word in words:
                if len(word) >= 4 and token.startswith(word) or (len(word) >= 4 and token.endswith(word)):
                    return category
    return None


class LayerClassifier:
    """Caches layer → category with the user's ``layerMapping`` (globs, case-insensitive) first."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self._mapping = [(p.lower(), c) for p, c in (mapping or {}).items()]
        self._cache: dict[str, str] = {}

    def mapped(self, layer: str) -> str | None:
        if not self._mapping:
            return None
        low = layer.lower()
        stripped = strip_xref(layer).lower()
        for pattern, category in self._mapping:
            if fnmatch.fnmatchcase(low, pattern) or fnmatch.fnmatchcase(stripped, pattern):
                return category
        return None

    def __call__(self, layer: str) -> str:
        cat = self._cache.get(layer)
        if cat is None:
            cat = self.mapped(layer) or category_of_name(layer) or "other"
            self._cache[layer] = cat
        return cat


#: Source kinds that are annotation whatever their layer (dimension and leader parts).
ANNOTATION_KINDS = frozenset({"DIMENSION", "ARC_DIMENSION", "LARGE_RADIAL_DIMENSION", "LEADER", "MLEADER",
                              "MULTILEADER"})
__all__ += ["ANNOTATION_KINDS"]
