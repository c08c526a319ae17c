"""Smaller rules of the house checked where they were broken (issue 18's follow-ups)."""

from __future__ import annotations

import pytest

from sinergi.core.tasks import TaskFailed


@pytest.mark.django_db  # the failure path tidies the database connections
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
    """Each app's ``events`` module declares codes under its own label (core's too)."""
    import importlib

    from django.apps import apps

    from sinergi.core.events import EventType

    wrong = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sinergi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.events")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if name.startswith("_"):
                continue  # core.events keeps the registry of every app's types
            found = value.values() if isinstance(value, dict) else [value]
            for item in found:
                if isinstance(item, EventType) and item.code.split(".")[0] != config.label:
                    wrong.append(f"{config.label}: {item.code}")
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


@pytest.mark.django_db
def test_a_chosen_village_stands_alone_until_the_person_searches(
    officer_bandung: object, client_for: object
) -> None:
    """After a refused KUBE save the village picker shows the chosen village only, not the
    area's first villages under it; a search lists matches again."""
    client = client_for(officer_bandung)  # type: ignore[operator]
    url = "/kube/baru/?desa=32.73.01.1001"
    refused = client.post(url, {"name": "", "business_type": ""})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert page.count('name="desa" value="') == 1
    assert 'name="desa" value="32.73.01.1001" checked' in page
    searched = client.get("/kube/baru/", {"desa": "32.73.01.1001", "desa__q": "suka"})
    assert searched.content.decode().count('name="desa" value="') > 1
