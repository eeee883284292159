#!/usr/bin/env python
"""Fill empty translations of a .po file from tab-separated lines on stdin.

    python scripts/po_fill.py villages/locale/zh_Hans/LC_MESSAGES/django.po < translations.tsv

Each line is `English msgid<TAB>中文`; `\\n` in either column stands for a newline.
Prints the msgids still untranslated afterwards. Plural entries take `a|b` forms.
"""

import sys

import polib


def main(path: str) -> int:
    catalogue = polib.pofile(path, wrapwidth=120)
    table = {}
    for line in sys.stdin.read().splitlines():
        if "\t" in line:
            source, target = line.split("\t", 1)
            table[source.replace("\\n", "\n")] = target.replace("\\n", "\n")
    for entry in catalogue:
        if entry.msgid in table:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: table[entry.msgid].split("|")[0]}
            else:
                entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save(path)
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
