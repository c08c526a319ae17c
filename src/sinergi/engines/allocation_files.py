"""The allocator's files: read and check D.csv and O.csv, write A.csv."""

from __future__ import annotations

from pathlib import Path

from sinergi.engines import wilayah
from sinergi.engines.allocation import Allocation, Demand, Offer, bound
from sinergi.engines.filecheck import Problem, region, rows, unique, whole_number, write_atomically

DEMAND_COLUMNS = ("demand_id", "kategori", "jumlah", "kode_kabupaten", "harga_maks", "lot_min")
OFFER_COLUMNS = ("kube_id", "kategori", "tersedia", "harga", "kode_kabupaten")
RESULT_COLUMNS = ("demand_id", "kube_id", "jumlah", "harga", "biaya_angkut")

__all__ = ["Problem", "read_demands", "read_offers", "summary", "write_result"]


def _category(raw: str, where: tuple[str, int, str], problems: list[Problem]) -> str | None:
    if not raw or any(c.isspace() for c in raw):
        problems.append(Problem(*where, "give one category code, without spaces"))
        return None
    return raw


def read_demands(path: Path, index: wilayah.RegionIndex, problems: list[Problem]) -> list[Demand]:
    out: list[Demand] = []
    seen: dict[str, int] = {}
    for row, cells in rows(path, DEMAND_COLUMNS, problems):
        at = (path.name, row)
        ok = unique(cells["demand_id"], seen, (*at, "demand_id"), problems)
        category = _category(cells["kategori"], (*at, "kategori"), problems)
        quantity = whole_number(cells["jumlah"], (*at, "jumlah"), problems, minimum=1)
        code = region(
            cells["kode_kabupaten"], wilayah.Level.REGENCY, index, (*at, "kode_kabupaten"), problems
        )
        price = whole_number(cells["harga_maks"], (*at, "harga_maks"), problems, minimum=1)
        lot = whole_number(cells["lot_min"], (*at, "lot_min"), problems, minimum=1)
        if quantity is not None and lot is not None and lot > quantity:
            problems.append(
                Problem(*at, "lot_min", f"lot_min {lot} is larger than jumlah {quantity}")
            )
            ok = False
        if ok and category and code and None not in (quantity, price, lot):
            out.append(Demand(cells["demand_id"], category, quantity, code, price, lot))  # type: ignore[arg-type]
    return out


def read_offers(path: Path, index: wilayah.RegionIndex, problems: list[Problem]) -> list[Offer]:
    out: list[Offer] = []
    seen: dict[str, int] = {}
    for row, cells in rows(path, OFFER_COLUMNS, problems):
        at = (path.name, row)
        category = _category(cells["kategori"], (*at, "kategori"), problems)
        key = f"{cells['kube_id']} / {cells['kategori']}" if cells["kube_id"] else ""
        ok = unique(key, seen, (*at, "kube_id"), problems)
        available = whole_number(cells["tersedia"], (*at, "tersedia"), problems, minimum=0)
        price = whole_number(cells["harga"], (*at, "harga"), problems, minimum=1)
        code = region(
            cells["kode_kabupaten"], wilayah.Level.REGENCY, index, (*at, "kode_kabupaten"), problems
        )
        if ok and category and code and available is not None and price is not None:
            out.append(Offer(cells["kube_id"], category, available, price, code))
    return out


def write_result(path: Path, allocation: Allocation) -> None:
    write_atomically(
        path,
        RESULT_COLUMNS,
        ([p.demand_id, p.kube_id, p.quantity, p.price, p.transport] for p in allocation.parts),
    )


def summary(
    demands: list[Demand], offers: list[Offer], strategy: str, result: Allocation, seconds: float
) -> str:
    """The command's report: fill and cost, and how far they can be from the best plan."""
    most = bound(demands, offers, result)
    verdict = "optimal" if result.proved_optimal else "best found in the time limit"
    return (
        f"filled {result.filled} of {sum(d.quantity for d in demands)};"
        f" total cost {result.cost} ({strategy}, {verdict}, {seconds:.2f} s);"
        f" bound: at most {most.filled} can be filled, and filling {result.filled}"
        f" costs at least {most.cost} (gap {most.gap(result):.3%})"
    )
