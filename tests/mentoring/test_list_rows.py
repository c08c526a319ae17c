"""The mentoring lists' rows written out in Python are the markup the template wrote."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.kube.models import Kube
from sinergi.mentoring import selectors
from sinergi.mentoring.models import Mentor

pytestmark = pytest.mark.django_db

# The rows of mentoring/group_list.html before {% group_rows %} replaced them: the oracle.
GROUP_ROWS_TEMPLATE = """{% load i18n fast_lists %}  {% for k in page %}
    <tr><td><a href="{% row_url 'mentoring:group_detail' k.pk %}">{{ k.name }}</a><br><small class="muted">{{ k.business_type.label }} · {{ k|label_of:"status" }}</small></td>
      <td><code class="region-code">{{ k.area_code }}</code> {{ k.village.name }}</td>
      <td>{{ k.mentor_name|default:"—" }}</td>
      <td>{{ k.last_session|date:"Y-m-d"|default:"—" }}</td>
      <td>{{ k.open_items }}{% if k.overdue_items %} <span class="overdue">{% blocktranslate count n=k.overdue_items %}{{ n }} overdue{% plural %}{{ n }} overdue{% endblocktranslate %}</span>{% endif %}</td></tr>
  {% empty %}
    <tr><td colspan="5">{% translate "No groups match." %}</td></tr>
  {% endfor %}"""  # noqa: E501


def _both(oracle: str, tag: str, page: list[Any]) -> tuple[str, str]:
    before = Template(oracle).render(Context({"page": page}))
    after = Template(tag).render(Context({"page": page}))
    return before, after


@pytest.mark.parametrize("language", ["id", "en"])
def test_group_rows_are_the_templates(world: dict, admin_user: User, language: str) -> None:
    # Markup in the names must come out escaped, as the template escaped it.
    Kube.objects.filter(pk=world["kube"].pk).update(name='KUBE "Mawar" <b>&</b>')
    Mentor.objects.filter(pk=world["rina"].pk).update(name="Rina <i>&</i>")
    page = selectors.group_list(admin_user)[0:50]
    assert len(page) == 2
    assert [(k.overdue_items, k.open_items, bool(k.last_session)) for k in page] == [
        (1, 1, True),  # the mentored group, its item overdue: first
        (0, 0, False),
    ]
    with translation.override(language):
        before, after = _both(
            GROUP_ROWS_TEMPLATE, "{% load mentoring_rows %}  {% group_rows page %}", page
        )
    assert after == before
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in after and "Rina &lt;i&gt;" in after
    with translation.override(language):
        empty = _both(GROUP_ROWS_TEMPLATE, "{% load mentoring_rows %}  {% group_rows page %}", [])
    assert empty[1] == empty[0]


# The rows of mentoring/mentor_list.html before {% mentor_rows %} replaced them: the oracle.
MENTOR_ROWS_TEMPLATE = """{% load i18n fast_lists %}  {% for m in page %}
    <tr><td><a href="{% row_url 'mentoring:mentor_edit' m.pk %}">{{ m.name }}</a>{% if m.business %}<br><small class="muted">{{ m.business }}</small>{% endif %}</td><td>{{ m.unit }}</td>
      <td><code class="region-code">{{ m.area_code }}</code> {{ m.base_regency.name }}</td>
      <td>{% for s in m.sector_list %}{{ s.label }}{% if not forloop.last %}, {% endif %}{% endfor %}</td>
      <td>{{ m.load }} / {{ m.capacity }}</td>
      <td>{% if not m.active %}{% translate "Left" %}{% elif m.available %}{% translate "Yes" %}{% if m.available_until %} ({% translate "until" %} {{ m.available_until|date:"Y-m-d" }}){% endif %}{% else %}{% translate "No" %}{% endif %}</td></tr>
  {% empty %}
    <tr><td colspan="6">{% translate "No mentors match." %}</td></tr>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["id", "en"])
def test_mentor_rows_are_the_templates(
    world: dict, admin_user: User, make_mentor: Callable[..., Mentor], language: str
) -> None:
    """Every state of the last column (left, available until a day, available, not available),
    a business or none, one sector or two, markup escaped."""
    make_mentor("Dewi <b>", "32.01", ["kerajinan", "makanan_minuman"], business="Toko & <i>Kue</i>")
    make_mentor("Sari", "32.73", ["kerajinan"], available_until=date(2030, 1, 31))
    make_mentor("Tuti", "32.01", ["kerajinan"], available=False)
    gone = make_mentor("Wati", "32.73", ["makanan_minuman"])
    Mentor.objects.filter(pk=gone.pk).update(active=False)
    page = list(selectors.mentor_list(admin_user, include_left=True)[0:50])
    assert len(page) == 5 and {m.load for m in page} == {0, 1}
    with translation.override(language):
        before, after = _both(
            MENTOR_ROWS_TEMPLATE, "{% load mentoring_rows %}  {% mentor_rows page %}", page
        )
        empty = _both(MENTOR_ROWS_TEMPLATE, "{% load mentoring_rows %}  {% mentor_rows page %}", [])
    assert after == before
    assert "Dewi &lt;b&gt;" in after and "Toko &amp; &lt;i&gt;" in after and "2030-01-31" in after
    assert empty[1] == empty[0]
