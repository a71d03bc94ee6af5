"""The kinds of objects the portal links to across its sections: one registry, read by the history pages and by the
notifications.

Each app registers the kinds of its own objects from its `AppConfig.ready()` (`register`), so this package knows no
app. A kind carries:

- `get_or_404(user, pk)`: the object through the owning app's access module — Http404 outside the user's reach.
  A notification's link and a history page always go through it, so neither opens (nor reveals) anything its
  reader could not open from the app itself; a model that is not registered never opens.
- `url(obj)`: the object's own page.
- `municipality_id(obj)`: the municipality it belongs to (None for region-wide things), stored on a notification
  for the coordinator's page.
- `history`: the kind's part of the history URL (`/history/agreement/12/`); empty when it has no history page.
  `can_restore(user, obj)` and `restore_url(obj, history_id)` where a version may be restored from there.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


def _no_municipality(obj) -> None:
    return None


@dataclass(frozen=True)
class ObjectKind:
    model: str  # "app_label.modelname"
    label: str  # what it is, in Russian: «договор о сотрудничестве»
    get_or_404: Callable
    url: Callable
    municipality_id: Callable = _no_municipality
    history: str = ""
    can_restore: Callable | None = None
    restore_url: Callable | None = None


_BY_MODEL: dict[str, ObjectKind] = {}
_BY_HISTORY: dict[str, ObjectKind] = {}


def register(*kinds: ObjectKind) -> None:
    for kind in kinds:
        _BY_MODEL[kind.model.lower()] = kind
        if kind.history:
            _BY_HISTORY[kind.history] = kind


def kind_of_model(label: str) -> ObjectKind | None:
    """The kind registered for a model label (`"programs.programme"`), or None."""
    return _BY_MODEL.get(label.lower())


def kind_of_history(slug: str) -> ObjectKind | None:
    """The kind whose history page is `/history/<slug>/…`, or None."""
    return _BY_HISTORY.get(slug)


def page(name: str, attribute: str = "pk", anchor: str = "") -> Callable:
    """`url` of a kind: the URL `name` with the object's `attribute` (its pk by default), and an anchor formatted
    with the object (`"#measure-{obj.pk}"`)."""

    def url(obj) -> str:
        return reverse(name, args=[getattr(obj, attribute)]) + (anchor.format(obj=obj) if anchor else "")

    return url
