"""ONNX export of the MLP ensemble (standardisation folded into the first layer), int8 post-training
quantisation with onnxruntime, and latency measurement of the exported files.

An ensemble of k members is one graph, not k: the first layers side by side in one Gemm, the
second layers as one block-diagonal Gemm, then softmax per member and the mean over members.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from models.punch.mlp import MLP, Ensemble


def _folded(m: MLP) -> tuple[np.ndarray, np.ndarray]:
    return m.w1 / m.std[:, None], m.b1 - (m.mean / m.std) @ m.w1


def to_onnx(model: MLP | Ensemble, path: Path) -> Path:
    """features (N, D) float32 → probs (N, C); z-scoring folded into the first Gemm."""
    members = model.members if isinstance(model, Ensemble) else [model]
    k, (d, h), c = len(members), members[0].w1.shape, members[0].w2.shape[1]
    folded = [_folded(m) for m in members]
    w1 = np.concatenate([f[0] for f in folded], axis=1).astype(np.float32)
    b1 = np.concatenate([f[1] for f in folded]).astype(np.float32)
    w2 = np.zeros((k * h, k * c), np.float32)
    for i, m in enumerate(members):
        w2[i * h : (i + 1) * h, i * c : (i + 1) * c] = m.w2
    b2 = np.concatenate([m.b2 for m in members]).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))]
    inits.append(numpy_helper.from_array(np.array([-1, k, c], np.int64), "member_shape"))
    nodes = [
        helper.make_node("Gemm", ["features", "w1", "b1"], ["h_pre"]),
        helper.make_node("Relu", ["h_pre"], ["h"]),
        helper.make_node("Gemm", ["h", "w2", "b2"], ["logits"]),
        helper.make_node("Reshape", ["logits", "member_shape"], ["member_logits"]),
        helper.make_node("Softmax", ["member_logits"], ["member_probs"], axis=2),
        helper.make_node("ReduceMean", ["member_probs"], ["probs"], axes=[1], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "punch_classifier",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", d])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", c])], inits,
    )  # fmt: skip
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="powerforge")
    m.ir_version = 8
    onnx.checker.check_model(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, str(path))
    return path


class _Calibration:
    def __init__(self, x: np.ndarray):
        self._rows = iter(x[i : i + 1] for i in range(len(x)))

    def get_next(self) -> dict | None:
        row = next(self._rows, None)
        return None if row is None else {"features": row.astype(np.float32)}

    def rewind(self) -> None:  # onnxruntime >= 1.20 may call it
        pass


def quantize_int8(fp32: Path, out: Path, calibration: np.ndarray) -> Path:
    """Static post-training int8 (QDQ, per-channel weights) calibrated on training features."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    quiet = logging.getLogger()  # the quantiser logs a pre-processing hint on the root logger every call
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        quantize_static(str(fp32), str(out), _Calibration(calibration[:256]), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True,
                        calibrate_method=CalibrationMethod.MinMax)  # fmt: skip
    finally:
        quiet.setLevel(level)
    return out


def session(path: Path):  # noqa: ANN201 - onnxruntime.InferenceSession
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def predict(path: Path, x: np.ndarray) -> np.ndarray:
    return session(path).run(["probs"], {"features": x.astype(np.float32)})[0]


def latency_ms(path: Path, x: np.ndarray, runs: int = 300) -> float:
    """Median single-window latency on one thread (what one punch costs at analysis time)."""
    s = session(path)
    row = x[:1].astype(np.float32)
    for _ in range(20):
        s.run(["probs"], {"features": row})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        s.run(["probs"], {"features": row})
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000)
