"""Registry work waiting for a person (core.inbox): checked imports to save, possible
duplicates to review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sinergi.core.inbox import (
    InboxItem,
    any_row,
    as_datetime,
    batch_provider,
    bounded,
    by_audience,
    counted,
    kind,
    more_text,
    personal_ids,
    provider,
)
from sinergi.registry import selectors
from sinergi.registry.models import ImportBatch, ImportStatus

IMPORT = kind("registry.import", gettext_lazy("Imports to save"))
DUPLICATES = kind("registry.duplicates", gettext_lazy("Possible duplicates to review"))


@provider("registry.work")
def work(user: Any) -> Iterable[InboxItem]:
    def batch(b: Any) -> InboxItem:
        return InboxItem(
            IMPORT,
            _("Save or cancel the checked import %(file)s (%(valid)s valid rows)")
            % {"file": b.file_name, "valid": b.rows_valid},
            reverse("registry:import_detail", args=[b.pk]), b.updated_at, area=b.area_code,
        )  # fmt: skip

    def batch_more(count: str, b: Any) -> InboxItem:
        return InboxItem(
            IMPORT, _("%(n)s more checked imports to save") % {"n": count},
            reverse("registry:import_list"), b.updated_at,
        )  # fmt: skip

    checked = {"uploaded_by": user.pk, "status": ImportStatus.CHECKED}
    items = bounded(
        selectors.imports_to_save(actor=user), batch, batch_more,
        guard=lambda: any_row(ImportBatch, **checked),
    )  # fmt: skip
    count, since = counted(selectors.duplicates_to_review(actor=user), "created_at")
    if count:
        text = ngettext(
            "%(n)s possible duplicate to review",
            "%(n)s possible duplicates to review",
            count,
        ) % {"n": more_text(count)}
        items.append(
            InboxItem(DUPLICATES, text, reverse("registry:duplicate_list"), as_datetime(since))
        )
    return items


@batch_provider("registry.work")
def work_for_users(users: Sequence[Any]) -> Mapping[int, Iterable[InboxItem]]:
    # Personal: who uploaded a checked import (hers to save).
    checked = ImportBatch.objects.filter(status=ImportStatus.CHECKED)
    mine = personal_ids(checked, "uploaded_by_id", users)
    return by_audience("registry.work", users, work, personal=mine)
