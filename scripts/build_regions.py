#!/usr/bin/env python3
"""Build the region data file the app ships from the npm package ``idn-area-data``.

    python3 scripts/build_regions.py [--version 4.0.1] [--from DIR]

Fetches the package with ``npm pack`` (or reads an unpacked package from --from), checks it,
and writes src/sinergi/wilayah/data/kemendagri.csv.gz (``code,name``; province, regency, district
and village rows, sorted by code) and kemendagri.json (source, decree, counts). Re-run it when a
new Kemendagri decree is published and the package follows it; update DECREE below.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "sinergi" / "wilayah" / "data"
DECREE = "Kepmendagri 300.2.2-2138/2025"
FILES = ["provinces", "regencies", "districts", "villages"]


def read_package(version: str, source: Path | None) -> dict[str, list[dict[str, str]]]:
    if source is not None:
        return {
            name: list(csv.DictReader((source / "data" / f"{name}.csv").open(encoding="utf-8")))
            for name in FILES
        }
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"idn-area-data@{version}", "--pack-destination", tmp],
            check=True,
            capture_output=True,
        )
        tarball = next(Path(tmp).glob("idn-area-data-*.tgz"))
        with tarfile.open(tarball) as archive:
            tables = {}
            for name in FILES:
                member = archive.extractfile(f"package/data/{name}.csv")
                assert member is not None
                text = io.TextIOWrapper(member, encoding="utf-8")
                tables[name] = list(csv.DictReader(text))
            return tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="4.0.1")
    parser.add_argument("--from", dest="source", type=Path)
    args = parser.parse_args()
    tables = read_package(args.version, args.source)

    rows = sorted(
        (row["code"].strip(), " ".join(row["name"].split())) for t in tables.values() for row in t
    )
    codes = [code for code, _ in rows]
    if len(set(codes)) != len(codes):
        raise SystemExit("duplicate region codes in the package")
    known = set(codes)
    for code in codes:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        if parent is not None and parent not in known:
            raise SystemExit(f"region {code} has no parent {parent}")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name"])
    writer.writerows(rows)
    # mtime=0 keeps the file byte-identical between builds of the same data.
    with gzip.GzipFile(OUT_DIR / "kemendagri.csv.gz", "wb", compresslevel=9, mtime=0) as out:
        out.write(buffer.getvalue().encode("utf-8"))
    meta = {
        "scheme": "kemendagri",
        "decree": DECREE,
        "source": f"idn-area-data {args.version} (npm)",
        "licence": "ODbL 1.0 (data), MIT (code)",
        "counts": {name: len(tables[name]) for name in FILES},
    }
    (OUT_DIR / "kemendagri.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta["counts"]))


if __name__ == "__main__":
    main()
