#!/usr/bin/env python3
"""Keep the translation catalogues whole and compiled, without needing GNU gettext.

    python3 scripts/i18n.py            fill the English catalogue and compile every .po to .mo

Source strings are English; ``en`` gets msgstr = msgid so both catalogues are complete, and
``id`` (the default language) is translated by hand in its .po file. Run ``sinergi manage
makemessages -l id -l en --no-obsolete --ignore '*/migrations/*'`` from src/sinergi first
when strings change (that step needs xgettext), then this script. The test suite checks that
both catalogues are complete and that the .mo files match the .po files.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "sinergi" / "locale"


def main() -> None:
    en = LOCALE / "en" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(en))
    for entry in catalogue:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.metadata["Language"] = "en"
    catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.save()
    for po_file in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_file)).save_as_mofile(str(po_file.with_suffix(".mo")))
        print(f"compiled {po_file.relative_to(LOCALE)}")


if __name__ == "__main__":
    main()
