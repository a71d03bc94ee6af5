"""What an act of the register can approve: the kinds of things each app registers (see `schools.models.acts`).

An app registers the kinds it owns from its `AppConfig.ready()` (`register(ActTarget(...))`): `schools` the
criteria of a year and the list, `programs` the programme, `partnerships` the agreement. A kind says, through the
owning app's access module:

- `get_or_404(user, object_id)`: the thing, within the user's reach (Http404 outside it);
- `visible_ids(user)`: the ids the user sees — a queryset of ids, or None for «every one» — so that an act linked to
  a thing the user sees is an act the user reads (`schools.access.visible_acts`);
- `can_link(user, obj)`: whether the user may link an act to it or unlink one (besides being allowed to edit the act);
- `names(user, ids)`: {id: (name, url)} of the ids the user sees, in one query, for the register's rows;
- `year(obj)`: the year the thing belongs to, shown beside it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ActTarget:
    key: str  # stored in ActLink.target: «programme», «criteria», «list», «agreement»
    label: str  # «программа»
    get_or_404: Callable
    visible_ids: Callable
    can_link: Callable
    names: Callable
    url: Callable
    name: Callable


_TARGETS: dict[str, ActTarget] = {}


def register(*targets: ActTarget) -> None:
    for target in targets:
        _TARGETS[target.key] = target


def target(key: str) -> ActTarget | None:
    return _TARGETS.get(key)


def targets() -> list[ActTarget]:
    """Every registered kind, in the order of the layers (the list and criteria first)."""
    order = ["criteria", "list", "programme", "agreement"]
    return sorted(_TARGETS.values(), key=lambda t: (order.index(t.key) if t.key in order else len(order), t.key))


def choices() -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in targets()]
