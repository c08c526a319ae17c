"""The groups a person follows, their sessions, photos and action items, through the API."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.core.uploads import serve_upload
from sinergi.mentoring import selectors, services
from sinergi.mentoring.api.schemas import (
    GroupOut,
    GroupRowOut,
    ItemIn,
    ItemOut,
    SessionFilter,
    SessionIn,
    SessionOut,
)

router = Router(tags=["mentoring"])


@router.get("/groups", response=list[GroupRowOut], summary="Groups you follow")
@paginate(Pages, page_size=50)
def group_list(request: HttpRequest, q: str = "", area: str = "") -> Any:
    require_perm(request, "mentoring.view_session")
    return selectors.group_list(request.user, q=q[:100], area=area[:13])


@router.get("/groups/{kube_id}", response=GroupOut)
def group_detail(request: HttpRequest, kube_id: Id) -> Any:
    require_perm(request, "mentoring.view_session")
    return selectors.group_view(request.user, kube_id)


@router.get("/groups/{kube_id}/sessions", response=list[SessionOut])
@paginate(Pages, page_size=50)
def session_list(request: HttpRequest, kube_id: Id, filters: Query[SessionFilter]) -> Any:
    require_perm(request, "mentoring.view_session")
    return filters.apply(selectors.session_list(request.user, kube_id))


@router.post("/groups/{kube_id}/sessions", response={201: SessionOut}, summary="Log a session")
def session_create(request: HttpRequest, kube_id: Id, payload: SessionIn) -> Any:
    session = services.session_log(
        actor=request.user,
        kube_id=kube_id,
        held_on=payload.held_on,
        place=payload.place,
        topics=payload.topics,
        notes=payload.notes,
        present=payload.present,
        new_items=[services.NewItem(**i.dict()) for i in payload.new_items],
        reviews=[services.Review(**r.dict()) for r in payload.reviews],
    )
    return Status(201, session)


@router.post("/sessions/{session_id}/photos", response={201: SessionOut}, summary="Add a photo")
def session_photo_add(request: HttpRequest, session_id: Id, photo: File[UploadedFile]) -> Any:
    session = services.session_photo_add(actor=request.user, session_id=session_id, photo=photo)
    return Status(201, session)


@router.get("/sessions/{session_id}/photos/{photo_id}", response={200: None})
def session_photo(request: HttpRequest, session_id: Id, photo_id: Id) -> Any:
    photo = selectors.session_photo_get(request.user, session_id, photo_id)
    return serve_upload(photo.image, download_name=f"sesi-{session_id}-foto-{photo.pk}")


@router.patch("/action-items/{item_id}", response=ItemOut)
def item_update(request: HttpRequest, item_id: Id, payload: ItemIn) -> Any:
    return services.action_item_update(
        actor=request.user, item_id=item_id, status=payload.status, note=payload.note
    )
