"""Mentor profiles through the API."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from sinergi.core.api_perms import require_perm
from sinergi.core.api_schemas import Id, Pages
from sinergi.mentoring import selectors, services
from sinergi.mentoring.api.schemas import MentorFilter, MentorIn, MentorOut, NoteIn

router = Router(tags=["mentoring"])


@router.get("/mentors", response=list[MentorOut], summary="Mentors in your area")
@paginate(Pages, page_size=50)
def mentor_list(request: HttpRequest, filters: Query[MentorFilter]) -> Any:
    require_perm(request, "mentoring.view_mentor")
    # Rows become answers as the page is read: a national list is not loaded whole.
    rows = selectors.mentor_list(
        request.user, q=filters.q, area=filters.area, include_left=filters.include_left
    )
    return filters.apply(rows)


@router.post("/mentors", response={201: MentorOut})
def mentor_create(request: HttpRequest, payload: MentorIn) -> Any:
    mentor = services.mentor_save(actor=request.user, data=services.MentorData(**payload.dict()))
    return Status(201, selectors.mentor_get(request.user, mentor.pk))


@router.get("/mentors/{mentor_id}", response=MentorOut)
def mentor_detail(request: HttpRequest, mentor_id: Id) -> Any:
    return selectors.mentor_get(request.user, mentor_id)


@router.put("/mentors/{mentor_id}", response=MentorOut)
def mentor_update(request: HttpRequest, mentor_id: Id, payload: MentorIn) -> Any:
    services.mentor_save(
        actor=request.user, data=services.MentorData(**payload.dict()), mentor_id=mentor_id
    )
    return selectors.mentor_get(request.user, mentor_id)


@router.post("/mentors/{mentor_id}/leave", response=MentorOut, summary="The mentor has left")
def mentor_leave(request: HttpRequest, mentor_id: Id, payload: NoteIn) -> Any:
    services.mentor_leave(actor=request.user, mentor_id=mentor_id, note=payload.note)
    return selectors.mentor_get(request.user, mentor_id)
