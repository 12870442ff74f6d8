"""Layer-name classification across standards and languages."""
from __future__ import annotations

import pytest

from converter.classify.layers import LayerClassifier, category_of_name, strip_xref


@pytest.mark.parametrize("name, category", [
    ("A-WALL", "wall"), ("A-WALL-PATT", "wall"), ("XREF$0$A-WALL", "wall"), ("XREF|A-WALL", "wall"),
    ("A-DOOR", "door"), ("A-GLAZ", "window"), ("A-FLOR-STRS", "stair"), ("A-COLS", "column"),
    ("S-COLS", "column"), ("A-AREA", "room"), ("A-ANNO-DIMS", "annotation"), ("A-DOOR-IDEN", "annotation"),
    ("Walls", "wall"), ("Wände", "wall"), ("Fenster", "window"), ("Tür", "door"), ("Treppe", "stair"),
    ("벽체", "wall"), ("창호", "window"), ("문", "door"), ("계단", "stair"), ("기둥", "column"), ("치수", "annotation"),
    ("壁", "wall"), ("建具", "door"), ("窓", "window"), ("階段", "stair"), ("柱", "column"), ("寸法", "annotation"),
    ("Defpoints", "annotation"), ("Furniture", None), ("0", None),
])
def test_category_of_name(name, category):
    assert category_of_name(name) == category


def test_strip_xref():
    assert strip_xref("PLAN$0$A-WALL") == "A-WALL" and strip_xref("site|A-DOOR") == "A-DOOR"


def test_mapping_wins_and_globs():
    c = LayerClassifier({"A-WALL": "other", "MY-*": "door"})
    assert c("A-WALL") == "other" and c("my-entry") == "door" and c("XREF|MY-X") == "door"
    assert c("A-GLAZ") == "window" and c("Furniture") == "other"
