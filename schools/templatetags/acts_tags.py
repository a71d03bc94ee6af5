"""The «Документы» block of a thing acts approve, and the approval line of a programme's passport.

`{% acts_block "programme" programme %}` on the thing's page lists the acts the reader sees that approve it, with a
form to link one of the acts the reader keeps and a button to register a new one (for those allowed). The page's
view needs nothing: the block reads through `schools.act_selectors` with the request's user.
`{% approval_of "programme" programme %}` is «приказ от 12.03.2024 № 148-02», or "" when no act approves it.
"""

from django import template

from schools import access, act_targets
from schools.act_selectors import acts_of, approval_label, linkable_acts

register = template.Library()


def _object_id(obj):
    return getattr(obj, "pk", obj)


@register.inclusion_tag("schools/_acts_block.html", takes_context=True)
def acts_block(context, key: str, obj):
    request = context["request"]
    user = request.user
    kind = act_targets.target(key)
    object_id = _object_id(obj)
    acts = list(acts_of(user, key, object_id))
    can_link = kind is not None and access.can_create_acts(user) and kind.can_link(user, obj)
    editable = {act.pk for act in acts if access.can_edit_act(user, act)} if can_link else set()
    return {
        "key": key,
        "object_id": object_id,
        "acts": acts,
        "editable": editable,
        "can_link": can_link,
        "linkable": list(linkable_acts(user, key, object_id)) if can_link else [],
        "here": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def approval_of(context, key: str, obj) -> str:
    return approval_label(acts_of(context["request"].user, key, _object_id(obj)))
