"""Word alignment from CTranslate2's attention over SentencePiece pieces (Argos engine).

Placing links and emphasis in a translation (pipeline.protect) needs, for each output piece,
the input piece it attends to most, as character offsets into both texts.
"""

from __future__ import annotations

from typing import Any


def _char_offsets(text: str, pieces: Any) -> list[tuple[int, int]]:
    """Character offsets of SentencePiece pieces, whose begin/end count UTF-8 bytes."""
    if text.isascii():  # one byte per character: the offsets are the characters'
        return [(p.begin, p.end) for p in pieces]
    chars = [index for index, char in enumerate(text) for _ in range(len(char.encode("utf-8")))]
    chars.append(len(text))
    return [(chars[p.begin], chars[p.end]) for p in pieces]


def _offsets(tokenizer: Any, source: str, tokens: list[str]) -> Any:
    """Character offsets of the source's pieces, the decoded text and its pieces' offsets.

    sentencepiece's ``offset_mapping`` gives them without protobuf (an import of 40 ms);
    an older sentencepiece has only the protobuf form, a much older one neither (None).
    """
    try:
        src = tokenizer.encode(source, out_type="offset_mapping")["offsets"]
        out = tokenizer.decode_pieces(tokens, out_type="offset_mapping")
        return list(src), out["text"], list(out["offsets"])
    except (TypeError, ValueError, RuntimeError, KeyError):
        pass
    try:
        encoded = tokenizer.encode(source, return_type="proto")
        decoded = tokenizer.decode_pieces(tokens, return_type="proto")
    except (TypeError, ValueError, AttributeError):
        return None
    src = _char_offsets(source, encoded.pieces)
    return src, decoded.text, _char_offsets(decoded.text, decoded.pieces)


def piece_alignment(
    tokenizer: Any, prefix: str, source: str, tokens: list[str], attention: Any, output: str
) -> tuple[tuple[int, int, int, int], ...] | None:
    """Each output piece with the input piece it attends to most, as character offsets:
    (source start, source end, output start, output end) in ``source`` and ``output``."""
    rows = list(attention)
    if prefix and tokens and tokens[0] == prefix:
        tokens, rows = tokens[1:], rows[1:]
    offsets = _offsets(tokenizer, source, tokens)
    if offsets is None:
        return None
    src, text, tgt = offsets
    lead = len(text) - len(text.lstrip())  # _decode() strips the text
    if len(rows) != len(tgt) or not src or text.strip() != output:
        return None
    links = []
    for (t_start, t_end), row in zip(tgt, rows, strict=True):
        weights = list(row)[: len(src)]
        if t_end <= t_start or not weights:
            continue
        best = weights.index(max(weights))  # the first of equal weights, as before
        links.append((*src[best], max(0, t_start - lead), max(0, t_end - lead)))
    return tuple(links)
