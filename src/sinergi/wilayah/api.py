"""Regions through the API: list, filter by parent and level, search, detail, children."""

from typing import Any, ClassVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from sinergi.core.api_lists import SortedFilter
from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Pages
from sinergi.wilayah import selectors
from sinergi.wilayah.models import Region

router = Router(tags=["regions"])

REGION_LIST_FIELDS = ("code", "name", "level", "retired")


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent_code: str | None
    retired: bool


class RegionDetailOut(RegionOut):
    scheme: str
    decree: str
    kind: str
    path: list[RegionOut]
    children_count: int


class RegionFilter(SortedFilter):
    # Regions change only with a new decree: no ``changed_since`` (see core.api_lists).
    ordering_fields: ClassVar = {"level": ("level", "code"), "code": "code", "name": "name"}
    default_ordering: ClassVar = "level"
    selector_fields: ClassVar = frozenset({"q", "level", "parent"})

    q: str = Field("", description="Name words, or a code prefix (dotted or plain)")
    level: int | None = Field(None, ge=1, le=4, description="1 province … 4 village")
    parent: str = Field("", description="Only the children of this region code")


class RegionOrder(SortedFilter):
    ordering_fields: ClassVar = RegionFilter.ordering_fields
    default_ordering: ClassVar = "code"


@router.get("/", response=list[RegionOut], summary="List and search regions")
@paginate(Pages, page_size=50)
def region_list(request: HttpRequest, filters: Query[RegionFilter]) -> Any:
    require_perm(request, "wilayah.view_region")
    # A row's parent code follows from its own code: no joins to the ancestors.
    regions = selectors.region_list(q=filters.q[:100], level=filters.level, parent=filters.parent)
    return filters.apply(regions.select_related(None).only(*REGION_LIST_FIELDS))


@router.get("/{code}", response=RegionDetailOut, summary="One region, with its path")
def region_detail(request: HttpRequest, code: str) -> Region:
    require_perm(request, "wilayah.view_region")
    region = selectors.region_get(code)
    region.path = selectors.region_path(region)  # type: ignore[attr-defined]
    region.children_count = region.children.count()  # type: ignore[attr-defined]
    return region


@router.get("/{code}/children", response=list[RegionOut], summary="Children of a region")
@paginate(Pages, page_size=100)
def region_children(request: HttpRequest, code: str, order: Query[RegionOrder]) -> Any:
    require_perm(request, "wilayah.view_region")
    children = selectors.region_list(parent=code).select_related(None)
    return order.apply(children.only(*REGION_LIST_FIELDS))
