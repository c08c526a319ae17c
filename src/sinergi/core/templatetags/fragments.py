"""``{% menu_cache nav_items %}…{% endmenu_cache %}``: the base template's menus rendered once
per process for each (language, entries shown, current section, waiting-task count) and reused.

The two menus are about a third of the template work of a short page and the same for every
user with the same permissions on the same section; the key holds everything their markup reads
(labels follow from the addresses and the language), so the cached HTML is what rendering would
give.
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


class MenuCacheNode(Node):
    def __init__(self, nodelist: NodeList, items: Any) -> None:
        self.nodelist = nodelist
        self.items = items

    def render(self, context: Context) -> str:
        items = self.items.resolve(context) or ()
        key = (
            get_language(),
            tuple(
                (i["url"], i["active"], None if i.get("count") is None else str(i["count"]))
                for i in items
            ),
        )
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
