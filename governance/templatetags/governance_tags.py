"""Template filters for pages that list the board's actions."""

from django import template

register = template.Library()


@register.filter
def actions_for(actions_by_item: dict | None, item_id) -> list:
    """The actions of one item from governance.selectors.actions_by_link's {id: rows}."""
    return (actions_by_item or {}).get(item_id, [])
