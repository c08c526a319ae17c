"""What every PDF of Sinergi's shares: fpdf2's built-in fonts, and text folded to what they hold.

fpdf2's core fonts (Helvetica, Times) need no font file and no browser, but cover Latin-1 only;
Indonesian needs nothing more, and the few typographic marks people paste in (dashes, curly
quotes, ellipses, arrows) are folded to their plain forms rather than printed as "?".
"""

from __future__ import annotations

_FOLD = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "“": '"',
        "”": '"',
        "’": "'",
        "‘": "'",
        "…": "...",
        "×": "x",
        "→": "->",
        "≤": "<=",
        "•": "-",
    }
)


def latin(text: object) -> str:
    """``text`` as the built-in fonts can print it: marks folded, anything else outside
    Latin-1 replaced by "?"."""
    return str(text).translate(_FOLD).encode("latin-1", "replace").decode("latin-1")
