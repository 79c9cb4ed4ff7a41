"""The PyTorch Transformer of ``bench/train_toy.py``, laid out like CTranslate2's spec.

Pre-norm encoder-decoder, ReLU feed-forward, sinusoidal positions ([sin | cos] halves),
embeddings scaled by sqrt(d_model), fused QKV (self-attention) and KV (cross-attention)
projections, so :func:`to_spec` copies every tensor into a ``TransformerSpec`` unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional

MAX_POSITIONS = 256
EPSILON = 1e-6  # CTranslate2's layer norm epsilon


@dataclass(frozen=True)
class Shape:
    """Model hyper-parameters."""

    vocab: int
    layers: int = 3
    d_model: int = 128
    heads: int = 4
    ffn: int = 512
    dropout: float = 0.0


def sinusoids(d: int) -> torch.Tensor:
    """Position table: first half sines, second half cosines."""
    half = d // 2
    pos = torch.arange(MAX_POSITIONS, dtype=torch.float64)[:, None]
    freq = 10000.0 ** (-torch.arange(half, dtype=torch.float64) / half)
    return torch.cat([torch.sin(pos * freq), torch.cos(pos * freq)], dim=1).float()


class Attention(nn.Module):
    """Multi-head attention with fused projections (CTranslate2 layout)."""

    def __init__(self, shape: Shape, *, cross: bool) -> None:
        super().__init__()
        d = shape.d_model
        self.heads = shape.heads
        self.cross = cross
        self.norm = nn.LayerNorm(d, eps=EPSILON)
        if cross:
            self.query = nn.Linear(d, d)
            self.kv = nn.Linear(d, 2 * d)
        else:
            self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.dropout = shape.dropout

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, memory: torch.Tensor | None = None
    ) -> torch.Tensor:
        h = self.norm(x)
        if self.cross:
            assert memory is not None
            q = self.query(h)
            k, v = self.kv(memory).chunk(2, dim=-1)
        else:
            q, k, v = self.qkv(h).chunk(3, dim=-1)
        q, k, v = self._split(q), self._split(k), self._split(v)
        drop = self.dropout if self.training else 0.0
        y = functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=drop)
        b, _, t, _ = y.shape
        y = y.transpose(1, 2).reshape(b, t, -1)
        return x + functional.dropout(self.out(y), drop, self.training)


class FeedForward(nn.Module):
    """Pre-norm ReLU feed-forward block."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(shape.d_model, eps=EPSILON)
        self.inner = nn.Linear(shape.d_model, shape.ffn)
        self.outer = nn.Linear(shape.ffn, shape.d_model)
        self.dropout = shape.dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = functional.dropout(torch.relu(self.inner(self.norm(x))), self.dropout, self.training)
        return x + functional.dropout(self.outer(h), self.dropout, self.training)


class Transformer(nn.Module):
    """Encoder-decoder with shared source/target/output embeddings."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = shape
        d = shape.d_model
        self.embed = nn.Embedding(shape.vocab, d)
        nn.init.normal_(self.embed.weight, std=d**-0.5)
        self.register_buffer("positions", sinusoids(d), persistent=False)
        self.enc_attn = nn.ModuleList(Attention(shape, cross=False) for _ in range(shape.layers))
        self.enc_ffn = nn.ModuleList(FeedForward(shape) for _ in range(shape.layers))
        self.enc_norm = nn.LayerNorm(d, eps=EPSILON)
        self.dec_self = nn.ModuleList(Attention(shape, cross=False) for _ in range(shape.layers))
        self.dec_cross = nn.ModuleList(Attention(shape, cross=True) for _ in range(shape.layers))
        self.dec_ffn = nn.ModuleList(FeedForward(shape) for _ in range(shape.layers))
        self.dec_norm = nn.LayerNorm(d, eps=EPSILON)
        self.bias = nn.Parameter(torch.zeros(shape.vocab))

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids) * math.sqrt(self.shape.d_model) + self.positions[: ids.shape[1]]
        return functional.dropout(x, self.shape.dropout, self.training)

    def encode(self, src: torch.Tensor, pad: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Memory and its attention mask (True = attend)."""
        mask = (src != pad)[:, None, None, :]
        x = self._embed(src)
        for attn, ffn in zip(self.enc_attn, self.enc_ffn, strict=True):
            x = ffn(attn(x, mask))
        return self.enc_norm(x), mask

    def decode(
        self, tgt: torch.Tensor, memory: torch.Tensor, mem_mask: torch.Tensor
    ) -> torch.Tensor:
        """Logits for every target position."""
        t = tgt.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).tril()[None, None]
        x = self._embed(tgt)
        for s, c, f in zip(self.dec_self, self.dec_cross, self.dec_ffn, strict=True):
            x = f(c(s(x, causal), mem_mask, memory))
        return self.dec_norm(x) @ self.embed.weight.T + self.bias

    def forward(self, src: torch.Tensor, tgt: torch.Tensor, pad: int) -> torch.Tensor:
        memory, mask = self.encode(src, pad)
        return self.decode(tgt, memory, mask)


def _linear(spec: Any, layer: nn.Linear) -> None:
    spec.weight = layer.weight.detach().numpy().copy()
    spec.bias = layer.bias.detach().numpy().copy()


def _norm(spec: Any, layer: nn.LayerNorm) -> None:
    spec.gamma = layer.weight.detach().numpy().copy()
    spec.beta = layer.bias.detach().numpy().copy()


def _attention(spec: Any, attn: Attention) -> None:
    _norm(spec.layer_norm, attn.norm)
    if attn.cross:
        _linear(spec.linear[0], attn.query)
        _linear(spec.linear[1], attn.kv)
        _linear(spec.linear[2], attn.out)
    else:
        _linear(spec.linear[0], attn.qkv)
        _linear(spec.linear[1], attn.out)


def _ffn(spec: Any, ffn: FeedForward) -> None:
    _norm(spec.layer_norm, ffn.norm)
    _linear(spec.linear_0, ffn.inner)
    _linear(spec.linear_1, ffn.outer)


def to_spec(model: Transformer, vocabulary: list[str]) -> Any:
    """A ``ctranslate2.specs.TransformerSpec`` holding the model's weights."""
    from ctranslate2.specs import TransformerSpec

    shape = model.shape
    spec = TransformerSpec.from_config(shape.layers, shape.heads, pre_norm=True)
    embeddings = model.embed.weight.detach().numpy().copy()
    table = sinusoids(shape.d_model).numpy()
    spec.encoder.embeddings[0].weight = embeddings
    spec.encoder.position_encodings.encodings = table
    for layer, attn, ffn in zip(spec.encoder.layer, model.enc_attn, model.enc_ffn, strict=True):
        _attention(layer.self_attention, attn)
        _ffn(layer.ffn, ffn)
    _norm(spec.encoder.layer_norm, model.enc_norm)
    decoder = spec.decoder
    decoder.embeddings.weight = embeddings
    decoder.position_encodings.encodings = table
    layers = zip(decoder.layer, model.dec_self, model.dec_cross, model.dec_ffn, strict=True)
    for layer, s, c, f in layers:
        _attention(layer.self_attention, s)
        _attention(layer.attention, c)
        _ffn(layer.ffn, f)
    _norm(decoder.layer_norm, model.dec_norm)
    decoder.projection.weight = embeddings
    decoder.projection.bias = model.bias.detach().numpy().copy()
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec
