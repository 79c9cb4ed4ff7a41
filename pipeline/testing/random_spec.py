"""Seeded random CTranslate2 Transformer weights that stop like a trained model.

Random weights never make ``</s>`` win, so a few weights are hard-wired.
The last ``n_c = d_model / 8`` residual dimensions are a control block that the random layers
never read (zero input columns) nor write (zero output rows); the random dimensions before it
carry the usual embeddings, sinusoidal positions and random layers.

* Encoder positions write, in the control block, ``+-K*u(p)`` with ``u(p) = log(1+p)/log(1+P)``,
  a compensating pair ``+-K*sqrt(1-u(p)^2)`` and ``+-K`` fillers: zero mean and constant norm,
  and ``K`` is large beside the random dimensions, so the final layer norm divides every
  position by the same known ``sigma`` and the memory carries ``u(p)`` exactly, scaled.
* In decoder layer 0, one cross-attention head has zero query/key weights, so it attends
  uniformly to the source and its value, read from the ``u`` pair, is the mean
  ``U(n) = mean(u(0..n-1))``, which grows with the source length ``n``. Its output projection
  writes ``+-K*U(n)`` into two control dimensions of the decoder residual.
* Decoder positions write ``+-K*v(t)`` with ``v(t) = U((t - 5) / 1.3)`` (``U`` interpolated),
  plus compensating and filler dimensions.
* The ``</s>`` row of the output projection is ``G * (T - M)`` over those dimensions: after
  the final layer norm its sign is exactly the sign of ``v(t) - U(n)`` (the norm divides both
  by the same ``sigma``), negative until step ``1.3 * n + 5`` and positive after, with a
  magnitude (``G``) that beats the random logits by far. ``<unk>`` and ``<s>`` get a -100 bias.

The log scale keeps the relative resolution under int8 (127 levels per vector). Measured with
beam 1 and 2, TINY and BASE, every quantization: the output has ``floor(1.3 * n + 5) + 1``
tokens give or take 1-3 (n = 1 to 150), until ``max_decoding_length`` (256 by default) caps it
for n above ~190.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float32]

__all__ = ["ModelSize", "build_spec"]


@dataclass(frozen=True)
class ModelSize:
    """Shape of a generated Transformer; ``vocab_size`` is the SentencePiece size requested."""

    layers: int
    d_model: int
    heads: int
    ffn: int
    vocab_size: int

    def __post_init__(self) -> None:
        if self.layers < 1 or self.heads < 1 or self.ffn < 1:
            raise ValueError(f"layers, heads and ffn must be positive: {self}")
        if self.d_model < 32 or self.d_model % self.heads:
            raise ValueError(f"d_model must be >= 32 and divisible by heads: {self}")


# Rows of both position tables; translate_batch truncates sources at 1024 tokens by default.
_MAX_POSITIONS = 1024
_LENGTH_RATIO = 1.3
_LENGTH_OFFSET = 5.0
# Control values in the residual stream; ~60x the random dimensions, so layer norms are set
# by the control block alone (to ~0.1 %) and the stop signal survives them unchanged.
_CONTROL = 100.0
# Typical size of a random residual dimension, used to undo the layer norms' big divisor.
_RANDOM_SCALE = 1.5
# The uniform head's output: ~10x the random heads', so int8 keeps it precise.
_CONTEXT_GAIN = 10.0
# </s> logit per int8 step of (v(t) - U(n)) in the final layer's input: decisive at 1 step.
_EOS_LOGIT_PER_STEP = 30.0
_LOGIT_STD = 3.0
_BANNED_LOGIT = -100.0


def _length_curves() -> tuple[FloatArray, FloatArray]:
    """Return ``u`` per source position and ``v`` per target step (see the module docstring)."""
    import numpy as np

    p = np.arange(_MAX_POSITIONS, dtype=np.float64)
    u = np.log1p(p) / math.log1p(_MAX_POSITIONS)
    lengths = np.arange(1, _MAX_POSITIONS + 1, dtype=np.float64)
    mean_u = np.cumsum(u) / lengths  # U(n) at index n - 1
    # The source length for which step t is the stop step; v(t) > U(n) <=> t > 1.3 n + 5.
    x = (p - _LENGTH_OFFSET) / _LENGTH_RATIO
    v = np.interp(x, lengths, mean_u)
    # Below one source token extend linearly, so the first steps are firmly "go on".
    short = x < 1
    v[short] = mean_u[0] + (x[short] - 1) * (mean_u[1] - mean_u[0])
    return u.astype(np.float32), v.astype(np.float32)


def _control_size(d_model: int) -> int:
    # Even (the block is made of +/- pairs) and at least 8: 6 signal dims and 2 fillers.
    return max(8, 2 * ((d_model // 8 + 1) // 2))


class _Filler:
    """Fills a ``TransformerSpec``; one seeded generator, drawn in a fixed order."""

    def __init__(self, size: ModelSize, vocab: int, seed: int) -> None:
        import numpy as np

        self.np = np
        self.d, self.heads, self.ffn, self.vocab = size.d_model, size.heads, size.ffn, vocab
        self.n_c = _control_size(self.d)
        self.r = self.d - self.n_c  # random dims come first, the control block is [r, d)
        self.head_dim = self.d // self.heads
        self.k = _CONTROL
        self.rng = np.random.RandomState(seed)
        # Layer norms see sigma ~ K * sqrt(n_c / d) (the control block dominates); this gain
        # brings the random dims back to ~1 so the random layers work on ordinary magnitudes.
        self.enc_sigma = self.k * math.sqrt((self.n_c - 2) / self.d)
        self.dec_sigma = self.k * math.sqrt((self.n_c - 4) / self.d)

    def normal(self, shape: tuple[int, ...], std: float) -> FloatArray:
        values: FloatArray = (self.rng.standard_normal(shape) * std).astype(self.np.float32)
        return values

    def linear(
        self, out_dim: int, in_dim: int, gain: float, *, reads_model: bool, writes_model: bool
    ) -> tuple[FloatArray, FloatArray]:
        # Random layers neither read the control block (it would swamp their inputs) nor write
        # it (they would blur the stop signal); gains below 1 on the outputs keep the random
        # residual around _RANDOM_SCALE after 6 layers.
        r = self.r
        fan_in = r if reads_model else in_dim
        weight = self.normal((out_dim, in_dim), gain / math.sqrt(fan_in))
        bias = self.normal((out_dim,), 0.02)
        if reads_model:
            weight[:, r:] = 0
        if writes_model:
            weight[r:, :] = 0
            bias[r:] = 0
        return weight, bias

    def norm(self, norm: Any, sigma: float, control_gain: float) -> None:
        gamma = self.np.full((self.d,), sigma / _RANDOM_SCALE, dtype=self.np.float32)
        gamma[self.r :] = control_gain
        norm.gamma = gamma
        norm.beta = self.np.zeros((self.d,), dtype=self.np.float32)

    def positions(self, signal: FloatArray, fillers_from: int) -> FloatArray:
        """Sinusoids in the random dims; ``+-K*signal``, its complement and fillers after."""
        np, r, d, k = self.np, self.r, self.d, self.k
        half = r // 2
        pos = np.arange(_MAX_POSITIONS, dtype=np.float64)[:, None]
        freq = 10000.0 ** (-np.arange(half, dtype=np.float64) / half)
        table: FloatArray = np.zeros((_MAX_POSITIONS, d), dtype=np.float32)
        table[:, :half] = np.sin(pos * freq)
        table[:, half : 2 * half] = np.cos(pos * freq)
        table[:, r] = k * signal
        table[:, r + 1] = -k * signal
        table[:, r + 2] = k * np.sqrt(np.clip(1 - signal * signal, 0, 1))
        table[:, r + 3] = -table[:, r + 2]
        table[:, fillers_from:d:2] = k
        table[:, fillers_from + 1 : d : 2] = -k
        return table

    def embeddings(self) -> FloatArray:
        embeddings = self.normal((self.vocab, self.d), 1 / math.sqrt(self.d))
        embeddings[:, self.r :] = 0  # scale_embeddings multiplies by sqrt(d)
        return embeddings

    def self_attention_and_ffn(self, layer: Any, sigma: float) -> None:
        # Inner norms give the control block gain 0: only the final norms pass it on, and the
        # int8 step of each random layer's input is then set by the random dims alone.
        d, ffn = self.d, self.ffn
        self.norm(layer.self_attention.layer_norm, sigma, 0.0)
        _set_linear(
            layer.self_attention.linear[0],
            self.linear(3 * d, d, 1.0, reads_model=True, writes_model=False),
        )
        _set_linear(
            layer.self_attention.linear[1],
            self.linear(d, d, 0.5, reads_model=False, writes_model=True),
        )
        self.norm(layer.ffn.layer_norm, sigma, 0.0)
        _set_linear(
            layer.ffn.linear_0, self.linear(ffn, d, 1.0, reads_model=True, writes_model=False)
        )
        _set_linear(
            layer.ffn.linear_1, self.linear(d, ffn, 0.7, reads_model=False, writes_model=True)
        )

    def cross_attention(self, attention: Any, first: bool) -> None:
        d, r, k, heads, head_dim = self.d, self.r, self.k, self.heads, self.head_dim
        self.norm(attention.layer_norm, self.dec_sigma, 0.0)
        query = self.linear(d, d, 1.0, reads_model=True, writes_model=False)
        keys_values = self.linear(2 * d, d, 1.0, reads_model=True, writes_model=False)
        output = self.linear(d, d, 0.5, reads_model=False, writes_model=True)
        if first:
            # The last head: zero queries -> uniform attention over the source; its first
            # value dim reads memory[u] - memory[-u] = 2 u(p) K / sigma, so it outputs
            # _CONTEXT_GAIN * U(n); the output projection turns that into +-K U(n).
            h = slice((heads - 1) * head_dim, heads * head_dim)
            query[0][h] = 0
            query[1][h] = 0
            kv_head = slice(d + (heads - 1) * head_dim, d + heads * head_dim)
            for part in (h, kv_head):
                keys_values[0][part] = 0
                keys_values[1][part] = 0
            row = d + (heads - 1) * head_dim
            w = _CONTEXT_GAIN * self.enc_sigma / (2 * k)
            keys_values[0][row, r] = w
            keys_values[0][row, r + 1] = -w
            output[0][:, h] = 0
            output[0][r + 4, (heads - 1) * head_dim] = k / _CONTEXT_GAIN
            output[0][r + 5, (heads - 1) * head_dim] = -k / _CONTEXT_GAIN
        _set_linear(attention.linear[0], query)
        _set_linear(attention.linear[1], keys_values)
        _set_linear(attention.linear[2], output)

    def projection(self, decoder: Any, vocabulary: list[str]) -> None:
        # Word logits ignore the control block, or the slowly moving position signal in it
        # would pick the same few words at every step.
        np, r, k = self.np, self.r, self.k
        projection = self.normal((self.vocab, self.d), _LOGIT_STD / math.sqrt(r))
        projection[:, r:] = 0
        bias = np.zeros((self.vocab,), dtype=np.float32)
        eos = vocabulary.index("</s>")
        # One int8 step of the final norm's output is ~(K / dec_sigma) / 127 in v - U units.
        gain = _EOS_LOGIT_PER_STEP * 127 * self.dec_sigma / (2 * k)
        projection[eos] = 0
        projection[eos, r] = gain
        projection[eos, r + 1] = -gain
        projection[eos, r + 4] = -gain
        projection[eos, r + 5] = gain
        for banned in ("<unk>", "<s>"):
            bias[vocabulary.index(banned)] = _BANNED_LOGIT
        decoder.projection.weight = projection
        decoder.projection.bias = bias


def _set_linear(layer: Any, weight_and_bias: tuple[FloatArray, FloatArray]) -> None:
    layer.weight, layer.bias = weight_and_bias


def build_spec(size: ModelSize, vocabulary: list[str], seed: int) -> Any:
    """Return a filled ``ctranslate2.specs.TransformerSpec`` (see the module docstring)."""
    from ctranslate2.specs import TransformerSpec

    fill = _Filler(size, len(vocabulary), seed)
    u, v = _length_curves()
    spec = TransformerSpec.from_config(size.layers, size.heads, pre_norm=True)
    # Encoder control block: [K u, -K u, K sqrt(1-u^2), -K sqrt(1-u^2), fillers].
    spec.encoder.embeddings[0].weight = fill.embeddings()
    spec.encoder.position_encodings.encodings = fill.positions(u, fill.r + 4)
    for layer in spec.encoder.layer:
        fill.self_attention_and_ffn(layer, fill.enc_sigma)
    fill.norm(spec.encoder.layer_norm, fill.enc_sigma, 1.0)
    # Decoder control block: [K v, -K v, K sqrt(1-v^2), -K sqrt(1-v^2), M, -M, fillers].
    decoder = spec.decoder
    decoder.embeddings.weight = fill.embeddings()
    table = fill.positions(v, fill.r + 6)
    table[:, fill.r + 4 : fill.r + 6] = 0  # M, -M: written by the uniform head
    decoder.position_encodings.encodings = table
    for index, layer in enumerate(decoder.layer):
        fill.self_attention_and_ffn(layer, fill.dec_sigma)
        fill.cross_attention(layer.attention, index == 0)
    fill.norm(decoder.layer_norm, fill.dec_sigma, 1.0)
    fill.projection(decoder, vocabulary)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec
