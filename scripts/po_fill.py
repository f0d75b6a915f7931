"""Fill untranslated or fuzzy entries of Django .po catalogs from translation tables.

Usage::

    python scripts/po_fill.py TABLE.json [TABLE.json ...]   # fill both catalogs
    python scripts/po_fill.py --missing                      # list what is still untranslated

Each table maps an English msgid to its translations::

    {"Products": {"zh_Hans": "商品", "ru": "Товары"},
     "%(count)s product": {"zh_Hans": ["%(count)s 个商品"],
                           "ru": ["%(count)s товар", "%(count)s товара",
                                  "%(count)s товаров", "%(count)s товара"]}}

A plural entry (one with ``msgid_plural``) is keyed by its singular msgid and takes a list with one
string per plural form of the catalog's ``Plural-Forms`` header (Chinese 1, Russian 4). Existing
translations are kept. Fuzzy entries, which ``makemessages`` guesses from a similar old string, are
overwritten when the table has the msgid, because the guess is usually the old string's meaning.
Used when a change adds user-visible strings: run ``django-admin makemessages -l zh_Hans -l ru`` in
src/pharmacrm, write the new strings' translations into src/pharmacrm/locale/tables/<app>.json,
fill, then ``compilemessages``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "src" / "pharmacrm" / "locale"
LANGUAGES = ("zh_Hans", "ru")
KEYWORD = re.compile(r"^(?P<key>msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (?P<text>\".*\")$")
NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")

Translation = str | list[str]


@dataclass
class Entry:
    """One catalog entry: its comment lines and its keyword → text pairs, in file order."""

    comments: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    raw: str = ""

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def is_plural(self) -> bool:
        return "msgid_plural" in self.fields

    @property
    def is_fuzzy(self) -> bool:
        return any(line.startswith("#,") and "fuzzy" in line for line in self.comments)

    @property
    def translations(self) -> list[str]:
        return [text for key, text in self.fields.items() if key.startswith("msgstr")]

    @property
    def is_translated(self) -> bool:
        return bool(self.translations) and all(self.translations) and not self.is_fuzzy

    @property
    def references(self) -> list[str]:
        return [ref for line in self.comments if line.startswith("#:") for ref in line[2:].split()]


def parse(text: str) -> list[Entry]:
    """Split a .po file into entries (blank-line separated blocks).

    Obsolete ``#~`` lines stay comments, so they are never counted as live entries.
    """
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry = Entry(raw=block)
        key = ""
        for line in block.splitlines():
            match = KEYWORD.match(line)
            if line.startswith("#"):
                entry.comments.append(line)
            elif match:
                key = match["key"]
                entry.fields[key] = json.loads(match["text"])
            elif line.startswith('"') and key:
                entry.fields[key] += json.loads(line)
        if entry.fields:
            entries.append(entry)
    return entries


def _quote(key: str, text: str) -> str:
    """Write one keyword line, wrapping on embedded newlines as gettext tools do."""
    parts = text.splitlines(keepends=True)
    if len(parts) <= 1:
        return f"{key} {json.dumps(text, ensure_ascii=False)}"
    lines = [f'{key} ""'] + [json.dumps(part, ensure_ascii=False) for part in parts]
    return "\n".join(lines)


def render(entry: Entry) -> str:
    """Write an entry back in the gettext layout (comments, then keyword lines).

    An entry left alone keeps its original lines, so a fill changes only the entries it filled.
    """
    if entry.raw:
        return entry.raw
    lines = list(entry.comments)
    lines += [_quote(key, text) for key, text in entry.fields.items()]
    return "\n".join(lines)


def nplurals(entries: list[Entry]) -> int:
    """Plural form count from the header entry (the one with the empty msgid)."""
    header = next(entry for entry in entries if entry.msgid == "")
    match = NPLURALS.search(header.fields["msgstr"])
    return int(match[1]) if match else 2


def _apply(entry: Entry, translation: Translation, plurals: int) -> None:
    """Put a table translation into ``entry`` and drop the fuzzy flag and the ``#|`` guess."""
    if entry.is_plural:
        if not isinstance(translation, list) or len(translation) != plurals:
            raise ValueError(f"{entry.msgid!r} needs a list of {plurals} plural forms")
        for index, text in enumerate(translation):
            entry.fields[f"msgstr[{index}]"] = text
    else:
        if not isinstance(translation, str):
            raise ValueError(f"{entry.msgid!r} is not a plural entry; give one string")
        entry.fields["msgstr"] = translation
    comments = []
    for line in entry.comments:
        if line.startswith("#|"):
            continue
        if line.startswith("#,"):
            flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        comments.append(line)
    entry.comments = comments
    entry.raw = ""


def fill(table: dict[str, dict[str, Translation]], lang: str) -> int:
    """Fill ``lang``'s catalog from ``table``; return how many entries were filled."""
    path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    entries = parse(path.read_text(encoding="utf-8"))
    plurals = nplurals(entries)
    filled = 0
    for entry in entries:
        if not entry.msgid or entry.is_translated or lang not in table.get(entry.msgid, {}):
            continue
        _apply(entry, table[entry.msgid][lang], plurals)
        filled += 1
    path.write_text("\n\n".join(render(entry) for entry in entries) + "\n", encoding="utf-8")
    _rewrap(path)
    return filled


def _rewrap(path: Path) -> None:
    """Wrap filled entries as ``makemessages`` does, so its next run changes only what moved.

    ``msgcat`` ships with gettext, which ``compilemessages`` needs anyway; without it the file
    stays valid, only unwrapped.
    """
    msgcat = shutil.which("msgcat")
    if msgcat is not None:
        subprocess.run([msgcat, "-o", str(path), str(path)], check=True)  # noqa: S603 - our file


def missing(lang: str) -> list[Entry]:
    """Entries of ``lang``'s catalog that still need a translation (empty or fuzzy)."""
    path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    return [entry for entry in parse(path.read_text(encoding="utf-8")) if not entry.is_translated]


def main() -> None:
    """Fill both catalogs from the tables named on the command line, or list what is missing."""
    if sys.argv[1:] == ["--missing"]:
        for lang in LANGUAGES:
            for entry in missing(lang):
                if entry.msgid:
                    print(lang, " ".join(entry.references), json.dumps(entry.msgid))  # noqa: T201
        return
    table: dict[str, dict[str, Translation]] = {}
    for name in sys.argv[1:]:
        table.update(json.loads(Path(name).read_text(encoding="utf-8")))
    for lang in LANGUAGES:
        print(lang, fill(table, lang))  # noqa: T201


if __name__ == "__main__":
    main()
