"""Smaller rules of the house checked where they were broken (issue 18's follow-ups)."""

from __future__ import annotations

import pytest

from sinergi.core.tasks import TaskFailed


def test_the_region_load_task_fails_in_a_storable_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Like every task: the failure is TaskFailed with cleaned text (no NUL, no chained
    exception), so the database worker can always record it."""
    from sinergi.wilayah import tasks

    def broken(**_kwargs: object) -> None:
        raise ValueError("file held a NUL \x00 here")

    monkeypatch.setattr(tasks, "regions_load", broken)
    with pytest.raises(TaskFailed) as caught:
        tasks.load_regions.func()
    assert "\x00" not in str(caught.value)
    assert "ValueError" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_every_event_code_starts_with_its_apps_label() -> None:
    from django.apps import apps

    from sinergi.core.events import all_event_types

    labels = {c.label for c in apps.get_app_configs() if c.name.startswith("sinergi.")}
    wrong = [e.code for e in all_event_types() if e.code.split(".")[0] not in labels]
    assert not wrong, wrong


def test_an_older_releases_code_reads_with_the_new_label_and_is_found_by_it() -> None:
    from django.utils import translation

    from sinergi.core.events import codes_matching, label_of
    from sinergi.monitoring import events

    with translation.override("en"):
        assert label_of("member_income.exported") == "Member incomes exported"
        assert label_of("graduation.exported") == str(events.GRADUATIONS_EXPORTED.label)
        found = codes_matching("incomes exported")
    assert {"monitoring.member_income.exported", "member_income.exported"} <= set(found)
    assert "member_income.exported" in codes_matching("monitoring.member_income")
    assert label_of("no.such.code") == "no.such.code"
