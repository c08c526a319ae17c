"""``{% menu_cache nav_menu %}…{% endmenu_cache %}``: the base template's menus rendered once
per process for each (language, entries and groups shown, current section, waiting-task count)
and reused.

The two menus are about a third of the template work of a short page and the same for every
user with the same permissions on the same section; the key holds everything their markup reads
(labels follow from the addresses, group codes and the language), so the cached HTML is what
rendering would give. The key is taken from the very list the menus draw (``nav_menu``), not
from the entries it is grouped from: a page that draws no menu but kept its entries once cached
a signed-in menu under "no menu".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Keys multiply with permission sets × sections × counts × languages; a full table starts over.
_LIMIT = 2048
_rendered: dict[tuple[Any, ...], SafeString] = {}


def _entry(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["url"], item["active"], None if item.get("count") is None else str(item["count"]))


def _drawn(entry: dict[str, Any]) -> tuple[Any, ...]:
    """What the menus show of one entry of ``nav_menu``: an entry, or a group and its entries."""
    if "entries" in entry:
        return (entry["group"], entry["active"], tuple(_entry(i) for i in entry["entries"]))
    return _entry(entry)


class MenuCacheNode(Node):
    def __init__(self, nodelist: NodeList, items: Any) -> None:
        self.nodelist = nodelist
        self.items = items

    def render(self, context: Context) -> str:
        menu = self.items.resolve(context) or ()
        key = (get_language(), tuple(_drawn(entry) for entry in menu))
        html = _rendered.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered template output
            if len(_rendered) >= _LIMIT:
                _rendered.clear()
            _rendered[key] = html
        return html


@register.tag
def menu_cache(parser: Parser, token: Token) -> MenuCacheNode:
    try:
        _, items = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("menu_cache takes the menu's entries") from None
    nodelist = parser.parse(("endmenu_cache",))
    parser.delete_first_token()
    return MenuCacheNode(nodelist, parser.compile_filter(items))
