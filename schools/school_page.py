"""What the sections above this app add to a school's page (`schools:detail`).

A section registers a function of the school that returns the entries of its part of the page's context (the
partnerships section: the school's curator and agreements), from its `AppConfig.ready()`; this app imports none.
"""

from collections.abc import Callable

_PARTS: list[Callable[..., dict]] = []


def register(part: Callable[..., dict]) -> None:
    _PARTS.append(part)


def parts_of(school) -> dict:
    context: dict = {}
    for part in _PARTS:
        context.update(part(school))
    return context
