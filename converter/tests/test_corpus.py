"""Every real drawing in ../shared/corpus/dxf converts (or says there is nothing to build)."""
from __future__ import annotations

import pytest

from conftest import CORPUS, assert_valid
from converter.errors import NothingToBuild
from converter.options import merge_options
from converter.pipeline import convert

FILES = sorted(CORPUS.glob("*.dxf")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"corpus folder {CORPUS} is absent")
def test_corpus_converts_and_validates(tmp_path):
    outputs = []
    for src in FILES:
        out = tmp_path / (src.stem + ".glb")
        try:
            result = convert(str(src), str(out), merge_options(None))
        except NothingToBuild:
            continue
        assert result["ok"], src
        outputs.append(out)
    assert len(outputs) >= len(FILES) - 2
    assert_valid(*outputs)
