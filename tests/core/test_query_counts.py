"""List pages and API lists read a bounded number of queries, whatever the number of rows.

Two kinds of test. The hand-built ones open a few lists with N rows, then with 3N: the query
count must be the same (a query per row, N+1, fails), small, and never group or count a national
table whole. The generated ones (``TestEveryList``) cover every paged list: each API operation
that takes ``page_size`` (read from the OpenAPI document, so a new paged endpoint is measured
without being added anywhere) and every HTML page that builds a paginator (``LIST_PAGES``; a
page that pages and is missing from it fails). Each is read with a page of one row and a page of
25 rows, as the national admin and as a user scoped to an area (a regency officer, or the role
whose list it is: a buyer's orders, a group's products): no statement may run more often for
the longer page. (Exceptions, each named in the failure if it is not one: a prefetch that the
one-row page had nothing to fetch for, and the second part of a list read in two parts.)

The dataset is the demo (sinergi.synthetic.demo), seeded once for ``TestEveryList`` inside a
transaction rolled back when the class is done (``django_db_blocker``, as tests/conftest.py
loads the regions), so no other test sees it; each test of the class runs in a savepoint on top.
In the test process rather than in a subprocess against a demo seeded into a temporary
SINERGI_DATA_DIR: the regions are in the test database already (a fresh demo database spends
most of a minute loading them) and a failure can show the statements that repeat. The demo
with 30 households takes a few seconds to seed. Where it has fewer than two rows of a list for
the admin or the scoped user, ``_top_up`` adds rows (factories, or copies of the demo's rows);
a list still short of two rows fails rather than being skipped.
"""

from __future__ import annotations

import inspect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from typing import Any

import pytest
from django.apps import apps
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
from tests import testdb

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
    "/api/v1/sync/",
    # The search box: a bounded number of hits per kind, one or two statements a kind (the
    # results page adds the menu's; tests/search checks the search does not grow with rows).
    "/api/v1/search/?q=warga",
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
# The search asks each of its seven kinds on its own (at most two statements a kind), on
# PostgreSQL under a statement timeout (a slow kind is reported, the others still answer); in a
# transaction, as here, that is four more (the timeout set and restored, one savepoint and its
# release), plus the session and the user: a bound set by the kinds, not the rows (the same
# count for 3x the rows is asserted as for the rest).
MAX_QUERIES_OF = {"/api/v1/search/?q=warga": 7 * 2 + 4 + 2}


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


def test_lists_read_the_same_queries_for_3x_the_rows(
    grow: Callable[[int], None],
    admin_user: User,
    officer_bandung: User,
    client_for: Callable[..., Client],
    settings: object,
) -> None:
    """Every list of LISTS, for both users, at 9 rows and at 27. The rows are grown once for
    all the lists (growing them for each list, through the services, was ~80 % of the test's
    CPU); a first request of each list before each count takes the session's and the menu's
    set-up (the officer's own writes make her next page count her tasks again, core.inbox)."""
    settings.SINERGI_PAGE_SIZE = 4  # type: ignore[attr-defined]  # so page 2 exists and is full
    clients = [client_for(admin_user), client_for(officer_bandung)]

    def counts() -> dict[str, list[int]]:
        seen = {}
        for path in LISTS:
            for client in clients:
                _queries(client, path)
            seen[path] = [_queries(client, path) for client in clients]
        return seen

    grow(9)
    few = counts()
    grow(18)
    many = counts()
    grew = {path: (few[path], many[path]) for path in LISTS if many[path] != few[path]}
    assert not grew, f"queries grew with the rows (9 -> 27): {grew}"
    over = {
        path: many[path]
        for path in LISTS
        if max(many[path]) > MAX_QUERIES_OF.get(path, MAX_QUERIES)
    }
    assert not over, f"more queries than allowed: {over}"


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


# --- Every list, generated (see the module docstring) ------------------------------------

SCOPED = "dinsos.bandung"  # the scoped user, unless the list is another role's (below)
# path parameter of an API list → key of ``Dataset.ids``
API_ARGS = {
    "code": "regency",
    "kube_id": "kube",
    "batch_id": "batch",
    "household_id": "household",
    "person_id": "person",
}
# API list → the scoped user who sees it (the lists of a role other than a social officer)
API_SCOPED = {
    "/api/v1/users/": "dinsos.jabar",
    "/api/v1/aid/lpj": "pendamping.bandung",
    "/api/v1/market/demands": "pembeli",
    "/api/v1/market/orders": "pembeli",
    "/api/v1/market/products": "kube.bandung",
    "/api/v1/audit/": "auditor",  # the admin's and the auditor's alone, nationwide
    "/api/v1/notifications/messages": "admin",  # the message log is the national admin's
}


@dataclass(frozen=True)
class ListPage:
    """How to open a paged HTML list: URL kwargs (dataset keys), query string, scoped user."""

    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    scoped: str = SCOPED


# Every HTML page that pages a list. A view that builds a paginator and is not here fails
# ``test_every_paged_page_is_listed``; one listed that builds none fails its count test.
LIST_PAGES: dict[str, ListPage] = {
    "accounts:user_list": ListPage(scoped="dinsos.jabar"),
    "core:audit_list": ListPage(scoped="auditor"),
    "wilayah:index": ListPage(query="q=suka"),
    "wilayah:detail": ListPage(kwargs={"code": "regency"}),
    "registry:household_list": ListPage(),
    "registry:import_list": ListPage(),
    "registry:import_profiles": ListPage(),
    "registry:import_detail": ListPage(kwargs={"pk": "batch"}),
    "registry:duplicate_list": ListPage(),
    "kube:kube_list": ListPage(),
    "mentoring:group_list": ListPage(),
    "mentoring:mentor_list": ListPage(scoped="iwapi.jabar"),
    "market:catalogue": ListPage(scoped="pembeli"),
    "market:demand_list": ListPage(scoped="pembeli"),
    "market:sale_list": ListPage(scoped="pendamping.bandung"),
    "monitoring:graduations": ListPage(),
    "monitoring:dashboard": ListPage(kwargs={"code": "regency"}),  # a regency's: its groups
    "notifications:message_list": ListPage(scoped="admin"),
    "pdp:request_list": ListPage(),
    "letters:letter_list": ListPage(),
    "registry:household_access": ListPage(kwargs={"pk": "household"}),
    "registry:person_access": ListPage(kwargs={"pk": "person"}),
}
SMALL, LARGE = 1, 25


def _paged_api_lists() -> list[str]:
    """Every GET operation of the API that takes ``page_size``: the paginated lists."""
    from sinergi.config.api import api

    schema = api.get_openapi_schema()
    return sorted(
        path
        for path, item in schema["paths"].items()
        if any(p["name"] == "page_size" for p in item.get("get", {}).get("parameters", []))
    )


@dataclass
class Dataset:
    """Ids the list URLs need, a signed-in client per user, and the lists read in two parts."""

    ids: dict[str, Any]
    clients: dict[str, Client] = field(default_factory=dict)
    two_part: set[str] = field(default_factory=set)


@contextmanager
def _pages_of(size: int) -> Iterator[list[Paginator]]:
    """Every paginator built meanwhile pages by ``size`` (whatever the view asked: some views
    fix their own size) and is collected, so a page is known to page a list."""
    built: list[Paginator] = []
    original = Paginator.__init__

    def init(self: Paginator, object_list: Any, per_page: Any, *args: Any, **kw: Any) -> None:
        original(self, object_list, size, *args, **kw)
        built.append(self)

    Paginator.__init__ = init  # type: ignore[method-assign,assignment]
    try:
        yield built
    finally:
        Paginator.__init__ = original  # type: ignore[method-assign]


def _api_url(path: str, ids: dict[str, Any]) -> str:
    for param, key in API_ARGS.items():
        path = path.replace("{" + param + "}", str(ids[key]))
    assert "{" not in path, f"add the parameter of {path} to API_ARGS"
    return path


def _page_url(name: str, ids: dict[str, Any]) -> str:
    spec = LIST_PAGES[name]
    url = reverse(name, kwargs={k: ids[v] for k, v in spec.kwargs.items()})
    return f"{url}?{spec.query}" if spec.query else url


@dataclass
class Reading:
    queries: list[str]
    shown: int
    total: int


def _read_api(client: Client, url: str, size: int) -> Reading:
    sep = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{sep}page_size={size}")
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    body = response.json()
    return Reading([q["sql"] for q in captured], len(body["items"]), body["count"])


def _read_page(client: Client, url: str, size: int) -> Reading:
    with _pages_of(size) as built, CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert built, f"{url} builds no paginator: remove it from LIST_PAGES"
    paginator = built[0]
    shown = min(size, paginator.count)
    return Reading([q["sql"] for q in captured], shown, paginator.count)


def _shape(sql: str) -> str:
    return re.sub(r"\b\d+\b|'[^']*'", "?", sql)


def _same_queries(
    read: Callable[[Client, str, int], Reading], dataset: Dataset, user: str, url: str
) -> str:
    """'' if ``url`` reads no more queries for LARGE rows than for SMALL, else which ones."""
    client = dataset.clients[user]
    read(client, url, LARGE)  # the first request of a session sets it up
    few, many = read(client, url, SMALL), read(client, url, LARGE)
    assert few.total >= 2, f"{url} as {user}: {few.total} row(s); _top_up must add some"
    assert many.shown > few.shown, (url, user)
    more = Counter(_shape(sql) for sql in many.queries)
    more.subtract(_shape(sql) for sql in few.queries)
    per_row = {
        shape: n
        for shape, n in more.items()
        if n > 0
        # Not per row: a prefetch the one-row page had nothing to fetch for (its row's
        # relation empty or null), and the second part of a list in two parts
        # (core.pagination.FirstThenRest), read once a page reaches past the first.
        and not (
            n == 1
            and more[shape] == Counter(_shape(sql) for sql in many.queries)[shape]
            and (" IN (" in shape or url.split("?")[0] in dataset.two_part)
        )
    }
    if not per_row:
        return ""
    return f"{url} as {user}: {len(few.queries)} queries for {few.shown} row, " + (
        f"{len(many.queries)} for {many.shown} rows; more on the longer page:\n"
        + "\n".join(f"  +{n} × {shape[:400]}" for shape, n in per_row.items())
    )


def _copy(row: Any, **changes: Any) -> Any:
    """Another row like ``row`` (a list of one becomes a list of two), with ``changes``."""
    row.pk = None
    row.id = None
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return row


def _top_up(ids: dict[str, Any]) -> None:
    """Rows the demo has one of at most, seen by the admin and the scoped user: a second one.

    Copies of the demo's own rows where the table has one already (so every column the list
    shows is filled), factories otherwise.
    """
    from datetime import timedelta

    from sinergi.aid.models import Disbursement, Lpj, Programme, Proposal
    from sinergi.market.models import Product
    from sinergi.mentoring.models import Agreement, MonthlyReport
    from sinergi.monitoring.models import Rubric
    from sinergi.registry.models import DuplicateCandidate, Person
    from tests.factories import DemandFactory, OrderFactory, ProposalFactory, UnitFactory

    kube = Kube.objects.get(pk=ids["kube"])
    buyer = User.objects.get(username="pembeli")
    proposal = Proposal.objects.filter(kube=kube).order_by("id").first()
    assert proposal is not None
    neighbour = (
        Kube.objects.filter(area_code__startswith="32.73.")
        .exclude(proposals__cycle=proposal.cycle)
        .order_by("id")
        .first()
    )
    other = ProposalFactory(cycle=proposal.cycle, kube=neighbour, status=proposal.status)
    for disbursement in Disbursement.objects.filter(proposal=proposal)[:1]:
        _copy(disbursement, proposal=other, reference=f"{disbursement.reference}-2")
    for lpj in Lpj.objects.filter(proposal=proposal)[:1]:
        _copy(lpj, proposal=other)
    programme = Programme.objects.earliest("id")
    _copy(programme, name=f"{programme.name} II")
    product = Product.objects.filter(kube=kube).earliest("id")
    _copy(product, name=f"{product.name} II")
    for _ in range(2):
        order = OrderFactory(demand=DemandFactory(buyer=buyer), created_by=buyer)
    assert order is not None
    UnitFactory(region_code="32.73")
    bandung = Region.objects.get(code="32.73")
    for agreement in Agreement.objects.order_by("id")[:1]:
        for n in (2, 3):  # in force, for the province's partner and Kota Bandung's officer
            _copy(agreement, number=f"{agreement.number}/{n}", area=bandung)
    rubric = Rubric.objects.earliest("valid_from")
    indicators = list(rubric.indicators.all())
    rubric = _copy(rubric, valid_from=rubric.valid_from - timedelta(days=365))
    for indicator in indicators:
        _copy(indicator, rubric=rubric)
    month = kube.created_at.date().replace(day=1)
    for back in (1, 2):
        MonthlyReport.objects.create(
            kube=kube,
            month=(month - timedelta(days=28 * back)).replace(day=1),
            activities="Rapat anggota",
        )
    people = list(Person.objects.filter(area_code__startswith="32.73.").order_by("id")[:4])
    for a, b in (people[0:2], people[2:4]):
        DuplicateCandidate.objects.create(
            person_a=a, person_b=b, score=0.9, reason="name", area_code=a.area_code
        )
    _top_up_privacy(ids, people[0])
    from tests.letters.helpers import issue_letters

    issue_letters(kube, User.objects.get(username=SCOPED))


def _top_up_privacy(ids: dict[str, Any], person: Any) -> None:
    """Two of each: reads of one person's record, messages sent, data-subject requests."""
    from django.utils import timezone

    from sinergi.notifications.models import Message
    from sinergi.pdp.models import DataSubjectRequest
    from sinergi.registry.models import AccessLog

    officer = User.objects.get(username=SCOPED)
    ids["person"], ids["household"] = person.pk, person.household_id
    for purpose in ("person_page", "person_edit"):
        AccessLog.objects.create(
            user=officer,
            person=person,
            household_id=person.household_id,
            area_code=person.area_code,
            purpose=purpose,
        )
    now = timezone.now()
    for n in (1, 2):
        Message.objects.create(
            user=officer,
            kind="digest",
            channel="email",
            subject=f"Tugas {n}",
            body="Ada pekerjaan yang menunggu.",
            next_attempt_at=now,
        )
        DataSubjectRequest.objects.create(
            kind="access",
            channel="letter",
            received_on=now.date(),
            due_on=now.date(),
            person=person,
            area_code=person.area_code,
            responsible=officer,
            recorded_by=officer,
        )


def _dataset_ids() -> dict[str, Any]:
    from sinergi.registry.models import ImportBatch

    kube = User.objects.get(username="kube.bandung").kube
    assert kube is not None
    return {
        "regency": "32.73",
        "kube": kube.pk,
        "batch": ImportBatch.objects.get(file_name="kecamatan-sukasari.csv").pk,
    }


@pytest.fixture(scope="class")
def dataset(
    request: pytest.FixtureRequest,
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Dataset]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        testdb.demo_world(request.config, media),
        transaction.atomic(),
    ):
        ids = _dataset_ids()
        _top_up(ids)
        built = Dataset(ids, two_part={reverse("mentoring:group_list"), "/api/v1/mentoring/groups"})
        # Signed in here: a session made inside a test would go with its savepoint.
        for username in {"admin", SCOPED, *API_SCOPED.values()} | {
            page.scoped for page in LIST_PAGES.values()
        }:
            client = Client(raise_request_exception=False)
            client.force_login(User.objects.get(username=username))
            built.clients[username] = client
        yield built
        transaction.set_rollback(True)


@pytest.mark.slow(cpu=20)  # its dataset is a demo world
@pytest.mark.usefixtures("dataset")
class TestEveryList:
    """Every paged list reads as many queries for one row as for a full page."""

    @pytest.mark.parametrize("path", _paged_api_lists())
    def test_api_list(self, path: str, dataset: Dataset) -> None:
        url = _api_url(path, dataset.ids)
        problems = [
            _same_queries(_read_api, dataset, user, url)
            for user in ("admin", API_SCOPED.get(path, SCOPED))
        ]
        assert not any(problems), "\n".join(problems)

    @pytest.mark.parametrize("name", sorted(LIST_PAGES))
    def test_page(self, name: str, dataset: Dataset) -> None:
        url = _page_url(name, dataset.ids)
        problems = [
            _same_queries(_read_page, dataset, user, url)
            for user in ("admin", LIST_PAGES[name].scoped)
        ]
        assert not any(problems), "\n".join(problems)

    def test_every_paged_page_is_listed(self, dataset: Dataset) -> None:
        """A page that builds a paginator is in LIST_PAGES: read from the view's code for
        pages with parameters, and by opening every page without one as the admin."""
        client = dataset.clients["admin"]
        found = set()
        for template, name, view in _url_patterns(get_resolver().url_patterns):
            if template.startswith(("api/", "admin/")) or name in SKIP_OPENING:
                continue
            if any(name.endswith("Paginator") for name in _names_used(view)):
                found.add(name)
            elif "<" not in template:
                with _pages_of(LARGE) as built:
                    client.get(reverse(name))
                if built:
                    found.add(name)
        listed = set(LIST_PAGES)
        assert found == listed, (
            f"pages that page a list, missing from LIST_PAGES: {sorted(found - listed)}; "
            f"listed but building no paginator: {sorted(listed - found)}"
        )


# Opening these as a plain GET would change the session the other requests use.
SKIP_OPENING = {"accounts:logout", "core:set_language"}


def _url_patterns(
    patterns: list[Any], prefix: str = "", ns: str = ""
) -> Iterator[tuple[str, str, Any]]:
    """(template, namespaced name, view) of every URL pattern."""
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ns + (f"{p.namespace}:" if p.namespace else "")
            yield from _url_patterns(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ns + (p.name or prefix + str(p.pattern)), p.callback


def _names_used(view: Any) -> set[str]:
    """Global names a view's compiled code refers to (its nested functions' too): read from
    the code objects rather than the source file, which may have changed since the import."""
    view = inspect.unwrap(view)
    functions = (
        [f for f in vars(view.view_class).values() if inspect.isfunction(f)]
        if hasattr(view, "view_class")
        else [view]
    )
    codes = [f.__code__ for f in functions if hasattr(f, "__code__")]
    names: set[str] = set()
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if inspect.iscode(c)]
    return names
