"""A small rule-based sentence splitter in MiniSBD's ONNX format, and a way to pack it.

LibreTranslate (through its argostranslate fork) splits every text with MiniSBD before it
translates. MiniSBD looks for ``<package>/minisbd/*.onnx`` and otherwise downloads a model,
which fails offline with a 500 answer. The test packages therefore carry this model.

MiniSBD's interface, read from ``minisbd/inference.py`` and ``minisbd/modules/`` (0.9.x):

* The ONNX file's metadata holds ``lang_code``, ``config`` (JSON: ``feat_funcs``,
  ``max_seqlen``, ``batch_size``, ``skip_newline``, ``no_ssplit``, ``use_dictionary``,
  ``num_dict_feat``), ``vocab`` (JSON state of its ``Vocab``: ``_id2unit``/``_unit2id``
  over single characters, ``<PAD>`` = 0, ``<UNK>`` = 1) and optionally ``lexicon``.
* Inputs: ``units`` (int64, batch x characters: vocabulary ids) and ``features`` (float32,
  batch x characters x features, one column per ``feat_funcs`` entry, here ``space_before``
  = the character is a space and ``capitalized`` = it is upper case).
* Output: per-character scores for five classes; MiniSBD takes the arg-max. 0 = inside a
  token, 1 = end of a token, 2 = end of a token and of a sentence, 3/4 = the same for
  multi-word tokens (never produced here).

The graph: a character ends a sentence when it is ``.``, ``!`` or ``?``, the next character
is a space and the one after that is a capital letter; it ends a token when it is not a
space and the next character is. The rest of the text is one sentence.
"""

from __future__ import annotations

import json
import string
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["add_files_to_package", "build_minisbd_model"]

_FEATURES = ["space_before", "capitalized"]
_SENTENCE_ENDS = ".!?"
# Characters with their own vocabulary id; any other character maps to <UNK>, which is
# enough because the graph only needs to recognise the sentence-ending punctuation.
_CHARACTERS = string.ascii_letters + string.digits + string.punctuation + " "


def _vocabulary() -> list[str]:
    return ["<PAD>", "<UNK>", *_CHARACTERS]


def _export(model: Any, inputs: tuple[Any, ...], path: Path) -> None:
    import torch

    # The TorchScript exporter (dynamo=False) needs no onnxscript and keeps the two
    # sequence axes dynamic through dynamic_axes; its deprecation notice is not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        _export_now(torch, model, inputs, path)


def _export_now(torch: Any, model: Any, inputs: tuple[Any, ...], path: Path) -> None:
    torch.onnx.export(
        model,
        inputs,
        str(path),
        input_names=["units", "features"],
        output_names=["scores"],
        dynamic_axes={
            "units": {0: "batch", 1: "characters"},
            "features": {0: "batch", 1: "characters"},
            "scores": {0: "batch", 1: "characters"},
        },
        opset_version=17,
        dynamo=False,
    )


def build_minisbd_model(lang_code: str = "en") -> bytes:
    """Return the bytes of a MiniSBD-compatible ``.onnx`` sentence-boundary model.

    Needs torch and onnx (export time only); the result runs with onnxruntime alone.
    """
    import onnx
    import torch

    units = _vocabulary()
    ends = torch.zeros(len(units))
    for char in _SENTENCE_ENDS:
        ends[units.index(char)] = 1.0

    class _Splitter(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("ends", ends)

        def forward(self, units: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
            is_end = self.ends[units]  # type: ignore[index]
            space = features[:, :, 0]
            capital = features[:, :, 1]
            # Shift left by one and two characters; the zeros keep the length for any N >= 1.
            zeros = torch.zeros_like(space)
            next_space = torch.cat([space[:, 1:], zeros[:, :1]], dim=1)
            next2_capital = torch.cat([capital[:, 2:], zeros[:, :2]], dim=1)
            sentence_end = is_end * next_space * next2_capital
            token_end = (1.0 - space) * next_space
            inside = torch.full_like(space, 0.5)
            never = torch.full_like(space, -1.0)
            return torch.stack([inside, token_end, 2.0 * sentence_end, never, never], dim=2)

    model = _Splitter().eval()
    example_units = torch.tensor([[units.index("A"), units.index("."), units.index(" ")]])
    example_features = torch.zeros(1, 3, len(_FEATURES))
    with tempfile.TemporaryDirectory(prefix="minisbd-") as tmp:
        path = Path(tmp) / "model.onnx"
        _export(model, (example_units, example_features), path)
        proto = onnx.load(str(path))
    metadata = _metadata(lang_code, units)
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key = key
        entry.value = value
    proto.producer_name = "summary-pipeline minisbd_model"
    return bytes(proto.SerializeToString())


def _metadata(lang_code: str, units: list[str]) -> dict[str, str]:
    """The ONNX metadata MiniSBD reads: the model's config and its character vocabulary."""
    config = {
        "feat_funcs": _FEATURES,
        "max_seqlen": 1000,
        "batch_size": 32,
        "skip_newline": False,
        "no_ssplit": False,
        "use_dictionary": False,
        "num_dict_feat": 0,
    }
    vocab: dict[str, Any] = {
        "lang": lang_code,
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_id2unit": units,
        "_unit2id": {unit: i for i, unit in enumerate(units)},
    }
    return {
        "lang_code": lang_code,
        "config": json.dumps(config),
        "vocab": json.dumps(vocab),
    }


def add_files_to_package(package: Path, files: dict[str, bytes], dest: Path | None = None) -> Path:
    """Copy the ``.argosmodel`` zip ``package`` with ``files`` added inside its top folder.

    ``files`` maps paths relative to the package folder (``"minisbd/en.onnx"``) to bytes.
    Writes to ``dest`` (default: replace ``package``) and returns that path.
    """
    dest = dest or package
    with zipfile.ZipFile(package) as source:
        names = source.namelist()
        top = names[0].split("/")[0]
        entries = [(info, source.read(info)) for info in source.infolist()]
    existing = set(names)
    tmp = dest.with_name(f".{dest.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            target.writestr(info, data)
        for rel, data in sorted(files.items()):
            parts = rel.split("/")
            for depth in range(1, len(parts)):
                folder = f"{top}/{'/'.join(parts[:depth])}/"
                if folder not in existing:
                    target.writestr(zipfile.ZipInfo(folder, date_time=(1980, 1, 1, 0, 0, 0)), b"")
                    existing.add(folder)
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            target.writestr(info, data)
    tmp.replace(dest)
    return dest
