"""What a notification may point at, and how the portal checks that its reader may still open it.

Each target model is registered with three functions:

- `get_or_404(user, pk)`: the object through the owning app's access module — Http404 outside the user's reach.
  The notification link (`notifications:open`) always goes through it, so a notification never opens (nor
  reveals) anything its reader could not open from the app itself; a model that is not registered never opens.
- `url(obj)`: where the link leads.
- `municipality_id(obj)`: the municipality the target belongs to (None for region-wide things), stored on the
  notification for the coordinator's page.

The owning apps' functions are imported when called, so this module loads before theirs. An app may register its
own models (`targets.register("app.model", …)`), or replace a registration, from its `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.urls import reverse


@dataclass(frozen=True)
class Target:
    get_or_404: Callable
    url: Callable
    municipality_id: Callable


TARGETS: dict[str, Target] = {}


def register(label: str, *, get_or_404: Callable, url: Callable, municipality_id: Callable = lambda obj: None) -> None:
    TARGETS[label.lower()] = Target(get_or_404=get_or_404, url=url, municipality_id=municipality_id)


def target_of(label: str) -> Target | None:
    return TARGETS.get(label.lower())


def _lazy(path: str) -> Callable:
    """`"programs.access.get_programme_or_404"` → a function that imports it on first call."""
    module, name = path.rsplit(".", 1)

    def call(*args, **kwargs):
        return getattr(import_module(module), name)(*args, **kwargs)

    return call


def _url(name: str, attribute: str = "pk", anchor: str = "") -> Callable:
    def url(obj):
        return reverse(name, args=[getattr(obj, attribute)]) + (anchor.format(obj=obj) if anchor else "")

    return url


register(
    "programs.programme",
    get_or_404=_lazy("programs.access.get_programme_or_404"),
    url=_url("programs:detail"),
    municipality_id=lambda obj: obj.municipality_id,
)
register(
    "programs.review",
    get_or_404=_lazy("programs.access.get_review_or_404"),
    url=_url("programs:review"),
    municipality_id=lambda obj: obj.programme.municipality_id,
)
register(
    "programs.roadmapmeasure",
    get_or_404=_lazy("programs.access.get_measure_or_404"),
    url=_url("programs:detail", "programme_id", "#measure-{obj.pk}"),
    municipality_id=lambda obj: obj.programme.municipality_id,
)
register(
    "schools.school",
    get_or_404=_lazy("schools.access.get_school_or_404"),
    url=_url("schools:detail"),
    municipality_id=lambda obj: obj.municipality_id,
)
# An identification run: the department sees every run, the other roles the approved lists — each only the
# verdicts of the schools they reach (the run page filters them).
register("schools.identificationrun", get_or_404=_lazy("schools.identification_views._get_run_or_404"),
         url=_url("schools:run_detail"))
# A change of the list: its run's list page, where the department decides a proposal.
register(
    "schools.listchange",
    get_or_404=_lazy("schools.list_views._get_change"),
    url=_url("schools:selection", "run_id", "?show=proposals"),
    municipality_id=lambda obj: obj.school.municipality_id,
)
register(
    "partnerships.agreement",
    get_or_404=_lazy("partnerships.access.get_agreement_or_404"),
    url=_url("partnerships:agreement"),
    municipality_id=lambda obj: obj.supported_school.municipality_id,
)
register(
    "partnerships.supportsession",
    get_or_404=_lazy("partnerships.access.get_session_or_404"),
    url=_url("partnerships:session"),
    municipality_id=lambda obj: obj.agreement.supported_school.municipality_id,
)
register(
    "partnerships.practice",
    get_or_404=_lazy("partnerships.access.get_practice_or_404"),
    url=_url("partnerships:practice"),
    municipality_id=lambda obj: obj.school.municipality_id,
)
register(
    "monitoring.selfassessment",
    get_or_404=_lazy("monitoring.access.get_self_assessment_or_404"),
    url=_url("monitoring:self_assessment_detail"),
    municipality_id=lambda obj: obj.school.municipality_id,
)
