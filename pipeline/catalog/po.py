"""Read and write PO files the way GNU gettext does.

The writer's output is byte-identical to ``msgcat`` (gettext 0.21, width 79) for what this
project writes: same line breaking (see :mod:`pipeline.catalog.wrap`), escapes, flag order,
obsolete entries last. The reader accepts what gettext, Poedit, Weblate, polib and
translate-toolkit write: a UTF-8 BOM, CRLF line ends (kept on rewrite), C escapes
(``\\303\\241``, ``\\x41``), plural entries, previous-msgid comments, obsolete entries. Lines
are split on ``\\n`` only, so U+2028, U+2029 and U+0085 inside strings are text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.catalog.model import Catalog, Entry
from pipeline.catalog.wrap import PAGE_WIDTH, wrap_field
from pipeline.errors import CatalogError

_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11}
_KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(\".*)$")
_OCTAL_RE = re.compile(r"[0-7]{1,3}")
_HEX_RE = re.compile(r"[0-9A-Fa-f]+")
# gettext's format flags, in the order msgcat writes them (after "fuzzy").
_FORMATS = [
    *("c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript"),
    *("scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "pascal", "smalltalk"),
    *("qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace", "php"),
    *("gcc-internal", "gfc-internal", "ycp"),
]
_FLAG_ORDER = {
    flag: i
    for i, flag in enumerate(
        f"{p}{name}-format" for name in _FORMATS for p in ("", "possible-", "impossible-", "no-")
    )
}


def unquote(token: str, where: str) -> str:
    """The text of one quoted PO string (C escapes decoded as UTF-8 bytes)."""
    token = token.strip()
    if len(token) < 2 or not token.startswith('"') or not token.endswith('"'):
        raise CatalogError(f"{where}: expected a quoted string, found {token[:40]!r}")
    body = token[1:-1]
    if "\\" not in body and '"' not in body:
        # Most lines have no escape: the same decoding, in one step.
        try:
            return body.encode("utf-8", "surrogatepass").decode("utf-8")
        except UnicodeDecodeError as err:
            raise CatalogError(f"{where}: not valid UTF-8 text ({err.reason})") from err
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            raise CatalogError(f"{where}: unescaped quote inside a string")
        if ch != "\\" or i + 1 == len(body):
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        code = body[i + 1]
        octal = _OCTAL_RE.match(body, i + 1)
        hexa = _HEX_RE.match(body, i + 2) if code == "x" else None
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i = octal.end()
        elif hexa:
            out.append(int(hexa.group(), 16) & 0xFF)
            i = hexa.end()
        else:
            simple = _SIMPLE_ESCAPES.get(code)
            out += bytes([simple]) if simple is not None else code.encode("utf-8", "surrogatepass")
            i += 2
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CatalogError(f"{where}: not valid UTF-8 text ({err.reason})") from err


# -- reading ---------------------------------------------------------------------------------


@dataclass
class _Pending:
    """The entry being read."""

    entry: Entry = field(default_factory=lambda: Entry(""))
    fields: dict[str, str] = field(default_factory=dict)
    previous: dict[str, str] = field(default_factory=dict)
    last: tuple[bool, str] | None = None  # (previous?, keyword) continuation lines extend
    start: int = 0

    @property
    def has_msgstr(self) -> bool:
        return any(k.startswith("msgstr") for k in self.fields)


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.catalog = Catalog()
        self.pending = _Pending()
        self.header_seen = False

    def finish(self) -> None:
        pending, self.pending = self.pending, _Pending()
        if "msgid" not in pending.fields:
            if pending.fields or pending.previous:
                raise CatalogError(f"{self.name}:{pending.start}: entry without msgid")
            return
        entry, fields = pending.entry, pending.fields
        entry.msgid = fields["msgid"]
        entry.context = fields.get("msgctxt")
        entry.msgid_plural = fields.get("msgid_plural")
        entry.msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
        n = 1
        while f"msgstr[{n}]" in fields:
            entry.plurals.append(fields[f"msgstr[{n}]"])
            n += 1
        entry.previous_msgid = pending.previous.get("msgid")
        entry.previous_context = pending.previous.get("msgctxt")
        entry.previous_msgid_plural = pending.previous.get("msgid_plural")
        if entry.msgid == "" and entry.context is None and not self.header_seen:
            self.catalog.header_comments = entry.comments
            self.catalog.header_flags = entry.flags
            self.catalog.header = _header_fields(entry.msgstr)
        else:
            self.catalog.entries.append(entry)
        self.header_seen = True

    def line(self, raw: str, number: int) -> None:
        where = f"{self.name}:{number}"
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].lstrip()
            if not line:
                return
            if line.startswith("|"):
                line = "#" + line
        if not line:
            if self.pending.fields:
                self.finish()
            return
        if line.startswith("#"):
            self.comment(line, raw, where, obsolete)
        else:
            self.keyword(line, raw, where, number, obsolete)

    def comment(self, line: str, raw: str, where: str, obsolete: bool) -> None:
        if self.pending.fields:
            self.finish()
        entry = self.pending.entry
        text = line if obsolete else raw.lstrip()  # gettext keeps trailing spaces of comments
        if line.startswith("#|"):
            self.string_line(line[2:].strip(), raw, where, previous=True)
            entry.obsolete = entry.obsolete or obsolete
        elif line.startswith("#,"):
            entry.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#."):
            entry.notes.append(text[2:].removeprefix(" "))
        elif line.startswith("#:"):
            entry.references.extend(r for r in line[2:].split() if r not in entry.references)
        else:
            entry.comments.append(text[1:].removeprefix(" "))

    def keyword(self, line: str, raw: str, where: str, number: int, obsolete: bool) -> None:
        match = _KEYWORD_RE.match(line)
        if match and match.group(1) in ("msgctxt", "msgid") and self.pending.has_msgstr:
            self.finish()
        if not self.pending.fields:
            self.pending.start = number
        if match and match.group(1).startswith("msgstr"):
            self.pending.entry.line = number
        self.pending.entry.obsolete = self.pending.entry.obsolete or obsolete
        self.string_line(line, raw, where, previous=False)

    def string_line(self, text: str, raw: str, where: str, previous: bool) -> None:
        pending = self.pending
        target = pending.previous if previous else pending.fields
        match = _KEYWORD_RE.match(text)
        if match:
            keyword = match.group(1)
            if keyword in target:
                raise CatalogError(f"{where}: {keyword} appears twice in one entry")
            target[keyword] = unquote(match.group(3), where)
            pending.last = (previous, keyword)
        elif text.startswith('"') and pending.last is not None and pending.last[0] == previous:
            target[pending.last[1]] += unquote(text, where)
        else:
            raise CatalogError(f"{where}: cannot read {raw.strip()[:60]!r}")


def _header_fields(msgstr: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for raw in msgstr.split("\n"):
        key, sep, value = raw.partition(":")
        if sep:
            header[key.strip()] = value.removeprefix(" ")
    return header


def parse_po(text: str, name: str = "<po>") -> Catalog:
    """Parse PO text (``name`` is used in error messages); BOM and CRLF are accepted."""
    notices: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        notices.append(f"{name}: removed the UTF-8 byte order mark (msgfmt rejects it)")
    newline = "\r\n" if "\r\n" in text else "\n"
    reader = _Reader(name)
    for number, raw in enumerate(text.split("\n"), start=1):
        reader.line(raw.removesuffix("\r"), number)
    reader.finish()
    catalog = reader.catalog
    catalog.newline = newline
    catalog.notices = notices
    _check_unique(catalog, name)
    return catalog


def _check_unique(catalog: Catalog, name: str) -> None:
    seen: dict[tuple[bool, str | None, str], int] = {}
    for entry in catalog.entries:
        key = (entry.obsolete, entry.context, entry.msgid)
        if key in seen:
            raise CatalogError(
                f"{name}:{entry.line}: duplicate entry (msgctxt {entry.context!r}), "
                f"first at line {seen[key]}"
            )
        seen[key] = entry.line


# -- writing ---------------------------------------------------------------------------------


def _comment_lines(mark: str, texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        for part in text.split("\n"):
            # gettext reads a backslash at the end of a line as "continued on the next line".
            part = part + " " if part.endswith("\\") else part
            out.append(f"{mark} {part}" if part else mark)
    return out


def _references(references: list[str]) -> list[str]:
    if not references:
        return []
    lines = ["#:"]
    column = 2
    for ref in references:
        ref = ref.removeprefix("./")
        if column > 2 and column + len(ref) + 1 > PAGE_WIDTH:
            lines.append("#:")
            column = 2
        lines[-1] += " " + ref
        column += len(ref) + 1
    return lines


def _flags(flags: list[str], translated: bool) -> list[str]:
    """gettext's order: fuzzy, format flags, range, wrap; others (kept) after them."""
    known = sorted((f for f in flags if f in _FLAG_ORDER), key=_FLAG_ORDER.__getitem__)
    ranges = [f for f in flags if f.startswith("range:")]
    wraps = ["no-wrap"] if "no-wrap" in flags else []  # "wrap" is the default: not written
    other = [f for f in flags if f not in {"fuzzy", "wrap", *known, *ranges, *wraps}]
    ordered = (["fuzzy"] if "fuzzy" in flags and translated else []) + known
    ordered += ranges[:1] + wraps[:1] + list(dict.fromkeys(other))
    return ["#, " + ", ".join(ordered)] if ordered else []


def format_entry(entry: Entry) -> list[str]:
    """The lines of one entry, as msgcat writes it."""
    out = _comment_lines("#", entry.comments) + _comment_lines("#.", entry.notes)
    out += _references(entry.references)
    out += _flags(entry.flags, bool(entry.msgstr))
    wrap = "no-wrap" not in entry.flags
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    for name, value, pre in (
        ("msgctxt", entry.previous_context, previous),
        ("msgid", entry.previous_msgid, previous),
        ("msgid_plural", entry.previous_msgid_plural, previous),
        ("msgctxt", entry.context, prefix),
        ("msgid", entry.msgid, prefix),
        ("msgid_plural", entry.msgid_plural, prefix),
    ):
        if value is not None:
            out += wrap_field(name, value, pre, wrap=wrap)
    if entry.msgid_plural is None:
        out += wrap_field("msgstr", entry.msgstr, prefix, wrap=wrap)
    else:
        for n, text in enumerate([entry.msgstr, *entry.plurals]):
            out += wrap_field(f"msgstr[{n}]", text, prefix, wrap=wrap)
    return out


def format_catalog(catalog: Catalog) -> str:
    """The PO text of ``catalog``: what ``msgcat`` would write (line ends as read)."""
    header = "".join(f"{k}: {v}\n" for k, v in catalog.header.items())
    out = _comment_lines("#", catalog.header_comments) + _flags(catalog.header_flags, True)
    out += wrap_field("msgid", "") + wrap_field("msgstr", header)
    ordered = [e for e in catalog.entries if not e.obsolete]
    ordered += [e for e in catalog.entries if e.obsolete]
    for entry in ordered:
        out.append("")
        out += format_entry(entry)
    text = "\n".join(out) + "\n"
    _check_writable(text)
    return text.replace("\n", catalog.newline) if catalog.newline != "\n" else text


def _check_writable(text: str) -> None:
    if "\0" in text:
        raise CatalogError("catalog text contains a NUL character, which PO cannot hold")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise CatalogError(
            f"catalog text contains a lone surrogate ({text[err.start]!r}), not Unicode text"
        ) from err
