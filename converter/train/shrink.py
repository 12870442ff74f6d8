"""Store an ONNX model's float32 weights as float16 (cast back to float32 on load), halving the file.

Why not a float16 export: ultralytics exports half precision only on a GPU, and float16 compute
is slow or missing on CPU execution providers. Here only the stored initializers shrink; every
operator still runs in float32, so CPU and CUDA results match the float32 model to ~1e-3.
"""
from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["shrink"]


def shrink(src: str, dst: str, min_size: int = 64) -> None:
    model = onnx.load(src)
    g = model.graph
    casts = []
    for init in g.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(init)
        if arr.size < min_size:
            continue
        name = init.name
        half = name + "__fp16"
        init.CopyFrom(numpy_helper.from_array(arr.astype(np.float16), half))
        casts.append(helper.make_node("Cast", [half], [name], to=TensorProto.FLOAT, name=name + "__cast"))
    for node in reversed(casts):
        g.node.insert(0, node)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


if __name__ == "__main__":
    shrink(sys.argv[1], sys.argv[2])
