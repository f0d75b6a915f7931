"""Fill empty msgstr entries of Django .po catalogs from a translation table.

Usage: python scripts/po_fill.py TABLE.json
TABLE.json maps each English msgid to {"zh_Hans": "...", "ru": "..."}. Existing translations are
kept; fuzzy flags on filled entries are removed. Used when a change adds user-visible strings:
run ``django-admin makemessages -l zh_Hans -l ru`` in src/pharmacrm, write the new strings'
translations into a table, fill, then ``compilemessages``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "src" / "pharmacrm" / "locale"
ENTRY = re.compile(
    r'(?P<head>(?:#[^\n]*\n)*)msgid (?P<id>(?:"[^\n]*"\n)+)msgstr (?P<str>(?:"[^\n]*"\n)+)'
)


def _unquote(block: str) -> str:
    return "".join(json.loads(line) for line in block.strip().splitlines())


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "\n"


def fill(table: dict[str, dict[str, str]], lang: str) -> int:
    """Fill ``lang``'s catalog from ``table``; return how many entries were filled."""
    path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    source = path.read_text(encoding="utf-8")
    filled = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal filled
        msgid = _unquote(match["id"])
        current = _unquote(match["str"])
        if not msgid or current or msgid not in table or lang not in table[msgid]:
            return match.group(0)
        filled += 1
        head = match["head"].replace("#, fuzzy\n", "").replace(", fuzzy", "")
        return f"{head}msgid {match['id']}msgstr {_quote(table[msgid][lang])}"

    path.write_text(ENTRY.sub(replace, source), encoding="utf-8")
    return filled


def main() -> None:
    """Fill both catalogs from the table named on the command line."""
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for lang in ("zh_Hans", "ru"):
        print(lang, fill(table, lang))  # noqa: T201


if __name__ == "__main__":
    main()
