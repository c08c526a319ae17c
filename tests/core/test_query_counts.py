"""List pages and API lists read a bounded number of queries, whatever the number of rows.

Each list is opened with N rows, then with 3N: the query count must be the same (a query per
row, N+1, fails) and small. The national admin and a regency officer are both measured: their
scoping differs (no area filter against a prefix filter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from itertools import count

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import User
from sinergi.core.pagination import CappedPaginator
from sinergi.core.scoping import area_q
from sinergi.kube.models import BusinessType, Kube, Membership
from sinergi.market.models import Sale
from sinergi.mentoring.models import (
    ActionItem,
    Assignment,
    Mentor,
    Organisation,
    Session,
    Unit,
    UnitLevel,
)
from sinergi.registry import services as registry
from sinergi.registry.models import Household
from sinergi.wilayah.models import Region

pytestmark = pytest.mark.django_db

LISTS = [
    "/registri/",
    "/registri/?page=2",
    "/api/v1/registry/households",
    "/api/v1/registry/persons",
    "/kube/",
    "/api/v1/kube/",
    "/pasar/penjualan/",
    "/pendampingan/",
    "/pendampingan/?page=2",
    "/pendampingan/mentor/",
    "/api/v1/mentoring/mentors",
    "/api/v1/mentoring/assignments",
    "/api/v1/mentoring/groups",
    "/api/v1/mentoring/groups?page=2",
    "/api/v1/market/sales",
    "/api/v1/regions/",
]
# Tables whose lists must never group or count whole: the national-size ones.
LARGE_TABLES = (
    "registry_household",
    "registry_person",
    "kube_kube",
    "market_sale",
    "mentoring_actionitem",
    "mentoring_assignment",
    "mentoring_mentor",
    "wilayah_region",
)
# A page needs its session, user, permissions, the rows, the count, and the menu: more than
# this is a sign of work per row or per permission.
MAX_QUERIES = 14


@pytest.fixture
def grow(officer_bandung: User) -> Callable[[int], None]:
    """Add households of three members each, and a group of those members per household, with
    a sale, a mentor, her accepted assignment, a session and an action item, overdue for the
    first two groups only: page 1 of the mentoring list spans its two parts and page 2 lies in
    the second, whatever the number of rows."""
    serial: Iterator[int] = count(1)
    village = Region.objects.get(code="32.73.01.1001")
    kind = BusinessType.objects.first()
    unit = Unit.objects.create(
        organisation=Organisation.objects.get(acronym="IWAPI"),
        level=UnitLevel.PROVINCE,
        name="DPD IWAPI Jawa Barat",
        region=Region.objects.get(code="32"),
    )

    def add(households: int) -> None:
        for _ in range(households):
            i = next(serial)
            household = registry.household_create(
                actor=officer_bandung,
                kk=f"3273010101{20:02d}{i:04d}",
                village_code=village.code,
                desil=2,
                desil_date=date(2026, 9, 30),
            )
            members = [
                registry.person_create(
                    actor=officer_bandung,
                    household_id=household.pk,
                    nik=f"3273010505{80 + j:02d}{i:04d}",
                    name=f"Warga {i}-{j}",
                    sex="L",
                    birth_place="",
                    birth_date=date(1980 + j, 5, 5),
                    relation="kepala" if j == 0 else "anak",
                    is_head=j == 0,
                )
                for j in range(3)
            ]
            kube = Kube.objects.create(
                name=f"KUBE {i}", business_type=kind, village=village, area_code=village.code
            )
            Membership.objects.bulk_create(
                Membership(kube=kube, person=p, start_date=date(2026, 1, 1)) for p in members
            )
            Sale.objects.create(
                kube=kube,
                description="Keripik",
                quantity=2,
                price=15_000,
                buyer_type="market_stall",
                day=date(2026, 2, i),
            )
            mentor = Mentor.objects.create(
                unit=unit, name=f"Mentor {i}", base_regency=village.parent.parent
            )
            mentor.sectors.add(kind)
            Assignment.objects.create(
                kube=kube, mentor=mentor, status="accepted", start_date=date(2026, 1, 1)
            )
            session = Session.objects.create(
                kube=kube, mentor=mentor, held_on=date(2026, 1, 5), place="Balai", topics="Kas"
            )
            ActionItem.objects.create(
                kube=kube,
                raised_in=session,
                description="Buku kas",
                owner="Bendahara",
                due_on=date(2026, 1, 20) if i <= 2 else date(2099, 1, 1),
            )

    return add


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    for query in captured:
        sql = query["sql"]
        if any(f'FROM "{t}"' in sql for t in LARGE_TABLES):
            # No grouping of the whole table for per-row figures, no unbounded count.
            assert "GROUP BY" not in sql, (path, sql)
            assert "COUNT(*)" not in sql.upper() or "LIMIT" in sql, (path, sql)
            # Rows are read a page at a time: a list that loads the table to cut a page in
            # Python reads it without a LIMIT.
            assert "LIMIT" in sql or " IN (" in sql, (path, sql)
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_lists_read_the_same_queries_for_3x_the_rows(
    path: str,
    grow: Callable[[int], None],
    admin_user: User,
    officer_bandung: User,
    client_for: Callable[..., Client],
    settings: object,
) -> None:
    settings.SINERGI_PAGE_SIZE = 4  # type: ignore[attr-defined]  # so page 2 exists and is full
    clients = [client_for(admin_user), client_for(officer_bandung)]
    grow(9)
    for client in clients:
        _queries(client, path)  # first request of a session: language and session set-up
    few = [_queries(client, path) for client in clients]
    grow(18)
    many = [_queries(client, path) for client in clients]
    assert many == few, path
    assert max(many) <= MAX_QUERIES, (path, many)


def test_member_counts_and_heads_are_those_of_each_row(
    grow: Callable[[int], None], officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    """The per-row figures, now subqueries, still belong to their own row."""
    grow(2)
    Membership.objects.filter(kube__name="KUBE 1", person__name="Warga 1-2").update(
        end_date=date(2026, 2, 1)
    )
    rows = client_for(officer_bandung).get("/api/v1/kube/").json()["items"]
    assert {r["name"]: r["member_count"] for r in rows} == {"KUBE 1": 2, "KUBE 2": 3}
    households = client_for(officer_bandung).get("/api/v1/registry/households").json()["items"]
    assert sorted((h["head_name"], h["member_count"]) for h in households) == [
        ("Warga 1-0", 3),
        ("Warga 2-0", 3),
    ]


def test_a_capped_count_still_pages_to_the_end() -> None:
    """Past the cap the count stops, yet every row is reachable through the next links."""
    rows = list(range(23))
    paginator = CappedPaginator(rows, 5, cap=10)
    assert paginator.capped and paginator.count == 11
    seen, number = [], 1
    for _ in range(10):  # bounded: 5 pages are enough
        page = paginator.page(number)
        seen += list(page)
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == rows and number == 5
    # A page number past any table falls back to a page, never to an OFFSET the database refuses.
    assert paginator.get_page("9223372036854775808").number == paginator.num_pages
    small = CappedPaginator(rows[:7], 5, cap=10)
    assert not small.capped and small.num_pages == 2 and not small.page(2).has_next()


def test_scoping_by_range_means_the_prefix_rule(admin_user: User) -> None:
    """The range form of "in area X" picks exactly the rows the prefix form picks."""
    villages = [
        Region.objects.filter(level=4, code__startswith=prefix).order_by("code").first()
        for prefix in ("32.73.01.", "32.73.1", "32.74.", "32.01.", "33.", "11.")
    ]
    for i, village in enumerate(v for v in villages if v is not None):
        registry.household_create(
            actor=admin_user,
            kk=f"{village.code.replace('.', '')[:6]}0101{20:02d}{i + 1:04d}",
            village_code=village.code,
            desil=None,
            desil_date=None,
        )
    for area in ("32", "32.73", "32.7", "32.73.01", "3", "33", "11", "32.01.01", ""):
        by_prefix = set(Household.objects.filter(area_q("area_code", area)).values_list("pk"))
        by_range = set(
            Household.objects.filter(area_q("area_code", area, by_range=True)).values_list("pk")
        )
        assert by_range == by_prefix, area
    assert Household.objects.filter(area_q("area_code", "32.73", by_range=True)).count() == 2


def test_range_scoped_columns_sort_bytewise() -> None:
    """The range is right only where the column sorts byte by byte: SQLite always does, and on
    PostgreSQL the migrations collate every range-scoped column "C"."""
    scoped = [
        m
        for m in apps.get_models()
        if getattr(m.objects.all(), "scope_by_range", False)  # type: ignore[attr-defined]
    ]
    assert {m._meta.db_table for m in scoped} >= {
        "registry_household",
        "registry_person",
        "kube_kube",
        "market_sale",
        "mentoring_assignment",
    }
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in scoped:
            # A lookup through relations (a sale's "kube__area_code") ends on another table.
            *hops, name = model.objects.all().scope_field.split("__")  # type: ignore[attr-defined]
            target = model
            for hop in hops:
                target = target._meta.get_field(hop).related_model
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_name = %s AND column_name = %s",
                [target._meta.db_table, target._meta.get_field(name).column],
            )
            assert cursor.fetchone() == ("C",), model


def test_groups_with_overdue_items_come_first_and_every_group_once(
    grow: Callable[[int], None], officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    """The mentoring list in two parts pages through every group exactly once, the groups
    with an overdue item (KUBE 1 and 2) ahead of the others, each part in region-name order."""
    grow(7)
    Kube.objects.filter(name="KUBE 2").update(name="KUBE 0")  # sorts ahead of KUBE 1 by name
    client = client_for(officer_bandung)
    names, overdue = [], []
    for page in range(1, 4):  # 7 groups in pages of 3
        rows = client.get(f"/api/v1/mentoring/groups?page={page}&page_size=3").json()["items"]
        names += [r["name"] for r in rows]
        overdue += [r["overdue_items"] for r in rows]
    assert names == ["KUBE 0", "KUBE 1", *(f"KUBE {i}" for i in range(3, 8))]
    assert overdue == [1, 1, 0, 0, 0, 0, 0]
    page = client.get("/pendampingan/").content.decode()
    assert page.index("KUBE 0") < page.index("KUBE 1") < page.index("KUBE 3")


def test_the_home_page_counts_regions_once_per_process(
    officer_bandung: User, client_for: Callable[..., Client]
) -> None:
    """Counting the nation's regions cost more than the rest of the home page: the counts are
    kept, so the next request counts none, and they are the area's own."""
    client = client_for(officer_bandung)
    first = client.get("/")
    assert first.context["summary"]["region_counts"]["regency"] == 1  # Kota Bandung alone
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/")
    assert again.status_code == 200
    # (The user's own area is still read, by its id, for its name.)
    assert not [q for q in captured if 'COUNT("wilayah_region"' in q["sql"]]
    assert again.context["summary"]["region_counts"] == first.context["summary"]["region_counts"]
