"""Read a CTranslate2 ``model.bin`` back into the PyTorch Transformer of ``toy_model``.

The inverse of :func:`toy_model.to_spec`: int8 weights are dequantized with their per-row
scales (``weight / weight_scale``), so training can continue from a committed package when
the original checkpoint is gone (``bench/train_toy.py train --init PACKAGE``). The format is
the one ``ctranslate2.specs.ModelSpec._serialize`` writes (binary version 6).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import torch
from toy_model import Attention, FeedForward, Shape, Transformer

_DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16)


def read_model_bin(data: bytes) -> dict[str, np.ndarray]:
    """Every variable of a ``model.bin``, int8 ones dequantized to float32."""
    pos = 0

    def number(fmt: str) -> int:
        nonlocal pos
        (value,) = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return int(value)

    def string() -> str:
        nonlocal pos
        size = number("H")
        text = data[pos : pos + size - 1].decode()
        pos += size
        return text

    if (version := number("I")) != 6:
        raise ValueError(f"model.bin binary version {version}, expected 6")
    string()  # spec name
    number("I")  # revision
    raw: dict[str, np.ndarray] = {}
    for _ in range(number("I")):
        name = string()
        shape = [number("I") for _ in range(number("B"))]
        dtype = _DTYPES[number("B")]
        size = number("I")
        raw[name] = np.frombuffer(data[pos : pos + size], dtype=dtype).reshape(shape)
        pos += size
    out = {}
    for name, value in raw.items():
        if name.endswith("_scale"):
            continue
        scale = raw.get(name + "_scale")
        if value.dtype == np.int8 and scale is not None:
            value = value.astype(np.float32) / scale.reshape(-1, *([1] * (value.ndim - 1)))
        out[name] = value
    for _ in range(number("I")):
        alias, target = string(), string()
        out[alias] = out[target]
    return out


def _set(param: torch.Tensor, value: np.ndarray) -> None:
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.array(value, dtype=np.float32)))


def _linear(v: dict[str, np.ndarray], prefix: str, layer: torch.nn.Linear) -> None:
    _set(layer.weight, v[prefix + "/weight"])
    _set(layer.bias, v[prefix + "/bias"])


def _norm(v: dict[str, np.ndarray], prefix: str, layer: torch.nn.LayerNorm) -> None:
    _set(layer.weight, v[prefix + "/gamma"])
    _set(layer.bias, v[prefix + "/beta"])


def _attention(v: dict[str, np.ndarray], prefix: str, attn: Attention) -> None:
    _norm(v, prefix + "/layer_norm", attn.norm)
    linears = [attn.query, attn.kv, attn.out] if attn.cross else [attn.qkv, attn.out]
    for i, layer in enumerate(linears):
        _linear(v, f"{prefix}/linear_{i}", layer)


def _ffn(v: dict[str, np.ndarray], prefix: str, ffn: FeedForward) -> None:
    _norm(v, prefix + "/layer_norm", ffn.norm)
    _linear(v, prefix + "/linear_0", ffn.inner)
    _linear(v, prefix + "/linear_1", ffn.outer)


def load_package(package: Path) -> tuple[Transformer, bytes]:
    """The Transformer and SentencePiece model inside a toy ``.argosmodel``."""
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        model_bin = next(n for n in names if n.endswith("model/model.bin"))
        sp_name = next(n for n in names if n.endswith("sentencepiece.model"))
        v = read_model_bin(archive.read(model_bin))
        sp_bytes = archive.read(sp_name)
    vocab, d_model = v["encoder/embeddings_0/weight"].shape
    layers = sum(1 for n in v if n.startswith("encoder/layer_") and n.endswith("ffn/linear_0/bias"))
    ffn = v["encoder/layer_0/ffn/linear_0/bias"].shape[0]
    heads = int(v["encoder/num_heads"])
    model = Transformer(Shape(vocab=vocab, layers=layers, d_model=d_model, heads=heads, ffn=ffn))
    _set(model.embed.weight, v["encoder/embeddings_0/weight"])
    for i, (attn, ff) in enumerate(zip(model.enc_attn, model.enc_ffn, strict=True)):
        _attention(v, f"encoder/layer_{i}/self_attention", attn)
        _ffn(v, f"encoder/layer_{i}/ffn", ff)
    _norm(v, "encoder/layer_norm", model.enc_norm)
    parts = zip(model.dec_self, model.dec_cross, model.dec_ffn, strict=True)
    for i, (s, c, f) in enumerate(parts):
        _attention(v, f"decoder/layer_{i}/self_attention", s)
        _attention(v, f"decoder/layer_{i}/attention", c)
        _ffn(v, f"decoder/layer_{i}/ffn", f)
    _norm(v, "decoder/layer_norm", model.dec_norm)
    _set(model.bias, v["decoder/projection/bias"])
    return model, sp_bytes
