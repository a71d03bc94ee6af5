"""What a dashboard shows around each figure of the year (`monitoring.figures`): the link to the list it counts, filtered
to exactly the rows counted, and the target of the territory it is judged against."""

from urllib.parse import urlencode

from django.urls import reverse

from partnerships.models import Practice, SessionFormat, SupportSession
from partnerships.targets import Targets

from .figures import FIGURES, PROGRAMME_STATES, YearFigures

# --- the lists behind the numbers ------------------------------------------------------------------------------------


def _link_targets(figures: YearFigures) -> dict[str, tuple[str, dict]]:
    """Per figure: the list it counts (URL name) and that list's filter for the year (without the municipality)."""
    year, (start, end) = figures.year, figures.period
    list_year = {"year": figures.list_year} if figures.list_year else {}
    sessions = {"held_from": start.isoformat(), "held_to": end.isoformat()}
    confirmed, pending = SupportSession.Status.CONFIRMED, SupportSession.Status.PENDING
    # The registry with the year's list, the archive too (the figures count every school the user reaches).
    registry = {**list_year, "archive": "all"}
    listed = {**registry, "status": "listed"}
    with_programme = ("schools:list", {**listed, "programme": year})
    accepted = ("schools:list", {**listed, "programme": f"{year}-accepted"})
    events = ("schools:list", {**registry, "status": "shnor", "events": year})
    plans = ("partnerships:teachers", {"active": "yes", "plan_year": year})
    with_tutor = ("partnerships:teachers", {"active": "yes", "tutor_year": year})
    published = ("partnerships:practices", {"status": Practice.Status.PUBLISHED})
    indicators = ("monitoring:indicator_list", {"active": "yes", "plan_year": year, "plan": "set"})
    targets = {
        "schools": ("schools:list", registry),
        "listed": ("schools:list", listed),
        "shnor": ("schools:list", {**registry, "status": "shnor"}),
        "shnsu": ("schools:list", {**registry, "status": "shnsu"}),
        "both": ("schools:list", {**registry, "status": "both"}),
        "with_programme": with_programme,
        "with_programme_share": with_programme,
        "accepted": accepted,
        "accepted_share": accepted,
        "measures": ("programs:measures", {"year": year, "status": "active"}),
        "measures_done": ("programs:measures", {"year": year, "status": "done"}),
        "measures_done_share": ("programs:measures", {"year": year, "status": "done"}),
        "measures_overdue": ("programs:measures", {"year": year, "status": "overdue"}),
        "agreements_signed": ("partnerships:agreements", {"signed": year}),
        "agreements_in_force": ("partnerships:agreements", {"state": "in_force"}),
        "sessions": ("partnerships:sessions", {"status": confirmed, **sessions}),
        "sessions_pending": ("partnerships:sessions", {"status": pending, **sessions}),
        "events_took_part": events,
        "events_share": events,
        "teachers": ("partnerships:teachers", {"active": "yes"}),
        "with_plan": plans,
        "plan_share": plans,
        "with_tutor": with_tutor,
        "tutor_share": with_tutor,
        "practices": published,
        "downloads": ("partnerships:practice_downloads", {"year": year}),
        "sa_missing": ("monitoring:self_assessment_list", {"year": year, "status": "missing"}),
        "sa_submitted": ("monitoring:self_assessment_list", {"year": year, "status": "submitted"}),
        "sa_returned": ("monitoring:self_assessment_list", {"year": year, "status": "returned"}),
        "sa_accepted": ("monitoring:self_assessment_list", {"year": year, "status": "accepted"}),
        "indicators": indicators,
        **{
            f"indicators_{plan}": ("monitoring:indicator_list", {**indicators[1], "plan": plan})
            for plan in ("met", "not_met", "no_data")
        },
    }
    for state in PROGRAMME_STATES:
        targets[f"programmes_{state.value}"] = ("programs:list", {"year": year, "state": state.value})
    for value, _label in SessionFormat.choices:
        targets[f"sessions_{value}"] = ("partnerships:sessions", {"status": confirmed, "format": value, **sessions})
    return targets


class FigureLinks:
    """The URLs of the lists behind the figures of one `YearFigures`, filtered to a municipality (or the whole
    scope) and the year. Each list's path is reversed once, not once per cell: a dashboard has a thousand cells."""

    def __init__(self, figures: YearFigures):
        self.targets = _link_targets(figures)
        self.paths: dict[str, str] = {}
        self.queries: dict[str, str] = {}  # key -> the query of its list without the municipality

    def __call__(self, key: str, municipality_id: int | None) -> str | None:
        if key not in self.targets:
            return None
        name, params = self.targets[key]
        if name not in self.paths:
            self.paths[name] = reverse(name)
        if "municipality" in params:  # a target that names its own municipality keeps it
            municipality_id = None
        if key not in self.queries:
            self.queries[key] = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        query = self.queries[key]
        if municipality_id:
            # What urlencode({"municipality": id, **params}) writes, without encoding the same query per cell.
            query = f"municipality={int(municipality_id)}&{query}" if query else f"municipality={int(municipality_id)}"
        return self.paths[name] + (f"?{query}" if query else "")


# The figures judged against a target of the territory (`partnerships.models.SupportTarget`): figure key → the
# target's field. Agreements are a target of each municipality, so a page of several states it, not judges the sum.
TARGETED_FIGURES = {
    "agreements_signed": "agreements_per_year",
    "events_share": "event_participation",
    "plan_share": "teacher_coverage",
    "tutor_share": "teacher_coverage",
}


def figure_target(figures: YearFigures, key: str, value, *, municipality_id: int | None) -> dict | None:
    """The target a figure is judged against on a dashboard: its value, whether it is met (None: nothing to judge)
    and where it comes from."""
    field_name = TARGETED_FIGURES.get(key)
    targets = figures.targets.get(municipality_id) or figures.targets.get(None)
    if field_name is None or targets is None:
        return None
    target = getattr(targets, field_name)
    if key == "agreements_signed":
        several = municipality_id is None and len(figures.municipalities) > 1
        met = None if several else targets.agreements_met(value)
        label = f"в каждом муниципалитете не менее {target}" if several else f"не менее {target}"
    else:
        met, label = Targets.share_met(value, target), f"не менее {target} %"
    return {"label": label, "met": met, "source": targets.source}


def sections(figures: YearFigures, row: dict, *, municipality_id: int | None) -> list[dict]:
    """The figures of one row grouped by section, each with its value, kind, link and target, for a dashboard."""
    link = FigureLinks(figures)
    grouped: dict[str, list] = {}
    for figure in FIGURES:
        value = row[figure.key]
        grouped.setdefault(figure.section, []).append(
            {
                "key": figure.key,
                "label": figure.label,
                "kind": figure.kind,
                "value": value,
                "url": link(figure.key, municipality_id),
                "target": figure_target(figures, figure.key, value, municipality_id=municipality_id),
            }
        )
    return [{"title": title, "items": items} for title, items in grouped.items()]
