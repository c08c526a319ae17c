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
