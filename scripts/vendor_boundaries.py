"""Copy the province and regency boundaries the dashboards' maps draw into the app, gzipped.

Source: ../shared/data/boundaries (cahyadsn/wilayah_boundaries, MIT; see that folder's README).
Run again when the boundary files are refreshed: ``python scripts/vendor_boundaries.py``.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "boundaries"
TARGET = ROOT / "src" / "sinergi" / "monitoring" / "data"

NOTICE = """# Map boundaries

`provinces.geojson.gz` and `regencies.geojson.gz` are the simplified boundaries of the 38
provinces and 514 regencies/cities, keyed by Kemendagri code, copied unchanged (gzipped) from
the project's shared data (see its README for the processing applied).

Boundaries: cahyadsn/wilayah_boundaries (MIT), © Cahya DSN; simplified.

MIT License

Copyright (c) 2024 Cahya DSN

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def main() -> int:
    if not SOURCE.is_dir():
        print(f"no boundaries at {SOURCE}", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in ("provinces.geojson", "regencies.geojson"):
        with (SOURCE / name).open("rb") as src, gzip.open(TARGET / f"{name}.gz", "wb", 9) as dst:
            shutil.copyfileobj(src, dst)
    (TARGET / "NOTICE.md").write_text(NOTICE, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
