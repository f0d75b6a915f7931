"""The zh-hans and ru catalogs are complete, keep every placeholder, and ship compiled.

A missing translation shows English in the middle of a Chinese page; a dropped ``%(account)s``
raises ``KeyError`` at render time; a stale ``.mo`` means the committed translations never reach
the running server (Django reads only the compiled file). The checks read the files themselves —
a small .po reader here and the GNU .mo layout — so they do not depend on the fill script.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "pharmacrm" / "locale"
LANGUAGES = ("zh_Hans", "ru")
PLURAL_FORMS = {"zh_Hans": 1, "ru": 4}
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$")
# Python %-format (named, bare, and the literal %%) and str.format fields.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%%|%[sdif]|\{\w*\}")
MO_MAGIC = 0x950412DE


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def translations(self) -> list[str]:
        return [text for key, text in self.fields.items() if key.startswith("msgstr")]

    @property
    def is_fuzzy(self) -> bool:
        return any(line.startswith("#,") and "fuzzy" in line for line in self.comments)


def read_po(lang: str) -> list[Entry]:
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry = Entry()
        key = ""
        for line in block.splitlines():
            match = KEYWORD.match(line)
            if line.startswith("#"):
                entry.comments.append(line)
            elif match:
                key = match[1]
                entry.fields[key] = json.loads(match[2])
            elif line.startswith('"'):
                entry.fields[key] += json.loads(line)
        if entry.fields:
            entries.append(entry)
    return entries


def read_mo(lang: str) -> dict[str, str]:
    """Original → translation pairs of the compiled catalog (GNU gettext .mo layout).

    Plural entries are stored as ``msgid NUL msgid_plural`` → forms joined by NUL.
    """
    data = (LOCALE / lang / "LC_MESSAGES" / "django.mo").read_bytes()
    magic, _revision, count, originals_at, translations_at = struct.unpack_from("<5I", data)
    assert magic == MO_MAGIC

    def string(table_at: int, index: int) -> str:
        length, offset = struct.unpack_from("<2I", data, table_at + 8 * index)
        return data[offset : offset + length].decode("utf-8")

    return {string(originals_at, i): string(translations_at, i) for i in range(count)}


def po_as_mo(entries: list[Entry]) -> dict[str, str]:
    """What msgfmt must produce from the .po: every entry, plurals NUL-joined.

    msgfmt leaves ``POT-Creation-Date`` out of the compiled header, so it is dropped here too.
    """
    pairs = {}
    for entry in entries:
        original = entry.fields["msgid"]
        if "msgid_plural" in entry.fields:
            original += "\0" + entry.fields["msgid_plural"]
        pairs[original] = "\0".join(entry.translations)
    pairs[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", pairs[""])
    return pairs


def placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(text)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_a_reviewed_translation(lang: str) -> None:
    entries = [entry for entry in read_po(lang) if entry.fields["msgid"]]

    untranslated = [e.fields["msgid"] for e in entries if not all(e.translations)]
    fuzzy = [e.fields["msgid"] for e in entries if e.is_fuzzy]

    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_have_every_form_of_the_language(lang: str) -> None:
    entries = read_po(lang)
    header = next(entry for entry in entries if entry.fields["msgid"] == "")
    plurals = [entry for entry in entries if "msgid_plural" in entry.fields]

    form_counts = {e.fields["msgid"]: len(e.translations) for e in plurals}

    assert f"nplurals={PLURAL_FORMS[lang]};" in header.fields["msgstr"]
    assert set(form_counts.values()) <= {PLURAL_FORMS[lang]}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english(lang: str) -> None:
    entries = [entry for entry in read_po(lang) if entry.fields["msgid"]]

    mismatched = []
    for entry in entries:
        english = entry.fields["msgid"] + entry.fields.get("msgid_plural", "")
        for translation in entry.translations:
            if placeholders(translation) != placeholders(english):
                mismatched.append((entry.fields["msgid"], translation))

    assert mismatched == []


def test_placeholder_pattern_sees_named_bare_brace_and_escaped_percent() -> None:
    text = "%(account)s owes %(amount).2f, {count} left, 20 %% done, %s"

    assert placeholders(text) == ["%%", "%(account)s", "%(amount).2f", "%s", "{count}"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(lang: str) -> None:
    expected = po_as_mo(read_po(lang))

    compiled = read_mo(lang)

    assert compiled == expected
