# ruff: noqa: E501  (the tables are one line per endpoint, to be read down their columns)
"""The permission matrix: every page and API operation × every role, in and out of area.

Generated from the URL list and the OpenAPI document, so a new endpoint without a line in the
tables below fails with "add a case for …". GETs must answer the EXACT status of the table.
Writes (form POSTs and the API's POST/PUT/PATCH/DELETE) answer exactly what their WRITE spec
(permission, area, the few party and level rules) derives for each role from its permissions:
401 or the sign-in page, 403, 404, or — for the roles allowed — an answer past both checks; a
refused write leaves every table's row count alone.

The world is the demo's (same services, same seed), built once for the module inside a
transaction that is rolled back at the end; every write request is rolled back on its own, so
each role meets the same world. The object addressed is always Kota Bandung's
(32.73): ``off`` is the officer of that regency, ``off_out`` of Kabupaten Bogor (same province,
out of area), ``off_prov`` of Jawa Barat; the facilitator, the KUBE officer and the mentor are
the group's own.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sinergi.accounts.models import User
from tests import testdb

pytestmark = pytest.mark.slow(cpu=60)  # 5,000+ requests on a demo world

# Column order of every row below.
ROLES = (
    "admin",  # national admin (staff)
    "off",  # social officer of the object's regency (Kota Bandung)
    "off_out",  # social officer of another regency (Kabupaten Bogor)
    "off_prov",  # social officer of the province (Jawa Barat)
    "fac",  # facilitator of Kota Bandung
    "coord",  # partner coordinator (IWAPI Jawa Barat)
    "mentor",  # the group's mentor
    "buyer",
    "kube",  # the group's own KUBE officer
    "auditor",
    "anon",
)
LOGINS = {
    "admin": "admin",
    "off": "dinsos.bandung",
    "off_out": "dinsos.bogor",
    "off_prov": "dinsos.jabar",
    "fac": "pendamping.bandung",
    "coord": "iwapi.jabar",
    "mentor": "mentor.bandung",
    "buyer": "pembeli",
    "kube": "kube.bandung",
    "auditor": "auditor",
}

# --- GET: expected status per role, in ROLES order -------------------------------------------
GET: dict[str, str] = {
    # adm off out pro fac crd mnt buy kub aud ano
    "core:dashboard": "200 200 200 200 200 200 200 200 200 200 302",
    "core:inbox": "200 200 200 200 200 200 200 200 200 200 302",
    "core:audit_list": "200 403 403 403 403 403 403 403 403 200 302",
    "core:set_language": "405 405 405 405 405 405 405 405 405 405 405",
    "core:health": "200 200 200 200 200 200 200 200 200 200 200",
    "core:job": "200 200 404 200 404 404 404 404 404 200 302",
    "core:job_file": "404 404 404 404 404 404 404 404 404 404 302",
    "core:picker": "200 200 200 200 200 200 200 200 200 200 302",
    "accounts:login": "302 302 302 302 302 302 302 302 302 302 200",
    "accounts:password_change": "200 200 200 200 200 200 200 200 200 200 302",
    "accounts:profile": "200 200 200 200 200 200 200 200 200 200 302",
    "accounts:token_create": "405 405 405 405 405 405 405 405 405 405 302",
    "accounts:token_revoke": "405 405 405 405 405 405 405 405 405 405 302",
    "accounts:user_list": "200 200 200 200 403 200 403 403 403 200 302",
    "accounts:user_export": "200 200 200 200 403 403 403 403 403 200 302",
    # Sign-in steps without a sign-in under way send everyone to the sign-in page; the links
    # of a made-up reset or invitation are refused as 410 with the reason, whoever opens them.
    "accounts:signin_code": "302 302 302 302 302 302 302 302 302 302 302",
    "accounts:signin_enrol": "302 302 302 302 302 302 302 302 302 302 302",
    "accounts:signin_password": "302 302 302 302 302 302 302 302 302 302 302",
    "accounts:recovery_codes": "302 302 302 302 302 302 302 302 302 302 302",
    "accounts:password_reset": "200 200 200 200 200 200 200 200 200 200 200",
    "accounts:password_reset_done": "200 200 200 200 200 200 200 200 200 200 200",
    "accounts:password_reset_confirm": "410 410 410 410 410 410 410 410 410 410 410",
    "accounts:password_reset_complete": "200 200 200 200 200 200 200 200 200 200 200",
    "accounts:invitation": "410 410 410 410 410 410 410 410 410 410 410",
    "accounts:twofactor_setup": "200 200 200 200 200 200 200 200 200 200 302",
    "accounts:recovery_codes_renew": "405 405 405 405 405 405 405 405 405 405 302",
    "accounts:user_create": "200 200 200 200 403 200 403 403 403 403 302",
    "accounts:user_import": "200 200 200 200 403 200 403 403 403 403 302",
    "accounts:user_detail": "200 200 404 200 403 404 403 403 403 403 302",
    "accounts:user_change": "405 405 405 405 403 405 403 403 403 403 302",
    "accounts:user_deactivate": "405 405 405 405 403 405 403 403 403 403 302",
    "accounts:user_reactivate": "405 405 405 405 403 405 403 403 403 403 302",
    "accounts:user_require_reset": "405 405 405 405 403 405 403 403 403 403 302",
    "accounts:user_invite": "405 405 405 405 403 405 403 403 403 403 302",
    "accounts:user_remove_2fa": "405 405 405 405 403 405 403 403 403 403 302",
    "wilayah:index": "200 200 200 200 200 200 200 200 200 200 302",
    "wilayah:detail": "200 200 200 200 200 200 200 200 200 200 302",
    "registry:household_list": "200 200 200 200 200 403 403 403 403 200 302",
    "registry:household_create": "200 200 200 200 403 403 403 403 403 403 302",
    "registry:household_detail": "200 200 404 200 200 403 403 403 403 200 302",
    "registry:household_edit": "200 200 404 200 403 403 403 403 403 403 302",
    "registry:person_create": "200 200 404 200 403 403 403 403 403 403 302",
    "registry:person_edit": "200 200 404 200 403 403 403 403 403 403 302",
    "registry:reveal": "405 405 405 405 405 405 405 405 405 405 302",
    "registry:import_list": "200 200 200 200 403 403 403 403 403 403 302",
    "registry:import_detail": "200 200 404 200 403 403 403 403 403 200 302",
    "registry:import_commit": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:import_resume": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:import_cancel": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:import_report": "200 200 404 200 403 403 403 403 403 200 302",
    # A checked batch has nothing to map: its page is where the mapping step sends back.
    "registry:import_map": "302 302 404 302 403 403 403 403 403 403 302",
    "registry:import_profiles": "200 200 200 200 403 403 403 403 403 200 302",
    "registry:import_profile_delete": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:duplicate_list": "200 200 200 200 403 403 403 403 403 403 302",
    "registry:duplicate_decide": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:duplicate_review": "200 200 404 200 403 403 403 403 403 403 302",
    "registry:person_detail": "200 200 404 200 200 403 403 403 403 200 302",
    "registry:consent_create": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:consent_withdraw": "405 405 405 405 403 403 403 403 403 403 302",
    "registry:household_access": "200 200 404 200 403 403 403 403 403 200 302",
    "registry:person_access": "200 200 404 200 403 403 403 403 403 200 302",
    "registry:unusual_access": "200 200 200 200 403 403 403 403 403 200 302",
    "registry:export": "200 200 200 200 403 403 403 403 403 403 302",
    "kube:kube_list": "200 200 200 200 200 403 403 403 200 200 302",
    "kube:kube_create": "200 200 200 200 403 403 403 403 403 403 302",
    "kube:kube_detail": "200 200 404 200 200 403 403 403 200 200 302",
    "kube:kube_move": "405 405 405 405 405 405 405 405 405 405 302",
    "kube:kube_check": "405 405 405 405 403 403 403 403 403 403 302",
    "kube:kube_edit": "200 200 404 200 403 403 403 403 403 403 302",
    "kube:kube_member_add": "405 405 405 405 403 403 403 403 403 403 302",
    "kube:kube_member_end": "405 405 405 405 403 403 403 403 403 403 302",
    "kube:kube_member_role": "405 405 405 405 403 403 403 403 403 403 302",
    "kube:kube_iks": "405 405 405 405 403 403 403 403 405 403 302",
    "aid:programme_list": "200 200 200 200 200 403 403 403 200 200 302",
    "aid:cycle_detail": "200 200 200 200 200 403 403 403 200 200 302",
    "aid:proposal_create": "405 405 405 405 405 405 405 405 405 405 302",
    "aid:cycle_approve": "302 403 403 403 403 403 403 403 403 403 302",
    "aid:proposal_recommend": "405 405 405 405 405 405 405 405 405 405 302",
    "aid:proposal_reject": "302 403 403 302 403 403 403 403 403 403 302",
    "aid:disbursement_create": "200 200 404 200 403 403 403 403 403 403 302",
    "aid:lpj_submit": "405 405 405 405 405 405 405 405 405 405 302",
    "aid:lpj_accept": "405 405 405 405 405 405 405 405 405 405 302",
    "aid:lpj_return": "405 405 405 405 405 405 405 405 405 405 302",
    "aid:reconcile": "200 200 200 200 403 403 403 403 403 403 302",
    "aid:lpj_detail": "200 200 404 200 200 403 403 403 200 403 302",
    "mentoring:group_list": "200 200 200 200 200 200 200 403 200 200 302",
    "mentoring:group_detail": "200 200 404 200 200 200 200 403 200 200 302",
    "mentoring:session_create": "403 403 403 403 403 403 200 403 403 403 302",
    "mentoring:report": "200 200 404 200 200 403 403 403 200 200 302",
    "mentoring:session_photo": "200 200 404 200 200 200 200 404 200 200 302",
    "mentoring:offer_respond": "405 405 405 405 405 405 405 405 405 405 302",
    "mentoring:assignment_end": "405 405 405 405 405 405 405 405 405 405 302",
    "mentoring:item_update": "405 405 405 405 405 405 405 405 405 405 302",
    "mentoring:mentor_list": "200 200 200 200 200 200 200 403 403 200 302",
    "mentoring:mentor_create": "200 403 403 403 403 200 403 403 403 403 302",
    "mentoring:mentor_edit": "200 200 404 200 200 200 200 403 403 200 302",
    "mentoring:match": "200 403 403 403 403 200 403 403 403 403 302",
    "mentoring:run_detail": "200 404 404 200 403 200 403 403 403 200 302",
    "mentoring:partner_list": "200 200 200 200 200 200 200 403 403 200 302",
    "mentoring:agreement_detail": "200 404 404 404 404 404 404 403 403 200 302",
    "mentoring:agreement_document": "404 404 404 404 404 404 404 403 403 404 302",
    "mentoring:unit_create": "200 403 403 403 403 403 403 403 403 403 302",
    "mentoring:unit_edit": "200 403 403 403 403 403 403 403 403 403 302",
    "mentoring:agreement_create": "200 403 403 403 403 403 403 403 403 403 302",
    "mentoring:agreement_edit": "200 403 403 403 403 403 403 403 403 403 302",
    "market:catalogue": "200 200 200 200 200 200 200 200 200 200 200",
    "market:product_detail": "200 200 200 200 200 200 200 200 200 200 200",
    "market:product_photo": "404 404 404 404 404 404 404 404 404 404 404",
    "market:my_products": "403 403 403 403 403 403 200 403 200 403 302",
    "market:demand_list": "200 200 200 200 200 200 200 200 200 200 302",
    "market:demand_detail": "200 404 404 404 404 200 404 200 404 404 302",
    "market:order_detail": "200 200 200 200 200 200 200 200 200 200 302",
    "market:permit_save": "405 405 405 405 405 405 405 405 405 405 302",
    "market:weeks_save": "405 405 405 405 405 405 405 405 405 405 302",
    "market:photo_save": "405 405 405 405 405 405 405 405 405 405 302",
    "market:order_send": "405 405 405 405 405 405 405 405 405 405 302",
    "market:order_reallocate": "405 405 405 405 405 405 405 405 405 405 302",
    "market:order_step": "405 405 405 405 405 405 405 405 405 405 302",
    "market:order_cancel": "200 403 403 403 403 200 403 200 403 403 302",
    "market:order_rate": "405 405 405 405 405 405 405 405 405 405 302",
    "market:part_answer": "405 405 405 405 405 405 405 405 405 405 302",
    "market:part_adjust": "405 405 405 405 405 405 405 405 405 405 302",
    "market:part_step": "405 405 405 405 405 405 405 405 405 405 302",
    "market:sale_list": "200 200 200 200 200 200 200 403 200 200 302",
    "monitoring:home": "302 302 302 302 302 302 302 404 302 302 302",
    "monitoring:dashboard": "200 200 404 200 200 200 404 404 404 200 302",
    "monitoring:dashboard_pdf": "200 200 404 200 200 200 404 404 404 200 302",
    "monitoring:export": "200 200 404 200 200 200 404 404 404 200 302",
    "monitoring:refresh": "405 405 405 405 405 405 405 405 405 405 302",
    "monitoring:jobs": "200 200 200 200 200 200 200 200 200 200 302",
    "monitoring:job_file": "404 404 404 404 404 404 404 404 404 404 302",
    "monitoring:group": "200 200 404 200 200 200 200 403 200 200 302",
    "monitoring:group_pdf": "200 200 404 200 200 200 200 403 200 200 302",
    "monitoring:report": "200 200 404 200 200 200 200 403 200 200 302",
    "monitoring:graduations": "200 200 200 200 200 403 403 403 403 200 302",
    "monitoring:graduation_decide": "200 200 404 200 403 403 403 403 403 403 302",
    "monitoring:lines": "200 200 200 200 200 200 403 403 200 200 302",
    "monitoring:rubric": "200 200 200 200 200 200 200 403 200 200 302",
    "notifications:preferences": "200 200 200 200 200 200 200 200 200 200 302",
    "notifications:message_list": "200 403 403 403 403 403 403 403 403 403 302",
    "compliance:incident_list": "200 200 200 200 403 403 403 403 403 200 302",
    "compliance:incident_create": "200 200 200 200 403 403 403 403 403 403 302",
    "compliance:incident_detail": "200 200 404 200 403 403 403 403 403 200 302",
    "compliance:incident_edit": "200 200 404 200 403 403 403 403 403 403 302",
    "compliance:incident_letter": "200 200 404 200 403 403 403 403 403 200 302",
    "compliance:register": "200 200 200 200 403 403 403 403 403 200 302",
    "compliance:dpia": "200 200 200 200 403 403 403 403 403 200 302",
    "pdp:request_list": "200 200 200 200 403 403 403 403 403 200 302",
    "pdp:request_create": "200 200 200 200 403 403 403 403 403 403 302",
    "pdp:request_detail": "200 200 404 200 403 403 403 403 403 200 302",
    "pdp:request_close": "405 405 405 405 405 405 405 405 405 405 302",
    "pdp:request_access": "405 405 405 405 405 405 405 405 405 405 302",
    "pdp:request_pdf": "404 404 404 404 403 403 403 403 403 404 302",
    "pdp:request_erase": "405 405 405 405 405 405 405 405 405 405 302",
    "pdp:request_correct": "405 405 405 405 405 405 405 405 405 405 302",
    "pdp:correction_decide": "405 405 405 405 405 405 405 405 405 405 302",
    "pdp:retention": "200 200 200 200 403 403 403 403 403 200 302",
    # Official letters: partners read only assignment letters (the world's is a decree).
    "letters:letter_list": "200 200 200 200 200 200 200 403 200 200 302",
    "letters:letter_issue": "200 200 200 200 403 403 403 403 403 403 302",
    "letters:letter_detail": "200 200 404 200 200 404 404 403 200 200 302",
    "letters:letter_file": "200 200 404 200 200 404 404 403 200 200 302",
    "letters:letter_void": "405 405 405 405 405 405 405 405 405 405 302",
    "letters:template_list": "200 200 200 200 403 403 403 403 403 403 302",
    "letters:template_edit": "200 200 200 200 403 403 403 403 403 403 302",
    "javascript-catalog": "200 200 200 200 200 200 200 200 200 200 200",
    # The installable app: manifest, worker and offline page hold no data (open to all).
    "offline:manifest": "200 200 200 200 200 200 200 200 200 200 200",
    "offline:service_worker": "200 200 200 200 200 200 200 200 200 200 200",
    "offline:offline": "200 200 200 200 200 200 200 200 200 200 200",
    "offline:queue": "200 200 200 200 200 200 200 200 200 200 302",
    "GET /api/v1/users/me": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/users/": "200 200 200 200 403 200 403 403 403 200 401",
    "GET /api/v1/users/{user_id}": "200 200 404 200 403 404 403 403 403 200 401",
    "GET /api/v1/audit/": "200 403 403 403 403 403 403 403 403 200 401",
    "GET /api/v1/regions/": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/regions/{code}": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/regions/{code}/children": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/registry/households": "200 200 200 200 200 403 403 403 403 200 401",
    "GET /api/v1/registry/import-profiles": "200 200 200 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/import-profiles/{name}": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/households/{household_id}": "200 200 404 200 200 403 403 403 403 200 401",
    "GET /api/v1/registry/persons": "200 200 200 200 200 403 403 403 403 200 401",
    "GET /api/v1/registry/imports/{batch_id}": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/imports/{batch_id}/issues": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/duplicates": "200 200 200 200 403 403 403 403 403 403 401",
    "GET /api/v1/registry/duplicates/{candidate_id}": "200 200 404 200 403 403 403 403 403 403 401",
    "GET /api/v1/registry/households/{household_id}/access-log": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/persons/{person_id}/access-log": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/access/unusual": "200 200 200 200 403 403 403 403 403 200 401",
    "GET /api/v1/registry/persons/{person_id}/consents": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/kube/business-types": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/kube/": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/kube/{kube_id}": "200 200 404 200 200 404 404 404 200 200 401",
    "GET /api/v1/kube/{kube_id}/iks": "200 200 404 200 200 403 403 403 200 200 401",
    "GET /api/v1/kube/{kube_id}/iks/entries": "200 200 404 200 200 403 403 403 200 200 401",
    "GET /api/v1/aid/programmes": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/aid/cycles": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/aid/lpj": "200 200 200 200 200 403 403 403 200 403 401",
    "GET /api/v1/aid/proposals": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/aid/disbursements": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/aid/statement-profiles": "200 200 200 200 403 403 403 403 403 403 401",
    "GET /api/v1/aid/proposals/{proposal_id}/lpj": "200 200 404 200 200 403 403 403 200 403 401",
    "GET /api/v1/aid/proposals/{proposal_id}/lpj/items/{item_id}/receipt": "200 200 404 200 200 403 403 403 200 403 401",
    "GET /api/v1/aid/cycles/{cycle_id}/export": "200 200 200 200 200 403 403 403 200 200 401",
    "GET /api/v1/mentoring/units": "200 200 200 200 200 200 200 403 403 200 401",
    "GET /api/v1/mentoring/units/{unit_id}": "200 404 404 200 404 200 404 404 404 200 401",
    "GET /api/v1/mentoring/organisations": "200 200 200 200 200 200 200 403 403 200 401",
    "GET /api/v1/mentoring/agreements": "200 200 200 200 200 200 200 403 403 200 401",
    "GET /api/v1/mentoring/agreements/{agreement_id}": "200 404 404 404 404 404 404 404 404 200 401",
    "GET /api/v1/mentoring/mentors": "200 200 200 200 200 200 200 403 403 200 401",
    "GET /api/v1/mentoring/mentors/{mentor_id}": "200 200 404 200 200 200 200 404 404 200 401",
    "GET /api/v1/mentoring/matching/runs/{run_id}": "200 404 404 200 404 200 404 404 404 200 401",
    "GET /api/v1/mentoring/assignments": "200 200 200 200 200 200 200 403 200 200 401",
    "GET /api/v1/mentoring/groups": "200 200 200 200 200 200 200 403 200 200 401",
    "GET /api/v1/mentoring/groups/{kube_id}": "200 200 404 200 200 200 200 403 200 200 401",
    "GET /api/v1/mentoring/groups/{kube_id}/sessions": "200 200 404 200 200 200 200 403 200 200 401",
    "GET /api/v1/mentoring/sessions/{session_id}/photos/{photo_id}": "200 200 404 200 200 200 200 404 200 200 401",
    "GET /api/v1/mentoring/groups/{kube_id}/reports": "200 200 404 200 200 403 403 403 200 200 401",
    "GET /api/v1/mentoring/groups/{kube_id}/reports/{month}": "200 200 404 200 200 403 403 403 200 200 401",
    "GET /api/v1/market/catalogue": "200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/v1/market/products": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/market/products/{product_id}": "200 200 404 200 200 200 200 200 200 200 401",
    "GET /api/v1/market/demands": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/market/orders/{order_id}": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/market/orders": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/market/sales": "200 200 200 200 200 200 200 403 200 200 401",
    "GET /api/v1/monitoring/dashboard/{code}": "200 200 404 200 200 200 404 404 404 200 401",
    "GET /api/v1/monitoring/groups/{kube_id}/reports": "200 200 404 200 200 200 200 403 200 200 401",
    "GET /api/v1/monitoring/groups/{kube_id}/reports/{month}": "200 200 404 200 200 200 200 403 200 200 401",
    "GET /api/v1/monitoring/groups/{kube_id}/classes": "200 200 404 200 200 200 200 403 200 200 401",
    "GET /api/v1/monitoring/graduations": "200 200 200 200 200 403 403 403 403 200 401",
    "GET /api/v1/monitoring/poverty-lines": "200 200 200 200 200 200 403 403 200 200 401",
    "GET /api/v1/monitoring/rubrics": "200 200 200 200 200 200 200 403 200 200 401",
    "GET /api/v1/notifications/preferences": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/notifications/messages": "200 403 403 403 403 403 403 403 403 403 401",
    "GET /api/v1/compliance/incidents": "200 200 200 200 403 403 403 403 403 200 401",
    "GET /api/v1/compliance/incidents/{incident_id}": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/compliance/processing-register": "200 200 200 200 403 403 403 403 403 200 401",
    "GET /api/v1/pdp/requests": "200 200 200 200 403 403 403 403 403 200 401",
    "GET /api/v1/pdp/requests/{request_id}": "200 200 404 200 403 403 403 403 403 200 401",
    "GET /api/v1/pdp/retention": "200 200 200 200 403 403 403 403 403 200 401",
    "GET /api/v1/letters/": "200 200 200 200 200 200 200 403 200 200 401",
    "GET /api/v1/letters/{letter_id}": "200 200 404 200 200 404 404 403 200 200 401",
    "GET /api/v1/letters/{letter_id}/file/{fmt}": "200 200 404 200 200 404 404 403 200 200 401",
    "GET /api/v1/jobs/": "200 200 200 200 200 200 200 200 200 200 401",
    "GET /api/v1/inbox/": "200 200 200 200 200 200 200 200 200 200 401",
    # The search box: everyone signed in searches what they may see (tests/search).
    "search:results": "200 200 200 200 200 200 200 200 200 200 302",
    "search:suggest": "200 200 200 200 200 200 200 200 200 200 302",
    "search:number": "405 405 405 405 405 405 405 405 405 405 302",
    "GET /api/v1/search/": "422 422 422 422 422 422 422 422 422 422 401",
    # The offline app's device read: whoever follows groups' mentoring (not buyers).
    "GET /api/v1/sync/": "200 200 200 200 200 200 200 403 200 200 401",
    "GET /api/v1/jobs/{job_id}/": "200 200 404 200 404 404 404 404 404 200 401",
}

# Every admin model list: the national admin (staff) in, everyone else to the admin sign-in.
ADMIN_PAGE = "200 302 302 302 302 302 302 302 302 302 302"
# Sign-in logs, task results and token hashes: not even the national admin reads them there.
for _name in [
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "django_tasks_database_dbtaskresult",
    "accounts_apitoken",
]:
    GET[f"admin:{_name}_changelist"] = "403" + ADMIN_PAGE[3:]

# --- Writes: what each write needs ------------------------------------------------------------
# "<permission> [area] [party=roles] [role=answer ...]" per form POST / API write; every cell is
# derived (see expected_write): the anonymous get 401 (API) or the sign-in page; a role without
# the permission 403; with it but outside the Bandung object's area ("area") or not a party to
# it ("party=": buyers see their own demands only) 404, since what lies outside looks absent;
# everyone else "ok": past both checks (done, or the empty sample body refused as 400/409/422).
# "a|b" needs either permission; "-" only a signed-in person; "*" not even that. "role=answer"
# states a cell the permission alone does not decide (a level, party or four-eyes rule), with
# the rule named beside it.
WRITE: dict[str, str] = {
    "core:set_language": "*",
    "accounts:token_create": "-",
    "accounts:token_revoke": "-",
    # No sign-in under way: every role is sent to the sign-in page.
    "accounts:signin_code": "* all=login",
    "accounts:signin_password": "* all=login",
    "accounts:invitation": "* all=410",  # a made-up link: refused with the reason
    "accounts:recovery_codes_renew": "-",
    "accounts:user_create": "accounts.manage_user",
    "accounts:user_import": "accounts.manage_user",
    "accounts:user_change": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "accounts:user_deactivate": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "accounts:user_reactivate": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "accounts:user_require_reset": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "accounts:user_invite": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "accounts:user_remove_2fa": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "registry:household_list": "registry.view_household",  # the export
    "registry:household_create": "registry.add_household",
    "registry:household_edit": "registry.change_household area",
    "registry:person_create": "registry.add_person area",
    "registry:person_edit": "registry.change_person area",
    "registry:reveal": "registry.reveal_identifier area",
    "registry:export": "registry.export_person",
    "registry:import_list": "registry.add_importbatch",
    "registry:import_commit": "registry.add_importbatch area",
    "registry:import_resume": "registry.add_importbatch area",
    "registry:import_cancel": "registry.add_importbatch area",
    "registry:import_map": "registry.add_importbatch area",
    "registry:import_profile_delete": "registry.add_importbatch area",
    "registry:duplicate_decide": "registry.change_duplicatecandidate area",
    "registry:consent_create": "registry.add_consentrecord area",
    "registry:consent_withdraw": "registry.change_consentrecord area",
    "kube:kube_create": "kube.add_kube",
    "kube:kube_check": "kube.add_kube",
    "kube:kube_edit": "kube.change_kube area",
    "kube:kube_move": "kube.change_kube area",
    "kube:kube_member_add": "kube.change_kube area",
    "kube:kube_member_end": "kube.change_kube area",
    "kube:kube_member_role": "kube.change_kube area",
    "kube:kube_iks": "kube.add_iksentry area",
    # Proposing is the regency's step (level rule).
    "aid:proposal_create": "aid.propose_kube admin=403 off_prov=403",
    "aid:cycle_approve": "aid.approve_cycle",
    # Recommending and rejecting are the province's or the centre's (level rule).
    "aid:proposal_recommend": "aid.recommend_proposal area off=403 off_out=403",
    "aid:proposal_reject": "aid.recommend_proposal area off=403 off_out=403",
    # Four eyes: the demo's admin approved the cycle, so she may not record its transfers.
    "aid:disbursement_create": "aid.add_disbursement area admin=403",
    "aid:lpj_detail": "aid.add_lpjitem area",
    "aid:lpj_submit": "aid.add_lpjitem area",
    "aid:lpj_accept": "aid.check_lpj area",
    "aid:lpj_return": "aid.check_lpj area",
    "aid:reconcile": "aid.reconcile_disbursement",
    "mentoring:session_create": "mentoring.add_session area",
    "mentoring:offer_respond": "mentoring.respond_assignment",
    "mentoring:assignment_end": "mentoring.change_assignment",
    "mentoring:item_update": "mentoring.change_actionitem area",
    "mentoring:mentor_create": "mentoring.add_mentor",
    "mentoring:mentor_edit": "mentoring.change_mentor area",
    "mentoring:match": "mentoring.run_matching",
    "mentoring:run_detail": "mentoring.run_matching",
    # A post writes the report (the facilitator's) or returns a submitted one for correction;
    # the demo's report that month is not submitted, so there is nothing for the offices to
    # return (403: writing it is not their step).
    "mentoring:report": "mentoring.add_monthlyreport|mentoring.return_monthlyreport area admin=403 off=403 off_prov=403",
    "mentoring:unit_create": "mentoring.add_unit",
    "mentoring:unit_edit": "mentoring.change_unit",
    "mentoring:agreement_create": "mentoring.add_agreement",
    "mentoring:agreement_edit": "mentoring.change_agreement",
    "market:my_products": "market.add_product",
    "market:permit_save": "market.change_product area",
    "market:photo_save": "market.change_product area",
    "market:weeks_save": "market.change_product area",
    "market:demand_list": "market.add_demand",
    "market:demand_detail": "market.view_demand party=admin,coord,buyer",
    # The demand's buyer steps its order without allocating others' demands (party rule).
    "market:order_send": "market.allocate_demand buyer=ok",
    "market:order_reallocate": "market.allocate_demand buyer=ok",
    "market:order_cancel": "market.allocate_demand buyer=ok",
    "market:order_step": "market.allocate_demand buyer=ok",
    "market:order_rate": "market.add_demand",
    "market:part_answer": "market.respond_orderpart area",
    "market:part_adjust": "market.allocate_demand buyer=ok",
    "market:part_step": "market.respond_orderpart area admin=ok coord=ok buyer=ok",
    "market:sale_list": "market.add_sale",
    "monitoring:refresh": "monitoring.refresh_summary",
    "monitoring:report": "monitoring.add_groupreport area",
    "monitoring:graduation_decide": "monitoring.decide_graduation area",
    "monitoring:lines": "monitoring.load_povertyline",
    "monitoring:rubric": "monitoring.change_rubric",
    # Everyone sets their own notification preferences (and nobody else's).
    "notifications:preferences": "-",
    # Open to all; the sample's made-up password is refused as 401, whoever asks.
    "POST /api/v1/auth/token": "* all=401",
    # The sample asks for the first role, the national admin: above an officer's own
    # (accounts.roles.GRANTABLE), so refused to them whatever the area.
    "POST /api/v1/users/": "accounts.manage_user off=403 off_out=403 off_prov=403 coord=403",
    "POST /api/v1/users/import": "accounts.manage_user",
    "PATCH /api/v1/users/{user_id}": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "POST /api/v1/users/{user_id}/deactivate": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "POST /api/v1/users/{user_id}/reactivate": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "POST /api/v1/users/{user_id}/invite": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "POST /api/v1/users/{user_id}/require-password-change": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "POST /api/v1/users/{user_id}/remove-second-factor": "accounts.manage_user area coord=404",  # coordinators: mentors only
    "POST /api/v1/registry/households": "registry.add_household",
    "POST /api/v1/registry/households/search": "registry.view_household",
    "POST /api/v1/registry/persons/search": "registry.view_person",
    "PUT /api/v1/registry/households/{household_id}": "registry.change_household area",
    "POST /api/v1/registry/households/{household_id}/persons": "registry.add_person area",
    "PUT /api/v1/registry/persons/{person_id}": "registry.change_person area",
    "POST /api/v1/registry/persons/{person_id}/consents": "registry.add_consentrecord area",
    "POST /api/v1/registry/consents/{consent_id}/withdraw": "registry.change_consentrecord area",
    "POST /api/v1/registry/reveal": "registry.reveal_identifier area",
    "POST /api/v1/registry/exports": "registry.export_person",
    "POST /api/v1/registry/imports": "registry.add_importbatch",
    "POST /api/v1/registry/import-profiles": "registry.add_importbatch",
    "DELETE /api/v1/registry/import-profiles/{name}": "registry.add_importbatch area",
    "POST /api/v1/registry/imports/{batch_id}/commit": "registry.add_importbatch area",
    "POST /api/v1/registry/imports/{batch_id}/resume": "registry.add_importbatch area",
    "POST /api/v1/registry/imports/{batch_id}/cancel": "registry.add_importbatch area",
    "POST /api/v1/registry/duplicates/{candidate_id}/decide": "registry.change_duplicatecandidate area",
    "POST /api/v1/kube/": "kube.add_kube",
    "PATCH /api/v1/kube/{kube_id}": "kube.change_kube area",
    "POST /api/v1/kube/{kube_id}/submit": "kube.submit_kube area",
    "POST /api/v1/kube/{kube_id}/return": "kube.verify_kube area",
    "POST /api/v1/kube/{kube_id}/verify": "kube.verify_kube area",
    "POST /api/v1/kube/{kube_id}/activate": "kube.activate_kube area",
    "POST /api/v1/kube/{kube_id}/graduate": "kube.close_kube area",
    "POST /api/v1/kube/{kube_id}/dissolve": "kube.close_kube area",
    "POST /api/v1/kube/{kube_id}/members": "kube.change_kube area",
    "POST /api/v1/kube/{kube_id}/members/{person_id}/end": "kube.change_kube area",
    "POST /api/v1/kube/{kube_id}/members/{person_id}/role": "kube.change_kube area",
    "POST /api/v1/kube/{kube_id}/iks": "kube.add_iksentry area",
    "POST /api/v1/aid/programmes": "aid.add_programme",
    "PATCH /api/v1/aid/programmes/{programme_id}": "aid.change_programme",
    "POST /api/v1/aid/programmes/{programme_id}/cycles": "aid.add_cycle",
    "POST /api/v1/aid/cycles/{cycle_id}/approve": "aid.approve_cycle",
    # The kube is named in the body; proposing is the regency's step (level rule).
    "POST /api/v1/aid/proposals": "aid.propose_kube admin=403 off_prov=403",
    # Recommending and rejecting are the province's or the centre's (level rule).
    "POST /api/v1/aid/proposals/{proposal_id}/recommend": "aid.recommend_proposal area off=403 off_out=403",
    "POST /api/v1/aid/proposals/{proposal_id}/reject": "aid.recommend_proposal area off=403 off_out=403",
    # Four eyes: the demo's admin approved the cycle, so she may not record its transfers.
    "POST /api/v1/aid/proposals/{proposal_id}/disbursements": "aid.add_disbursement area admin=403",
    "POST /api/v1/aid/reconcile": "aid.reconcile_disbursement",
    "POST /api/v1/aid/proposals/{proposal_id}/lpj/items": "aid.add_lpjitem area",
    "DELETE /api/v1/aid/proposals/{proposal_id}/lpj/items/{item_id}": "aid.add_lpjitem area",
    "POST /api/v1/aid/proposals/{proposal_id}/lpj/submit": "aid.add_lpjitem area",
    "POST /api/v1/aid/proposals/{proposal_id}/lpj/check": "aid.check_lpj area",
    "POST /api/v1/aid/proposals/{proposal_id}/lpj/accept": "aid.check_lpj area",
    "POST /api/v1/aid/proposals/{proposal_id}/lpj/return": "aid.check_lpj area",
    "POST /api/v1/mentoring/organisations": "mentoring.add_organisation",
    "PUT /api/v1/mentoring/organisations/{organisation_id}": "mentoring.change_organisation",
    "POST /api/v1/mentoring/units": "mentoring.add_unit",
    "PUT /api/v1/mentoring/units/{unit_id}": "mentoring.change_unit",
    "POST /api/v1/mentoring/agreements": "mentoring.add_agreement",
    "PUT /api/v1/mentoring/agreements/{agreement_id}": "mentoring.change_agreement",
    "POST /api/v1/mentoring/agreements/{agreement_id}/document": "mentoring.change_agreement",
    "POST /api/v1/mentoring/mentors": "mentoring.add_mentor",
    "PUT /api/v1/mentoring/mentors/{mentor_id}": "mentoring.change_mentor area",
    "POST /api/v1/mentoring/mentors/{mentor_id}/leave": "mentoring.change_mentor area",
    "POST /api/v1/mentoring/matching/runs": "mentoring.run_matching",
    "PATCH /api/v1/mentoring/matching/rows/{row_id}": "mentoring.run_matching",
    "POST /api/v1/mentoring/matching/runs/{run_id}/send": "mentoring.run_matching",
    "POST /api/v1/mentoring/matching/runs/{run_id}/discard": "mentoring.run_matching",
    "POST /api/v1/mentoring/assignments/{assignment_id}/accept": "mentoring.respond_assignment area",
    "POST /api/v1/mentoring/assignments/{assignment_id}/decline": "mentoring.respond_assignment area",
    "POST /api/v1/mentoring/assignments/{assignment_id}/end": "mentoring.change_assignment area",
    "POST /api/v1/mentoring/groups/{kube_id}/sessions": "mentoring.add_session area",
    "POST /api/v1/mentoring/sessions/{session_id}/photos": "mentoring.add_session area",
    "PATCH /api/v1/mentoring/action-items/{item_id}": "mentoring.change_actionitem area",
    "PUT /api/v1/mentoring/groups/{kube_id}/reports/{month}": "mentoring.change_monthlyreport area",
    # The demo's group has no facilitator report that month: there is none to return (404).
    "POST /api/v1/mentoring/groups/{kube_id}/reports/{month}/return": "mentoring.return_monthlyreport area admin=404 off=404 off_prov=404",
    "POST /api/v1/market/products": "market.add_product",
    "PUT /api/v1/market/products/{product_id}": "market.change_product area",
    "POST /api/v1/market/products/{product_id}/permits": "market.change_product area",
    "POST /api/v1/market/products/{product_id}/photo": "market.change_product area",
    "POST /api/v1/market/demands": "market.add_demand",
    "POST /api/v1/market/demands/{demand_id}/orders": "market.view_demand party=admin,coord,buyer",
    "POST /api/v1/market/orders/{order_id}/send": "market.allocate_demand buyer=ok",
    "POST /api/v1/market/orders/{order_id}/reallocate": "market.allocate_demand buyer=ok",
    "POST /api/v1/market/orders/{order_id}/step": "market.allocate_demand buyer=ok",
    "POST /api/v1/market/orders/{order_id}/rating": "market.add_demand",
    "POST /api/v1/market/parts/{part_id}/answer": "market.respond_orderpart area",
    "PATCH /api/v1/market/parts/{part_id}": "market.allocate_demand buyer=ok",
    # The group answers and delivers its part; the order's side steps it too (party rule).
    "POST /api/v1/market/parts/{part_id}/step": "market.respond_orderpart area admin=ok coord=ok buyer=ok",
    "POST /api/v1/market/sales": "market.add_sale",
    "PUT /api/v1/monitoring/groups/{kube_id}/reports/{month}": "monitoring.add_groupreport area",
    # Four eyes: the demo's admin filed the report, so someone else must return it.
    "POST /api/v1/monitoring/groups/{kube_id}/reports/{month}/return": "monitoring.return_groupreport area admin=403",
    "POST /api/v1/monitoring/graduations/{graduation_id}/decision": "monitoring.decide_graduation area",
    "PUT /api/v1/monitoring/poverty-lines": "monitoring.load_povertyline",
    "PUT /api/v1/monitoring/rubrics": "monitoring.change_rubric",
    "compliance:incident_create": "compliance.add_incident",
    "compliance:incident_detail": "compliance.change_incident area",  # records a notice
    "compliance:incident_edit": "compliance.change_incident area",
    "POST /api/v1/compliance/incidents": "compliance.add_incident",
    "POST /api/v1/compliance/incidents/{incident_id}/notifications": "compliance.change_incident area",
    "pdp:request_create": "pdp.add_datasubjectrequest",
    "pdp:request_close": "pdp.change_datasubjectrequest area",
    "pdp:request_access": "pdp.view_datasubjectrequest area",
    "pdp:request_erase": "pdp.erase_person area",
    "pdp:request_correct": "pdp.change_datasubjectrequest area",
    "pdp:correction_decide": "pdp.approve_correction area",
    "pdp:retention": "pdp.run_retention",
    "POST /api/v1/pdp/requests": "pdp.add_datasubjectrequest",
    "POST /api/v1/pdp/requests/{request_id}/close": "pdp.change_datasubjectrequest area",
    "POST /api/v1/pdp/requests/{request_id}/access": "pdp.view_datasubjectrequest area",
    "POST /api/v1/pdp/requests/{request_id}/erase": "pdp.erase_person area",
    "POST /api/v1/pdp/requests/{request_id}/corrections": "pdp.change_datasubjectrequest area",
    # Four eyes: the world's correction was proposed by the national admin.
    "POST /api/v1/pdp/corrections/{correction_id}/decide": "pdp.approve_correction area admin=403",
    "PUT /api/v1/notifications/preferences": "-",
    # A whole NIK or KK: who may view the registry (partners never); the empty sample is refused.
    "search:number": "registry.view_person|registry.view_household",
    "POST /api/v1/search/number": "registry.view_person|registry.view_household",
    "letters:letter_issue": "letters.add_letter",
    "letters:letter_void": "letters.void_letter area",
    "letters:template_edit": "letters.change_lettertemplate",
    # The sample names the Bandung group (object_id): its decree, issued by its office's
    # officers, the province's, or the centre.
    "POST /api/v1/letters/": "letters.add_letter area",
    "POST /api/v1/letters/{letter_id}/void": "letters.void_letter area",
}

# Cells where the program answers otherwise than the rule above, each with what is wrong. The
# test asserts these answers exactly, so a fix fails it until its line is removed (like
# tests/core/test_layers.py's ALLOWED).
KNOWN_WRONG: dict[str, str] = {}


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, Any]
    clients: dict[str, Client] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest,
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: Any,
) -> Iterator[World]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        testdb.demo_world(request.config, media),
        transaction.atomic(),
    ):
        users = {role: User.objects.get(username=name) for role, name in LOGINS.items()}
        built = World(users=users, ids=_ids(users))
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role in users:
                client.force_login(users[role])
            built.clients[role] = client
        yield built
        transaction.set_rollback(True)


def _first(qs: Any) -> int:
    row = qs.first()
    assert row is not None, f"the demo has no {qs.model._meta.label}"
    return int(row.pk)


def _candidate(person: Any) -> int:
    """A Bandung pair in the review queue (the demo's scan may find none in so few rows)."""
    from sinergi.registry.models import DuplicateCandidate, Person

    other = Person.objects.filter(area_code__startswith="32.73").exclude(pk=person.pk).first()
    assert other is not None
    return DuplicateCandidate.objects.create(
        person_a=person, person_b=other, score=0.9, reason="name", area_code=person.area_code
    ).pk


def _consent(person: Any) -> int:
    """A current consent of a Bandung person (to withdraw)."""
    from tests.factories import ConsentFactory

    return int(ConsentFactory(person=person, purpose="officer_phone").pk)


def _import_profile(users: dict[str, User]) -> int:
    from sinergi.registry import profiles
    from sinergi.registry.mapping import Spec

    columns = ["no_kk", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan_keluarga"]
    spec = Spec({c.upper(): c for c in [*columns, "kode_desa"]})
    return profiles.profile_save(
        actor=users["off"], name="Lembar Bandung", spec=spec, header=list(spec.columns)
    ).pk


def _incident(users: dict[str, User]) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from sinergi.compliance.services import incident_record

    now = timezone.now()
    return incident_record(
        actor=users["off"],
        title="Matrix",
        area_code="32.73",
        categories=["contact"],
        affected_count=3,
        occurred_at=now - timedelta(days=2),
        discovered_at=now - timedelta(days=1),
        description="Matrix",
    ).pk


def _pdp_requests(users: dict[str, User], person: Any) -> dict[str, int]:
    """An erasure request about the Bandung head, and a correction (proposed by the national
    admin) of a correction request about the same person."""
    from datetime import date

    from sinergi.core.crypto import decrypt
    from sinergi.pdp import services

    nik = decrypt(person.nik_cipher, field="nik")
    made = {
        kind: services.request_create(
            actor=users["off"], kind=kind, nik=nik, channel="letter", received_on=date(2026, 1, 5)
        ).pk
        for kind in ("erasure", "correction")
    }
    correction = services.correction_propose(
        actor=users["admin"], request_id=made["correction"], changes={"birth_place": "Garut"}
    )
    return {"dsr": made["erasure"], "correction": correction.pk}


def _ids(users: dict[str, User]) -> dict[str, Any]:
    """The Bandung group and what hangs from it, by the names used in URLs and the API."""
    from sinergi.accounts.services import api_token_create
    from sinergi.aid.models import Cycle, LpjItem, Proposal
    from sinergi.core.models import Job
    from sinergi.market.models import Demand, Order, OrderPart, Product
    from sinergi.mentoring.models import (
        ActionItem,
        Agreement,
        Assignment,
        MatchRun,
        MonthlyReport,
        Organisation,
        SessionPhoto,
        Unit,
    )
    from sinergi.monitoring import exports
    from sinergi.monitoring.models import Graduation, GroupReport
    from sinergi.registry.models import ImportBatch
    from tests.letters.helpers import issue_letters

    kube = users["kube"].kube
    assert kube is not None and kube.area_code.startswith("32.73")
    head = kube.memberships.select_related("person").order_by("id").first()
    assert head is not None
    proposal = Proposal.objects.filter(kube=kube, cycle__number=1).get()
    photo = SessionPhoto.objects.filter(session__kube=kube).order_by("id").first()
    report = MonthlyReport.objects.filter(kube=kube).order_by("month").first()
    group_report = GroupReport.objects.filter(kube=kube).order_by("-period").first()
    token, _raw = api_token_create(actor=users["kube"], name="matrix")
    job = Job.objects.filter(kind="monitoring.export", area_code__startswith="32.73").first()
    ids: dict[str, Any] = {
        "kube": kube.pk,
        "household": head.person.household_id,
        "person": head.person_id,
        "kind_person": "nik",
        "batch": ImportBatch.objects.filter(file_name="kecamatan-sukasari.csv").get().pk,
        # A file layout Kota Bandung's office saved (registry.profiles).
        "import_profile": _import_profile(users),
        "import_profile_name": "Lembar Bandung",
        "candidate": _candidate(head.person),
        "consent": _consent(head.person),
        "cycle": Cycle.objects.get(number=1).pk,
        "programme": Cycle.objects.get(number=1).programme_id,
        "proposal": proposal.pk,
        "lpj_item": _first(LpjItem.objects.filter(lpj__proposal=proposal).order_by("id")),
        "session": photo.session_id if photo else 0,
        "photo": photo.pk if photo else 0,
        "assignment": _first(Assignment.objects.filter(kube=kube).order_by("-id")),
        "item": _first(ActionItem.objects.filter(kube=kube).order_by("id")),
        "mentor": users["mentor"].mentor_id,
        "run": _first(MatchRun.objects.all().order_by("id")),
        "agreement": _first(Agreement.objects.all().order_by("id")),
        "unit": _first(Unit.objects.filter(area_code="32").order_by("id")),
        "organisation": _first(Organisation.objects.all().order_by("id")),
        "report_month": f"{report.month:%Y-%m}" if report else "2026-01",
        "group_month": f"{group_report.period:%Y-%m}" if group_report else "2026-01",
        "product": _first(Product.objects.filter(kube=kube).order_by("id")),
        "demand": _first(Demand.objects.all().order_by("id")),
        "order": _first(Order.objects.all().order_by("id")),
        "part": _first(OrderPart.objects.filter(kube=kube).order_by("id")),
        "graduation": _first(
            Graduation.objects.filter(kube__area_code__startswith="32.73").order_by("id")
        ),
        "job": job.pk if job else 999_999,
        # The import's core.Job: seen where the batch is, by who may see imports.
        "import_job": ImportBatch.objects.get(file_name="kecamatan-sukasari.csv").job_id,
        "token": token.pk,
        # Kota Bandung's facilitator: a user of the object's area.
        "fac_user": users["fac"].pk,
        # Links of a reset or an invitation nobody sent.
        "bad_uid": "MTIzNDU2Nzg",
        "bad_link": "c2x-0123456789abcdef",
        **_pdp_requests(users, head.person),
        "code": "32.73",
        "export_kind": next(iter(exports.KINDS)),
        # A Kota Bandung personal-data incident (the breach register) and a letter's addressee.
        "incident": _incident(users),
        "recipient": "authority",
        # A decree of the Bandung group (sinergi.letters), and the file format asked for.
        "letter": issue_letters(kube, users["off"], 1)[0].pk,
        "letter_fmt": "pdf",
    }
    return ids


# --- What to ask ------------------------------------------------------------------------------

# URL keyword → world id; ``pk`` is looked up per route in PK_OF.
URL_ARGS = {
    "recipient": "recipient",
    "token_id": "token",
    "uidb64": "bad_uid",
    "token": "bad_link",
    "code": "code",
    "photo_pk": "photo",
    "person": "person",
    "part": "part",
}
PK_OF = {
    "registry:household_detail": "household",
    "registry:household_edit": "household",
    "registry:person_create": "household",
    "registry:person_edit": "person",
    "registry:reveal": "person",
    "registry:import_detail": "batch",
    "registry:import_commit": "batch",
    "registry:import_resume": "batch",
    "registry:import_cancel": "batch",
    "registry:import_report": "batch",
    "registry:import_map": "batch",
    "registry:import_profile_delete": "import_profile",
    "registry:duplicate_decide": "candidate",
    "registry:duplicate_review": "candidate",
    "registry:person_detail": "person",
    "registry:consent_create": "person",
    "registry:consent_withdraw": "consent",
    "registry:household_access": "household",
    "registry:person_access": "person",
    "kube:kube_detail": "kube",
    "kube:kube_move": "kube",
    "kube:kube_edit": "kube",
    "kube:kube_member_add": "kube",
    "kube:kube_member_end": "kube",
    "kube:kube_member_role": "kube",
    "kube:kube_iks": "kube",
    "mentoring:group_detail": "kube",
    "mentoring:session_create": "kube",
    "mentoring:report": "kube",
    "monitoring:group": "kube",
    "monitoring:group_pdf": "kube",
    "monitoring:report": "kube",
    "aid:cycle_detail": "cycle",
    "aid:proposal_create": "cycle",
    "aid:cycle_approve": "cycle",
    "aid:proposal_recommend": "proposal",
    "aid:proposal_reject": "proposal",
    "aid:disbursement_create": "proposal",
    "aid:lpj_submit": "proposal",
    "aid:lpj_accept": "proposal",
    "aid:lpj_return": "proposal",
    "aid:lpj_detail": "proposal",
    "mentoring:session_photo": "session",
    "mentoring:offer_respond": "assignment",
    "mentoring:assignment_end": "assignment",
    "mentoring:item_update": "item",
    "mentoring:mentor_edit": "mentor",
    "mentoring:run_detail": "run",
    "mentoring:agreement_detail": "agreement",
    "mentoring:agreement_edit": "agreement",
    "mentoring:unit_edit": "unit",
    "mentoring:agreement_document": "agreement",
    "market:product_detail": "product",
    "market:product_photo": "product",
    "market:demand_detail": "demand",
    "market:order_detail": "order",
    "market:permit_save": "product",
    "market:weeks_save": "product",
    "market:photo_save": "product",
    "market:order_send": "order",
    "market:order_reallocate": "order",
    "market:order_step": "order",
    "market:order_cancel": "order",
    "market:order_rate": "order",
    "market:part_answer": "order",
    "market:part_adjust": "order",
    "market:part_step": "order",
    "monitoring:job_file": "job",
    "core:job": "import_job",
    "core:job_file": "import_job",
    "pdp:request_detail": "dsr",
    "pdp:request_close": "dsr",
    "pdp:request_access": "dsr",
    "pdp:request_pdf": "dsr",
    "pdp:request_erase": "dsr",
    "pdp:request_correct": "dsr",
    "pdp:correction_decide": "dsr",
    "monitoring:graduation_decide": "graduation",
    "compliance:incident_detail": "incident",
    "compliance:incident_edit": "incident",
    "compliance:incident_letter": "incident",
    "letters:letter_detail": "letter",
    "letters:letter_file": "letter",
    "letters:letter_void": "letter",
    "accounts:user_detail": "fac_user",
    "accounts:user_change": "fac_user",
    "accounts:user_deactivate": "fac_user",
    "accounts:user_reactivate": "fac_user",
    "accounts:user_require_reset": "fac_user",
    "accounts:user_invite": "fac_user",
    "accounts:user_remove_2fa": "fac_user",
}
# API path parameter → world id.
API_ARGS = {
    "request_id": "dsr",
    "correction_id": "correction",
    "incident_id": "incident",
    "household_id": "household",
    "person_id": "person",
    "batch_id": "batch",
    "name": "import_profile_name",  # an import layout (registry.profiles)
    "candidate_id": "candidate",
    "consent_id": "consent",
    "kube_id": "kube",
    "proposal_id": "proposal",
    "cycle_id": "cycle",
    "programme_id": "programme",
    "item_id": "lpj_item",
    "agreement_id": "agreement",
    "unit_id": "unit",
    "organisation_id": "organisation",
    "mentor_id": "mentor",
    "run_id": "run",
    "row_id": "assignment",
    "assignment_id": "assignment",
    "session_id": "session",
    "photo_id": "photo",
    "product_id": "product",
    "demand_id": "demand",
    "order_id": "order",
    "part_id": "part",
    "graduation_id": "graduation",
    "job_id": "import_job",
    "code": "code",
    "user_id": "fac_user",
    "letter_id": "letter",
    "fmt": "letter_fmt",
    "object_id": "kube",  # a letter's record in the issue sample: the Bandung group
}


@dataclass(frozen=True)
class Endpoint:
    key: str  # the table's key: a route name, or "METHOD /api/v1/path/{param}"
    path: str
    method: str = "GET"
    api_op: dict[str, Any] | None = None
    writes: bool = False  # a page whose view handles a POST


def _patterns(
    patterns: list[Any], prefix: str = "", ns: str = ""
) -> Iterator[tuple[str, str, Any]]:
    """(template, namespaced name, view) of every URL pattern, recursively."""
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = ns + (f"{p.namespace}:" if p.namespace else "")
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            template = prefix + str(p.pattern)
            yield template, ns + (p.name or template), p.callback


def _handles_post(view: Any) -> bool:
    """Whether a page's view takes a POST: read from its source, as a reviewer would (it
    names POST, binds a form to the request, or guards against a double submit)."""
    try:
        source = inspect.getsource(inspect.unwrap(view))
        return any(mark in source for mark in ("POST", "bind(", "submit_once"))
    except (OSError, TypeError):
        return False


def _url(name: str, template: str, ids: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for part in template.split("<")[1:]:
        key = part.split(">")[0].split(":")[-1]
        if key == "pk":
            kwargs[key] = ids[PK_OF[name]]
        elif key == "month":
            kwargs[key] = ids["group_month" if name.startswith("monitoring") else "report_month"]
        elif key == "kind" and name == "core:picker":
            kwargs[key] = "village"
        elif key == "kind" and name == "letters:template_edit":
            kwargs[key] = "kube_decree"
        elif key == "fmt" and name == "letters:letter_file":
            kwargs[key] = "pdf"
        elif key == "kind":
            kwargs[key] = ids["export_kind" if name.startswith("monitoring") else "kind_person"]
        elif key == "fmt":
            kwargs[key] = "csv"
        elif key in URL_ARGS:
            kwargs[key] = ids[URL_ARGS[key]]
        else:
            raise AssertionError(f"add an id for <{key}> of {name} ({template}) in URL_ARGS")
    return reverse(name, kwargs=kwargs)


def html_endpoints(ids: dict[str, Any]) -> list[Endpoint]:
    out = []
    for template, name, view in _patterns(get_resolver().url_patterns):
        if template.startswith("api/"):
            continue  # enumerated from the OpenAPI document
        if template.startswith("admin/"):
            # One staff check guards the whole admin site: its index and every model's list
            # stand for it (the other admin pages sit behind the same check).
            if name == "admin:index" or name.endswith("_changelist"):
                out.append(Endpoint(name, reverse(name)))
            continue
        if name == "accounts:logout":
            continue  # would sign the client out; a POST-only view tested in accounts
        url = _url(name, template, ids)
        out.append(Endpoint(name, url, writes=_handles_post(view)))
    return out


def api_endpoints(ids: dict[str, Any]) -> list[Endpoint]:
    from sinergi.config.api import api

    schema = api.get_openapi_schema()
    out = []
    for template, item in schema["paths"].items():
        # Two kinds of item share the parameter name: the action item is the mentoring one.
        path = template.replace("action-items/{item_id}", f"action-items/{ids['item']}")
        for param, world_key in API_ARGS.items():
            path = path.replace("{" + param + "}", str(ids[world_key]))
        month = ids["group_month" if template.startswith("/api/v1/monitoring") else "report_month"]
        path = path.replace("{month}", month)
        assert "{" not in path, f"add an id for {path} in API_ARGS"
        for method, op in item.items():
            out.append(Endpoint(f"{method.upper()} {template}", path, method.upper(), op))
    return out


# --- Request bodies for writes ------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)


def _sample(
    node: dict[str, Any], schemas: dict[str, Any], ids: dict[str, Any], name: str = ""
) -> Any:
    """The smallest value the schema accepts, so the request reaches the permission check; an
    id names the world's Bandung object, so that area scoping is what refuses it."""
    if "$ref" in node:
        return _sample(schemas[node["$ref"].rsplit("/", 1)[-1]], schemas, ids)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"]
            return _sample(options[0], schemas, ids, name)
    if name == "id" or name in API_ARGS:
        return ids[API_ARGS.get(name, "person")]
    if "enum" in node:
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    if node.get("pattern", "").startswith("^("):  # ^(a|b|c)$: the first choice
        return node["pattern"][2:].split("|")[0].rstrip(")$")
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {
            key: _sample(prop, schemas, ids, key)
            for key, prop in node.get("properties", {}).items()
            if key in node.get("required", [])
        }
    if kind == "array":
        return [_sample(node.get("items", {}), schemas, ids)] * node.get("minItems", 0)
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if node.get("format") == "binary":
        return SimpleUploadedFile("x.png", PNG, content_type="image/png")
    if node.get("format") == "date":
        return "2026-01-15"
    if node.get("format") == "date-time":
        return "2026-01-15T10:00:00+07:00"
    return "x" * max(5, node.get("minLength", 1))


def _send(client: Client, endpoint: Endpoint, schemas: dict[str, Any], ids: dict[str, Any]) -> Any:
    if endpoint.api_op is None:
        return client.post(endpoint.path, {})
    content = endpoint.api_op.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        assert endpoint.method == "POST", endpoint.key
        return client.post(
            endpoint.path, _sample(content["multipart/form-data"]["schema"], schemas, ids)
        )
    body = _sample(content["application/json"]["schema"], schemas, ids) if content else None
    return client.generic(
        endpoint.method,
        endpoint.path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


def _counts() -> dict[str, int]:
    """Rows per table of the project's models (the audit trail, which records refusals, aside),
    in one query: it is asked after every refused request."""
    from django.db import connection

    models = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("sinergi.")
        and model._meta.managed
        and not model._meta.proxy
        and model._meta.label != "core.AuditEvent"
    ]
    quote = connection.ops.quote_name
    # Table names come from the model registry, quoted: nothing from outside reaches the SQL.
    tables = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})"  # noqa: S608
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {tables}")
        row = cursor.fetchone()
    return {model._meta.label: n for model, n in zip(models, row, strict=True)}


# --- The checks ---------------------------------------------------------------------------------


def _changed(baseline: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (baseline[k], n) for k, n in _counts().items() if baseline[k] != n}


def _row(statuses: dict[str, int]) -> str:
    return " ".join(str(statuses[role]) for role in ROLES)


@pytest.mark.django_db
def test_every_get_answers_exactly_as_the_table_says(world: World) -> None:
    endpoints = html_endpoints(world.ids) + [
        e for e in api_endpoints(world.ids) if e.method == "GET"
    ]
    problems: list[str] = []
    for endpoint in endpoints:
        seen = {role: world.clients[role].get(endpoint.path).status_code for role in ROLES}
        expected = GET.get(endpoint.key) or (
            ADMIN_PAGE if endpoint.key.startswith("admin:") else None
        )
        if expected is None:
            problems.append(
                f"add a case for {endpoint.key}: {endpoint.path} answers {_row(seen)!r}"
            )
        elif expected.split() != _row(seen).split():
            problems.append(
                f"{endpoint.key} ({endpoint.path}):\n  expected {expected}\n  answered {_row(seen)}"
            )
    keys = {e.key for e in endpoints}
    problems += [f"{key} is in GET but no longer a path" for key in GET if key not in keys]
    assert not problems, "\n".join(problems)


def _in_area(user: User | None) -> bool:
    """Whether the addressed Bandung object lies in the user's area (nation: everywhere)."""
    code = user.area_code if user is not None else None
    return not code or "32.73".startswith(code)


def expected_write(endpoint: Endpoint, world: World) -> dict[str, str]:
    """Each role's expected answer to ``endpoint`` from its WRITE spec: "ok" (the permission
    and area checks passed), or the exact refusal."""
    perm, *rest = WRITE[endpoint.key].split()
    scoped = "area" in rest
    cells = dict(token.split("=") for token in rest if "=" in token)
    party = cells.pop("party", "").split(",")
    known = dict(token.split("=") for token in KNOWN_WRONG.get(endpoint.key, "").split())
    out: dict[str, str] = {}
    for role in ROLES:
        user = world.users.get(role)
        if role in known or role in cells or "all" in cells:
            out[role] = known.get(role) or cells.get(role) or cells["all"]
        elif user is None:
            out[role] = "ok" if perm == "*" else ("401" if endpoint.api_op else "login")
        elif perm not in ("*", "-") and not any(user.has_perm(p) for p in perm.split("|")):
            out[role] = "403"
        elif (scoped and not _in_area(user)) or (party != [""] and role not in party):
            out[role] = "404"
        else:
            out[role] = "ok"
    return out


# What an allowed role may be answered: done, or its (empty, sample) body refused as invalid or
# untimely — which proves the permission and area checks let it through.
OK_API = {200, 201, 202, 204, 400, 409, 422}
OK_PAGE = {200, 302, 400}


def _answer(response: Any, endpoint: Endpoint, expected: str) -> str:
    """The response in the table's words: "ok" when it is an allowed role's answer."""
    from django.conf import settings
    from django.shortcuts import resolve_url

    status = response.status_code
    to_login = status == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    if to_login:
        return "login"
    if expected == "ok" and status in (OK_PAGE if endpoint.api_op is None else OK_API):
        return "ok"
    return str(status)


@contextmanager
def _undone(client: Client) -> Iterator[None]:
    """Run a request whose every effect is rolled back (rows, and the client's cookies), so each
    role meets the same world: an allowed admin's verify must not spoil the officer's."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    client.cookies = cookies


@pytest.mark.django_db
def test_every_write_answers_exactly_as_the_table_says(world: World) -> None:
    """Every form POST and API write × role: 401 / the sign-in page for the anonymous, 403 for a
    role without the permission, 404 for a role with it outside the object's area, and for the
    roles allowed an answer past both checks; a refused write changes no row."""
    from sinergi.config.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    endpoints = [e for e in html_endpoints(world.ids) if e.writes] + [
        e for e in api_endpoints(world.ids) if e.method != "GET"
    ]
    baseline = _counts()  # every request below is rolled back: the world stays as it is
    problems: list[str] = []
    for endpoint in endpoints:
        expected = expected_write(endpoint, world) if endpoint.key in WRITE else None
        seen: dict[str, str] = {}
        for role in ROLES:
            client = world.clients[role]
            wanted = expected[role] if expected else ""
            with _undone(client):
                seen[role] = _answer(_send(client, endpoint, schemas, world.ids), endpoint, wanted)
                changed = {} if wanted == "ok" else _changed(baseline)
            if changed:
                problems.append(f"{endpoint.key} refused to {role} changed rows {changed}")
        method = endpoint.method if endpoint.api_op else "POST"
        if expected is None:
            problems.append(
                f"add a case for {endpoint.key}: {endpoint.path} answers {_row(seen)!r}"
            )
        elif _row(expected) != _row(seen):
            problems.append(
                f"{endpoint.key} ({method} {endpoint.path}):\n"
                f"  expected {_row(expected)}\n  answered {_row(seen)}"
            )
    keys = {e.key for e in endpoints}
    problems += [f"{key} is in WRITE but no longer a write" for key in WRITE if key not in keys]
    assert not problems, "\n".join(problems)
