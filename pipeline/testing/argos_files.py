"""Writing a CTranslate2 model and an ``.argosmodel`` zip, shared by every test package.

:func:`convert_spec` is the documented way to save a hand-filled CTranslate2 spec (random
weights in :mod:`pipeline.testing.random_spec`, trained ones in ``bench/train_toy.py``);
:func:`write_package` lays out a package as argostranslate 1.11 installs it (see
:mod:`pipeline.testing.argos_package`), byte-identical for identical inputs.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["convert_spec", "write_package"]


def convert_spec(spec: Any, output_dir: Path, quantization: str) -> None:
    """Validate, quantize and save ``spec`` (a ``ctranslate2.specs`` model) in ``output_dir``."""
    from ctranslate2.converters import Converter

    class _SpecConverter(Converter):  # type: ignore[misc]  # ctranslate2 ships no type hints
        # The documented way to write a hand-built spec: convert() validates, quantizes and
        # saves whatever _load() returns.
        def __init__(self, model_spec: Any) -> None:
            self._spec = model_spec

        def _load(self) -> Any:
            return self._spec

    _SpecConverter(spec).convert(str(output_dir), quantization=quantization, force=True)


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _zip_info(name: str, *, directory: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.create_system = 3  # Unix, whatever the host, so the bytes do not depend on it
    if directory:
        info.external_attr = (0o40755 << 16) | 0x10
    else:
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_zip(path: Path, top: str, files: dict[str, bytes | Path]) -> None:
    names = {f"{top}/"} | {f"{top}/{name}" for name in files}
    for name in files:
        parts = name.split("/")[:-1]
        names |= {f"{top}/{'/'.join(parts[: i + 1])}/" for i in range(len(parts))}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(names):
            if name.endswith("/"):
                archive.writestr(_zip_info(name, directory=True), b"")
                continue
            content = files[name[len(top) + 1 :]]
            info = _zip_info(name, directory=False)
            if isinstance(content, bytes):
                archive.writestr(info, content)
            else:
                info.file_size = content.stat().st_size
                with content.open("rb") as src, archive.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    tmp.replace(path)


def write_package(
    path: Path, metadata: dict[str, str], files: dict[str, bytes | Path], model_dir: Path
) -> Path:
    """Write ``path`` (an ``.argosmodel``): metadata, ``files`` and ``model_dir`` as ``model/``.

    The zip's top folder is named after the file, as the Argos index's packages are.
    """
    top = path.name.removesuffix(".argosmodel").replace(".", "_")
    entries: dict[str, bytes | Path] = {
        "metadata.json": (json.dumps(metadata, indent=4) + "\n").encode("utf-8"),
        **files,
    }
    for item in sorted(model_dir.iterdir()):
        entries[f"model/{item.name}"] = item
    _write_zip(path, top, entries)
    return path
