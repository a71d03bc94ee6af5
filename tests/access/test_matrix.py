"""THE access table of the portal — the one place every URL gets its row: every URL pattern × every demo role and an
anonymous visitor → the answer the user gets.

A new URL needs a row in TABLE here and nowhere else: there are no per-app URL tables (the partnerships', the
programmes', the monitoring's and the notifications' were folded in here, issue 17). A different state of an object (a draft, a pending
session, a published practice), a POST with data or another role's difference is one more `Case` of the URL's row,
with a `label`; the objects it needs are built once, in `conftest.py`. Tests of the apps' access functions
(`visible_*`, `get_*_or_404`) stay in the apps' test folders.

The URL patterns come from the resolver (`get_resolver()`, through every include), so a new URL without a row in
TABLE fails `test_every_url_pattern_has_a_row`, and a row without a URL fails it too. Each URL with object ids is
requested with an object of municipality A (the demo's own) and, where the row says so (`b=True`), with the same
kind of object of municipality B (the outsider's, built in `conftest.py`): for B the department answers as for A,
`coordinator_b` as the coordinator does for A, and every A-side user gets 404 — nothing tells them it exists.

The territories' identities (issue 20) are columns too: `department_b` (the department of a second region, «Пермский
край»), `institute` (of region A), `federal` (reads every territory, changes nothing) and `district` (the department
of municipality A only). A row names them only where they differ from what follows from the department's answer
(`Case.derived`): department_b gets 404 on every object (A's and B's are both of region A) and the department's
answer on a page without one; federal and institute the department's answer where it reads and 403 (404 out of reach)
on every change; district the department's answer on A, 404 on B, 403 on a change of the region's settings. What is a
change: every POST but those in NOT_CHANGES, and the GET of the URLs in FORMS (forms, confirmations, an import's
preview and template: they only serve a change); the region's settings are the URLs in REGIONAL; the institute's
business excludes the partnerships' work (`institutes=False`, set from the URL name in `_marked`).

Answers: 200; LOGIN (302 to the login page); 302 (a successful POST or a redirect elsewhere than the login page);
403 (the user sees the object but may not take the step); 404 (out of reach). Every request runs in a savepoint
that is rolled back, so a POST of one role changes nothing the next one sees. Where a row names its `effect` (the
records the step writes), a 302 must have written them and every other answer must have left them as they were.

The admin site (`admin:*`) is one group (`test_admin_site`): every admin URL that takes no arguments is requested by
the department (200, or 403/405 where the admin says so), the anonymous visitor and one other role in turn (302 to
the admin's login); the back office is the department's only (its staff flag and group come with the role,
`schools.services`). A school's change page and the app page stand for the admin URLs that take arguments.
"""

import io
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from .conftest import ORGANISATION_ROLES, PDF, pdf

pytestmark = pytest.mark.django_db

BASE_USERS = ["anonymous", "department", "coordinator", "coordinator_b", "school", "curator", "tutor"]
# The territory's further identities (issue 20): their answers follow from the row (`Case.derived`) unless it names them.
TERRITORY_USERS = ["department_b", "institute", "federal", "district"]
USERS = BASE_USERS + TERRITORY_USERS
LOGIN = "login"  # 302 to the login page
GET, POST = "get", "post"


def E(default=404, *, anonymous=LOGIN, **statuses) -> dict[str, Any]:
    """Expected answer per user: the base columns not named get `default`; the anonymous visitor is sent to log in;
    the territory's users (`TERRITORY_USERS`) only where named — otherwise the row derives them."""
    base = {user: statuses.get(user, default) for user in BASE_USERS if user != "anonymous"}
    return base | {user: statuses[user] for user in TERRITORY_USERS if user in statuses} | {"anonymous": anonymous}


def R(method, args, department, coordinator, coordinator_b, school, curator, tutor, **options) -> "Case":
    """A row in the order of the columns (department coordinator coordinator_b school curator tutor); the territory's
    users may be named as keywords (`federal=403`)."""
    expected = dict(zip(BASE_USERS[1:], (department, coordinator, coordinator_b, school, curator, tutor), strict=True))
    named = {user: options.pop(user) for user in TERRITORY_USERS if user in options}
    return Case(method, args, expected | named | {"anonymous": LOGIN}, **options)


def _refused(answer):
    """The answer of a user who may not take a step: 404 where the object is out of their reach, else 403."""
    return 404 if answer == 404 else 403


@dataclass(frozen=True)
class Case:
    method: str
    args: Any  # side (world.a / world.b) -> URL arguments; None: no arguments
    expected: dict
    b: bool = False  # also request it with municipality B's object of the same kind
    data: Any = None  # side -> POST data
    query: str = ""
    label: str = ""
    b_expected: dict | None = field(default=None)  # when B does not follow from A (with a comment why)
    effect: Any = None  # side -> queryset whose count the step changes when it is answered 302, and only then
    # A change: a POST, or a GET of a form or preview that only serves one. None: every POST is one, no GET is; a
    # POST that changes nothing of the portal's (the recipient's own notifications, a print, a form shown again for
    # lack of a territory) says `change=False`.
    change: bool | None = None
    # A change of the region's settings (its runs and list, calendar, targets, routes, registry): the regional
    # department's, not a district's.
    regional: bool = False
    # The institute's business (programmes, monitoring, the lists, dashboards, runs, criteria, the bank and the
    # events); False: the institute is refused — 403 on a page without an object, 404 on an object (out of its reach).
    institutes: bool = True

    @property
    def changes(self) -> bool:
        return self.method == POST if self.change is None else self.change

    def derived(self, expected: dict, side: str) -> dict:
        """The territory's users not named in `expected`, from the department's answer on the same side:
        - department_b, the department of another region: 404 for every object (both sides' are of region A); a page
          without object its department's answer (of its own region);
        - federal: the department's answer where it reads; 403 for every change (404 where the object is out of the
          department's reach too);
        - institute: as the federal operator (it reads its region, A and B alike); where it has no business
          (`institutes=False`) 403 on a page, 404 on an object;
        - district, the department of municipality A: the department's answer on A's objects and pages, 404 on B's;
          403 on a change of the region's settings (`regional`)."""
        department = expected["department"]
        federal = _refused(department) if self.changes else department
        institute = federal if self.institutes else (403 if self.args is None else 404)
        district = 404 if side == "B" else (_refused(department) if self.regional and self.changes else department)
        return {
            "department_b": 404 if (side == "B" or self.args is not None) else department,
            "federal": federal,
            "institute": institute,
            "district": district,
        } | expected

    @property
    def expected_a(self):
        return self.derived(self.expected, "A")

    def expected_for_b(self):
        if self.b_expected is not None:
            return self.derived(self.b_expected, "B")
        named_b = {u: self.expected[u] for u in ("federal", "institute") if u in self.expected}
        return self.derived({user: 404 for user in BASE_USERS} | named_b | {
            "anonymous": self.expected["anonymous"],
            "department": self.expected["department"],
            "coordinator_b": self.expected["coordinator"],
        }, "B")


def a(attr, *more):
    """URL arguments: the pk of the side's object `attr` and then fixed values or other attributes."""

    def args(side):
        values = [getattr(side, attr).pk]
        for extra in more:
            values.append(extra(side) if callable(extra) else extra)
        return values

    args.__name__ = attr
    return args


YEAR = lambda side: side.year  # noqa: E731
NO = None

# --- schools: the registry, imports, identification ---------------------------------------------------------------
PROFILE_YEAR = 2025
LIST_READERS = E(403, department=200, coordinator=200, coordinator_b=200)
SCHOOLS = {
    "schools:list": [Case(GET, NO, E(200))],
    "schools:list_export": [Case(GET, NO, E(200))],
    # the supported school «Покровская СОШ»: the curator reaches it through the agreement in force
    "schools:detail": [Case(GET, a("school"), E(200, coordinator_b=404), b=True)],
    "schools:profile_edit": [
        Case(GET, a("school", PROFILE_YEAR), E(403, department=200, coordinator=200, coordinator_b=404), b=True)
    ],
    "schools:registry_import": [Case(GET, NO, E(403, department=200))],
    # nothing uploaded in the session: the department is sent back to the upload
    "schools:registry_import_preview": [Case(GET, NO, E(403, department=302))],
    "schools:registry_template": [Case(GET, NO, E(403, department=200))],
    "schools:results_import": [Case(GET, NO, E(403, department=200))],
    # nothing uploaded in the session: the department is sent back to the upload
    "schools:results_import_preview": [Case(GET, NO, E(403, department=302))],
    "schools:results_import_template": [Case(GET, NO, E(403, department=200))],
    # social passports: the department for every school, a coordinator for the schools of their municipality
    "schools:passport_import": [Case(GET, NO, E(403, department=200, coordinator=200, coordinator_b=200))],
    # nothing uploaded in the session: back to the upload
    "schools:passport_preview": [Case(GET, NO, E(403, department=302, coordinator=302, coordinator_b=302))],
    "schools:passport_template": [Case(GET, NO, E(403, department=200, coordinator=200, coordinator_b=200))],
    "schools:identification": [Case(GET, NO, E(200))],
    # an empty form is re-shown with its errors, as a 400
    "schools:identification_start": [Case(POST, NO, E(403, department=400))],
    # the approved list is public to every role (it is region-wide: there is no B run)
    "schools:run_detail": [Case(GET, a("run"), E(200))],
    "schools:run_export": [Case(GET, a("run"), E(200))],
    "schools:run_progress": [Case(GET, a("run"), E(200))],
    # «Запустить снова» is the department's, as the start is; a run that did not fail is only shown again
    "schools:run_retry": [Case(POST, a("run"), E(403, department=302))],
    # the approval without the order's number and date and the confirmation: the preflight is shown again, as a 400
    "schools:run_approve": [Case(POST, a("run"), E(403, department=400))],
    # comparing runs is the regional department's step before it approves a list: the readers and a district's
    # department read the runs themselves (run_detail)
    "schools:run_compare": [Case(GET, a("run"), E(403, department=200, federal=403, institute=403, district=403),
                                 query="?other={s.run.pk}")],
    # the criteria of a year: the second region's department reads its own region's
    "schools:criteria": [Case(GET, lambda s: [PROFILE_YEAR], E(403, department=200, coordinator=200, coordinator_b=200,
                                                                department_b=200))],
    # the list (перечень): the department forms it, coordinators read their municipality's part and propose changes;
    # the list of a run is region-wide (no B run), a change belongs to its school's municipality
    "schools:selection_latest": [Case(GET, NO, E(403, department=302, coordinator=302, coordinator_b=302))],
    "schools:selection": [
        Case(GET, a("run"), LIST_READERS, label="approved"),
        Case(GET, a("draft_run"), LIST_READERS, label="draft"),
    ],
    "schools:selection_print": [Case(GET, a("run"), LIST_READERS)],
    "schools:selection_export": [Case(GET, a("run"), LIST_READERS)],
    "schools:selection_approve": [Case(GET, a("draft_run"), E(403, department=200))],
    # the school of the POST: A's school is out of coordinator_b's reach. The readers of the list (the federal operator,
    # the institute) and a district's department (the region's run is not its own) get 403 and nothing is written
    # (test_readers_change_nothing_of_the_list)
    "schools:selection_change_add": [
        Case(POST, a("draft_run"), E(403, department=302, coordinator=302, coordinator_b=404, federal=403, institute=403,
                                     district=403),
             data=lambda s: {"school": s.school.pk, "kind": "curator_add", "reason": "Основание"})
    ],
    "schools:selection_change_withdraw": [
        Case(POST, a("proposal"), E(403, department=302, coordinator=302, coordinator_b=404, federal=403, institute=403,
                                    district=403),
             b=True)
    ],
    "schools:selection_change_decide": [
        Case(POST, a("proposal"), E(403, department=302, coordinator_b=404), b=True, data=lambda s: {"action": "reject"})
    ],
    # the register of acts: every role opens it and reads there the acts of its reach; the side's act is of its
    # municipality and approves the side's school team's draft programme — the school team reads it, the curator and
    # the tutor do not see that programme; only the department and the municipality's coordinator change it
    "schools:acts": [Case(GET, NO, E(200))],
    "schools:acts_export": [Case(GET, NO, E(200))],
    "schools:act_create": [
        Case(GET, NO, E(403, department=200, coordinator=200, coordinator_b=200)),
        # from the programme's «Документы» block: the programme is out of the outsider's reach
        Case(GET, NO, E(403, department=200, coordinator=200, coordinator_b=404, department_b=404),
             label="for a programme",
             query="?target=programme&object={s.own_draft.pk}"),
    ],
    "schools:act_detail": [R(GET, a("act"), 200, 200, 404, 200, 404, 404, b=True)],
    "schools:act_file": [R(GET, a("act"), 200, 200, 404, 200, 404, 404, b=True)],
    "schools:act_edit": [R(GET, a("act"), 200, 200, 404, 403, 404, 404, b=True)],
    "schools:act_delete": [
        R(GET, a("act"), 200, 200, 404, 403, 404, 404, b=True, label="confirmation"),
        R(POST, a("act"), 302, 302, 404, 403, 404, 404, b=True, label="delete",
          effect=lambda s: _acts(s.act.pk)),
    ],
    # the school team sees the programme but not the unlinked act it would link (nor may it link)
    "schools:act_link": [
        R(POST, lambda s: ["programme", s.own_draft.pk], 302, 302, 404, 404, 404, 404, b=True,
          data=lambda s: {"act": s.act_unlinked.pk}, effect=lambda s: _act_links(s.act_unlinked.pk)),
    ],
    "schools:act_unlink": [
        R(POST, lambda s: [s.act.pk, s.act_link.pk], 302, 302, 404, 403, 404, 404, b=True,
          effect=lambda s: _act_links(s.act.pk)),
    ],
    # the registry of organisations: the department keeps it; a coordinator reads the organisations of their
    # territory (the region's and their municipality's — the side's organisation is of its municipality); the roles
    # that do not oversee the work do not open the list and do not see an organisation they do not act for
    "schools:organisations": [R(GET, NO, 200, 200, 200, 403, 403, 403, institute=403)],
    "schools:organisation_create": [
        R(GET, NO, 200, 403, 403, 403, 403, 403),
        # the second region's department is not offered region A: the form again (400), nothing registered
        R(POST, NO, 302, 403, 403, 403, 403, 403, label="register", data=lambda s: _new_organisation(s), department_b=400,
          effect=lambda s: _organisations_named("Новая площадка")),
    ],
    "schools:organisation": [R(GET, a("organisation"), 200, 200, 404, 404, 404, 404, b=True)],
    "schools:organisation_edit": [
        R(GET, a("organisation"), 200, 403, 404, 404, 404, 404, b=True),
        R(POST, a("organisation"), 302, 403, 404, 404, 404, 404, b=True, label="change",
          data=lambda s: _new_organisation(s, short_name=s.organisation.short_name, is_active=""),
          effect=lambda s: _organisations_named(s.organisation.short_name, is_active=False)),
    ],
}


def _new_organisation(side, *, short_name="Новая площадка", is_active="on"):
    return {
        "short_name": short_name, "name": f"{short_name} — полное наименование", "kind": "innovation_platform",
        "region": side.municipality.region_id, "municipality": side.municipality.pk, "is_active": is_active,
    }  # fmt: skip


def _organisations_named(short_name, **more):
    from schools.models import Organisation

    return Organisation.objects.filter(short_name=short_name, **more)


def _acts(pk):
    from schools.models import Act

    return Act.objects.filter(pk=pk)


def _act_links(act_pk):
    from schools.models import ActLink

    return ActLink.objects.filter(act_id=act_pk)

# --- the portal itself ----------------------------------------------------------------------------------------------
# the institute does not oversee the work: it reads no history (403), and reaches no partnerships' object (404)
HISTORY_OK = dict(department=200, coordinator=200, coordinator_b=404, institute=403)
NO_PARTNERSHIPS = dict(institute=404)
PORTAL = {
    "home": [Case(GET, NO, E(200))],
    # a logged-in user is sent home
    "login": [Case(GET, NO, E(302, anonymous=200))],
    "logout": [Case(POST, NO, E(LOGIN))],  # everyone, logged in or not, ends on the login page
    "password_change": [Case(GET, NO, E(200))],
    # the reset by e-mail is everyone's, logged in or not; it says the same for every address (no change of the portal's)
    "password_reset": [
        Case(GET, NO, E(200, anonymous=200)),
        Case(POST, NO, E(302, anonymous=302), data=lambda s: {"email": "nobody@example.org"}, change=False),
    ],
    "password_reset_done": [Case(GET, NO, E(200, anonymous=200))],
    "password_reset_complete": [Case(GET, NO, E(200, anonymous=200))],
    # a forged link: the same «ссылка недействительна» page for everyone (Django redirects a real one to set-password)
    "password_reset_confirm": [Case(GET, lambda s: ["MQ", "forged-token"], E(200, anonymous=200, department_b=200))],
    # the history of an object: 404 outside the reach (as on its page), 403 for those who reach it but do not oversee
    "history": [
        Case(GET, lambda s: ["agreement", s.agreement.pk], E(403, **HISTORY_OK | NO_PARTNERSHIPS, tutor=404), b=True, label="agreement"),
        Case(GET, lambda s: ["session", s.session.pk], E(403, **HISTORY_OK | NO_PARTNERSHIPS, tutor=404), b=True, label="session"),
        Case(GET, lambda s: ["teacher", s.teacher.pk], E(403, **HISTORY_OK | NO_PARTNERSHIPS, curator=404), b=True, label="teacher"),
        Case(GET, lambda s: ["plan", s.plan.pk], E(403, **HISTORY_OK | NO_PARTNERSHIPS, curator=404), b=True, label="plan"),
        Case(GET, lambda s: ["practice", s.waiting.pk], E(403, **HISTORY_OK | NO_PARTNERSHIPS, curator=404, tutor=404), b=True,
             label="practice"),
        Case(GET, lambda s: ["event", s.event.pk], E(403, **HISTORY_OK), b=True, label="event"),
        Case(GET, lambda s: ["self-assessment", s.self_assessment.pk], E(403, **HISTORY_OK, tutor=404), b=True,
             label="self-assessment"),
        Case(GET, lambda s: ["indicator-value", s.indicator_value.pk], E(403, **HISTORY_OK), b=True,
             label="indicator-value"),
        Case(GET, lambda s: ["school", s.school.pk], E(403, **HISTORY_OK), b=True, label="school"),
        Case(GET, lambda s: ["indicator", s.indicator.pk], E(403, **HISTORY_OK), b=True, label="indicator"),
        Case(GET, lambda s: ["profile", s.profile.pk], E(403, **HISTORY_OK), b=True, label="profile"),
        Case(GET, lambda s: ["act", s.act.pk], E(403, **HISTORY_OK, curator=404, tutor=404), b=True, label="act"),
        Case(GET, lambda s: ["organisation", s.organisation.pk], E(404, **HISTORY_OK), b=True, label="organisation"),
        Case(GET, lambda s: ["school-secrets", s.agreement.pk], E(404), label="unknown kind"),
    ],
    # the state of the portal for the load balancer: the same for everyone, logged in or not (tests/deployment/)
    "health": [Case(GET, NO, E(200, anonymous=200))],
    # the metrics answer by the address, not by the person: the test client comes from 127.0.0.1 with no proxy's
    # header, as a scraper on the server does; from elsewhere or through nginx it is 404 (tests/deployment/)
    "metrics": [Case(GET, NO, E(200, anonymous=200))],
}

# --- partnerships --------------------------------------------------------------------------------------------------
#                                                             department coordinator coord_b school curator tutor
P = "partnerships:"
PARTNERSHIPS = {
    P + "index": [R(GET, NO, 302, 302, 302, 302, 302, 302)],
    P + "agreements": [R(GET, NO, 200, 200, 200, 200, 200, 403)],
    P + "agreements_export": [R(GET, NO, 200, 200, 200, 200, 200, 403)],
    P + "agreement_create": [R(GET, NO, 200, 200, 200, 403, 403, 403)],
    P + "agreement": [R(GET, a("agreement"), 200, 200, 404, 200, 200, 404, b=True)],
    P + "agreement_edit": [R(GET, a("agreement"), 200, 200, 404, 403, 403, 404, b=True)],
    P + "agreement_print": [R(GET, a("agreement"), 200, 200, 404, 200, 200, 404, b=True),
                            # the names of missing heads: an empty answer is asked again
                            R(POST, a("agreement"), 200, 200, 404, 200, 200, 404, b=True)],
    P + "agreement_scan": [R(GET, a("agreement"), 200, 200, 404, 200, 200, 404, b=True)],
    P + "agreement_scan_upload": [R(POST, a("agreement"), 302, 302, 404, 403, 403, 404, b=True)],
    P + "agreement_activate": [R(POST, a("agreement"), 302, 302, 404, 403, 403, 404, b=True)],
    P + "agreement_finish": [R(POST, a("agreement"), 302, 302, 404, 403, 403, 404, b=True)],
    P + "agreement_terminate": [R(POST, a("agreement"), 302, 302, 404, 403, 403, 404, b=True)],
    P + "plan_item_create": [R(GET, a("agreement"), 200, 200, 404, 403, 403, 404, b=True)],
    P + "plan_item_edit": [R(GET, a("plan_item"), 200, 200, 404, 403, 403, 404, b=True)],
    P + "plan_item_delete": [R(POST, a("plan_item"), 302, 302, 404, 403, 403, 404, b=True)],
    P + "session_create": [R(GET, a("agreement"), 403, 403, 404, 403, 200, 404, b=True)],
    P + "sessions": [R(GET, NO, 200, 200, 200, 200, 200, 403)],
    P + "sessions_export": [R(GET, NO, 200, 200, 200, 200, 200, 403)],
    P + "session": [R(GET, a("session"), 200, 200, 404, 200, 200, 404, b=True)],
    P + "session_edit": [R(GET, a("session"), 403, 403, 404, 403, 200, 404, b=True)],
    P + "session_confirm": [R(POST, a("session"), 403, 403, 404, 302, 403, 404, b=True)],
    P + "session_dispute": [R(POST, a("session"), 403, 403, 404, 302, 403, 404, b=True)],
    P + "session_evidence_upload": [R(POST, a("session"), 403, 403, 404, 403, 302, 404, b=True)],
    P + "session_evidence": [R(GET, a("evidence"), 200, 200, 404, 200, 200, 404, b=True)],
    P + "session_evidence_delete": [R(POST, a("evidence"), 403, 403, 404, 403, 302, 404, b=True)],
    P + "summary": [R(GET, NO, 200, 200, 200, 403, 403, 403)],
    P + "summary_export": [R(GET, NO, 200, 200, 200, 403, 403, 403)],
    # the targets of the territory: the department sets them, a coordinator (the outsider too: their own territory)
    # reads them, nobody else opens them
    P + "targets": [R(GET, NO, 200, 200, 200, 403, 403, 403)],
    # the installation's default targets are kept in the back office; a region's department sets its region's
    P + "target_edit": [
        R(GET, lambda s: [s.year], 403, 403, 403, 403, 403, 403, label="default: form", department_b=403,
          institute=403),
        R(GET, lambda s: [s.year + 2], 200, 403, 403, 403, 403, 403, query="?region={s.region_id}",
          label="region: form", institute=403),
        R(POST, lambda s: [s.year + 2], 302, 403, 403, 403, 403, 403, query="?region={s.region_id}", institute=403,
          label="region: save (a year it has no targets of yet)",
          data=lambda s: {"agreements_per_year": 3, "event_participation": 90, "teacher_coverage": 40, "seen": 0},
          effect=lambda s: _targets(s.region_id, s.year + 2)),
    ],
    P + "teachers": [R(GET, NO, 200, 200, 200, 200, 403, 200)],
    P + "teachers_export": [R(GET, NO, 200, 200, 200, 200, 403, 200)],
    P + "teacher_create": [R(GET, NO, 200, 200, 200, 200, 403, 403)],
    # a tutor reaches the teachers assigned to them, and no other teacher of the same school
    P + "teacher": [
        R(GET, a("teacher"), 200, 200, 404, 200, 404, 200, b=True, label="the tutor's"),
        R(GET, a("untutored_teacher"), 200, 200, 404, 200, 404, 404, label="not the tutor's"),
    ],
    P + "teacher_edit": [R(GET, a("teacher"), 200, 200, 404, 200, 404, 403, b=True)],
    P + "tutor_assign": [R(POST, a("teacher"), 302, 302, 404, 403, 404, 403, b=True)],
    P + "tutor_unassign": [R(POST, a("assignment"), 302, 302, 404, 403, 404, 403, b=True)],
    P + "deficit_create": [R(GET, a("teacher"), 200, 200, 404, 403, 404, 200, b=True)],
    P + "deficit_edit": [R(GET, a("deficit"), 200, 200, 404, 403, 404, 200, b=True)],
    P + "plan_create": [R(GET, a("teacher"), 200, 200, 404, 403, 404, 200, b=True)],
    P + "tutoring_create": [R(GET, a("teacher"), 403, 403, 404, 403, 404, 200, b=True)],
    P + "plans": [R(GET, NO, 200, 200, 200, 200, 403, 200)],
    P + "plans_export": [R(GET, NO, 200, 200, 200, 200, 403, 200)],
    P + "plan": [R(GET, a("plan"), 200, 200, 404, 200, 404, 200, b=True)],
    P + "plan_edit": [R(GET, a("plan"), 200, 200, 404, 403, 404, 200, b=True)],
    P + "ipr_item_create": [R(GET, a("plan"), 200, 200, 404, 403, 404, 200, b=True)],
    P + "ipr_item_edit": [R(GET, a("ipr_item"), 200, 200, 404, 403, 404, 200, b=True)],
    P + "tutors": [R(GET, NO, 200, 200, 200, 403, 403, 200)],
    P + "tutors_export": [R(GET, NO, 200, 200, 200, 403, 403, 200)],
    P + "tutor_profile": [
        # the institute reads the municipality, not its tutors' team: 403
        R(GET, lambda s: [s.municipality.pk, s.tutor.pk], 200, 200, 404, 403, 403, 403, b=True, institute=403)
    ],
    P + "coverage": [R(GET, NO, 200, 200, 200, 200, 403, 200)],
    P + "coverage_export": [R(GET, NO, 200, 200, 200, 200, 403, 200)],
    P + "practices": [R(GET, NO, 200, 200, 200, 200, 200, 200)],
    P + "practices_export": [R(GET, NO, 200, 200, 200, 200, 200, 200)],
    P + "practice_downloads": [R(GET, NO, 200, 200, 200, 200, 200, 200)],
    P + "practice_downloads_export": [R(GET, NO, 200, 200, 200, 200, 200, 200)],
    P + "practice_create": [R(GET, NO, 200, 200, 200, 200, 200, 403)],
    # a practice on moderation is its school's, the coordinator's and the department's; a published one (the bank)
    # is every role's of the region, the outsider's too
    P + "practice": [
        R(GET, a("waiting"), 200, 200, 404, 200, 404, 404, b=True, label="waiting"),
        R(GET, a("published"), 200, 200, 200, 200, 200, 200, label="published", institute=200),
    ],
    P + "practice_edit": [R(GET, a("draft"), 200, 200, 404, 200, 404, 404, b=True)],
    P + "practice_file_upload": [R(POST, a("draft"), 302, 302, 404, 302, 404, 404, b=True)],
    P + "practice_submit": [R(POST, a("draft"), 302, 302, 404, 302, 404, 404, b=True)],
    P + "practice_publish": [R(POST, a("waiting"), 302, 302, 404, 403, 404, 404, b=True)],
    P + "practice_return": [R(POST, a("waiting"), 302, 302, 404, 403, 404, 404, b=True)],
    P + "practice_file": [
        R(GET, a("waiting_file"), 200, 200, 404, 200, 404, 404, b=True, label="waiting"),
        R(GET, a("draft_file"), 200, 200, 404, 200, 404, 404, b=True, label="draft"),
        R(GET, a("published_file"), 200, 200, 200, 200, 200, 200, label="published", institute=200),
    ],
    P + "practice_file_delete": [R(POST, a("draft_file"), 302, 302, 404, 302, 404, 404, b=True)],
    P + "events": [R(GET, NO, 200, 200, 200, 200, 200, 200)],
    P + "events_export": [R(GET, NO, 200, 200, 200, 200, 200, 200)],
    # the institute organises events across its territory as the department does (seed 004's ЦНППМПР)
    P + "event_create": [R(GET, NO, 200, 200, 200, 403, 403, 403, institute=200)],
    P + "event": [R(GET, a("event"), 200, 200, 404, 200, 200, 200, b=True)],
    P + "event_edit": [R(GET, a("event"), 200, 200, 404, 403, 403, 403, b=True, institute=200)],
    P + "event_attendance": [R(GET, a("event"), 200, 200, 404, 403, 403, 403, b=True, institute=200)],
    # the people of an event, invited by name: its organisers only; the invited school reads the event, not the grid
    P + "event_people": [R(GET, a("event"), 200, 200, 404, 403, 403, 403, b=True, institute=200)],
    P + "event_people_invite": [
        R(POST, a("event"), 302, 302, 404, 403, 403, 403, b=True, data=lambda s: {"group": "management"},
          effect=lambda s: _attendees(s.event), institute=302)
    ],
    P + "event_person_add": [R(GET, a("event"), 200, 200, 404, 403, 403, 403, b=True, institute=200)],
    P + "event_person_remove": [
        R(POST, a("attendee"), 302, 302, 404, 403, 403, 403, b=True, effect=lambda s: _attendees(s.event),
          institute=302)
    ],
}



def _attendees(event):
    from partnerships.models import EventAttendee

    return EventAttendee.objects.filter(event=event)


# --- programmes ----------------------------------------------------------------------------------------------------
SEES_OWN_DRAFT = E(department=200, coordinator=200, school=200)
SEES_MUNICIPAL = E(department=200, coordinator=200)
READS_REGIONAL_PLAN = E(department=200, coordinator=200, coordinator_b=200)  # coordinator_b: of region A too
SEES_IN_REVIEW = E(department=200, coordinator=200, curator=200)  # the curator school reviews it (mutual)
OWNER_EDITS = E(department=200, coordinator=403, school=200)  # a school's draft: the coordinator reads it only
PR = "programs:"
# «Другая территория» (conftest) is the department's alone: out of the institute's and the district's reach
OTHER_TERRITORY = dict(institute=404, district=404)


def _regional_plans(title=None, state=None):
    from programs.models import Programme

    plans = Programme.objects.filter(kind=Programme.Kind.REGIONAL)
    return plans.filter(**{k: v for k, v in {"title": title, "state": state}.items() if v})


def pdf_data(**fields):
    def data(side):
        return fields | {"file": ContentFile(PDF, name="prikaz.pdf")}

    return data


PROGRAMS = {
    PR + "list": [Case(GET, NO, E(200))],
    PR + "measures": [Case(GET, NO, E(200))],
    PR + "measures_export": [Case(GET, NO, E(200))],
    PR + "create": [
        Case(GET, NO, E(200, curator=403, tutor=403)),
        # the form is shown again (the school has no municipal kind to choose; nobody gave a municipality)
        Case(POST, NO, E(200, curator=403, tutor=403),
             data=lambda s: {"kind": "municipal", "title": "Новая", "period_start": 2026, "period_end": 2027}),
        # a regional plan-schedule: the region's department only; another region's department and a district's are
        # not offered region A (the form again), the coordinator and the school not the kind
        Case(POST, NO, E(200, department=302, curator=403, tutor=403, department_b=200, district=200),
             data=lambda s: {"kind": "regional", "region": s.region_id, "title": "Новый план-график",
                             "period_start": 2026, "period_end": 2026},
             effect=lambda s: _regional_plans("Новый план-график"), label="regional plan"),
    ],
    PR + "detail": [
        Case(GET, a("own_draft"), SEES_OWN_DRAFT, b=True, label="school draft"),
        Case(GET, a("municipal"), SEES_MUNICIPAL, b=True, label="municipal"),
        Case(GET, a("in_review"), SEES_IN_REVIEW, b=True, label="in review"),
        # the region's plan-schedule: every territory role and coordinator of region A reads it; department_b (of
        # another region) gets 404; the schools do not see it
        Case(GET, a("regional_plan"), READS_REGIONAL_PLAN, label="regional plan"),
    ],
    PR + "history": [Case(GET, a("own_draft"), SEES_OWN_DRAFT, b=True)],
    # restoring a passport is its owner's (and the department's): the coordinator reads a school's draft, may not
    PR + "passport_restore": [
        Case(GET, a("municipal", lambda s: s.municipal_passport_version), SEES_MUNICIPAL, b=True, label="municipal"),
        Case(POST, a("municipal", lambda s: s.municipal_passport_version), E(department=302, coordinator=302),
             b=True, data=lambda s: {"version": s.municipal.version}, label="municipal"),
        Case(GET, a("own_draft", lambda s: s.own_draft_passport_version), OWNER_EDITS, b=True, label="school draft"),
    ],
    PR + "print": [Case(GET, a("own_draft"), SEES_OWN_DRAFT, b=True)],
    PR + "export": [Case(GET, a("municipal"), SEES_MUNICIPAL, b=True)],
    PR + "roadmap": [Case(GET, a("municipal"), E(department=302, coordinator=302), b=True)],  # htmx partial
    PR + "compare": [Case(GET, a("accepted", 2), SEES_MUNICIPAL)],
    PR + "compare_current": [Case(GET, a("returned"), SEES_OWN_DRAFT)],
    PR + "passport_edit": [
        # the plan of the regional plan-schedule is the region's department's: the institute reports execution only
        Case(GET, a("regional_plan"), E(department=200, coordinator=403, coordinator_b=403, district=403),
             label="regional plan"),
        Case(GET, a("own_draft"), OWNER_EDITS, b=True, label="school draft"),
        Case(GET, a("municipal"), SEES_MUNICIPAL, b=True, label="municipal"),
    ],
    PR + "import": [Case(GET, a("own_draft"), OWNER_EDITS, b=True)],
    PR + "section_add": [
        Case(POST, a("municipal"), E(department=302, coordinator=302), b=True, data=lambda s: {"title": "Новая задача"})
    ],
    PR + "section": [Case(GET, a("municipal_section"), E(department=302, coordinator=302), b=True)],
    PR + "section_edit": [
        Case(GET, a("municipal_section"), SEES_MUNICIPAL, b=True, label="municipal"),
        Case(GET, a("draft_section"), OWNER_EDITS, b=True, label="school draft"),
    ],
    PR + "section_delete": [
        Case(POST, a("municipal_section"), E(department=302, coordinator=302), b=True, data=lambda s: {"version": 1})
    ],
    PR + "section_move": [Case(POST, a("municipal_section", "down"), E(department=302, coordinator=302), b=True)],
    PR + "measure_add": [
        Case(POST, a("draft_section"), E(department=302, coordinator=403, school=302), b=True,
             data=lambda s: {"name": "Новое мероприятие", "status": "planned"})
    ],
    PR + "measure": [Case(GET, a("draft_measure"), E(department=302, coordinator=302, school=302), b=True)],
    PR + "measure_edit": [
        Case(GET, a("draft_measure"), OWNER_EDITS, b=True, label="school draft"),
        Case(GET, a("municipal_measure"), SEES_MUNICIPAL, b=True, label="municipal"),
    ],
    PR + "measure_delete": [
        Case(POST, a("draft_measure"), E(department=302, coordinator=403, school=302), b=True,
             data=lambda s: {"version": 1})
    ],
    PR + "measure_done": [
        # the institute (ЦНППМПР, the plan-schedule's executor) marks a measure of its region's plan done
        Case(POST, a("regional_measure"), E(department=302, coordinator=403, coordinator_b=403, institute=302,
                                            district=403), data=lambda s: {"version": 1}, label="regional plan"),
        Case(POST, a("draft_measure"), E(department=302, coordinator=403, school=302), b=True,
             data=lambda s: {"version": 1})
    ],
    PR + "measure_move": [Case(POST, a("draft_measure", "down"), E(department=302, coordinator=403, school=302), b=True)],
    PR + "evidence": [
        Case(GET, a("municipal_measure"), SEES_MUNICIPAL, b=True),
        Case(POST, a("municipal_measure"), E(department=302, coordinator=302), b=True, data=pdf_data(title="Приказ")),
    ],
    PR + "evidence_download": [Case(GET, a("programme_evidence"), SEES_MUNICIPAL, b=True)],
    PR + "evidence_delete": [Case(POST, a("programme_evidence"), E(department=302, coordinator=302), b=True)],
    PR + "submit": [
        Case(POST, a("own_draft"), E(department=302, coordinator=403, school=302), b=True, label="school draft"),
        Case(POST, a("municipal"), E(department=302, coordinator=302), b=True, label="municipal"),
    ],
    PR + "reopen": [Case(POST, a("accepted"), E(department=302, coordinator=302))],
    # the region's department approves its plan-schedule (no review route); a district's department does not
    PR + "approve": [
        Case(POST, a("regional_plan"), E(department=302, coordinator=403, coordinator_b=403, district=403),
             effect=lambda s: _regional_plans(state="accepted")),
        # a municipal programme is not approved this way: the department sees it, the answer is a message (302)
        Case(POST, a("municipal"), E(department=302, coordinator=302), label="municipal"),
    ],
    PR + "review_assign": [
        Case(POST, a("submitted"), E(department=302, coordinator=302), b=True,
             data=lambda s: {"school": s.curator_school.pk})
    ],
    PR + "review_regional": [Case(POST, a("submitted"), E(department=302, coordinator=403), b=True)],
    # a review of a step of the route: the coordinator and the department open it, naming the school
    PR + "review_open": [
        Case(POST, a("submitted", lambda s: s.mutual_step.pk), E(department=302, coordinator=302), b=True,
             data=lambda s: {f"step{s.mutual_step.pk}-school": s.curator_school.pk},
             effect=lambda s: s.submitted.reviews.all()),
    ],
    # review routes: the department edits them, coordinators read them (the default route is every territory's),
    # nobody else opens them; a route of another territory is out of a coordinator's reach
    PR + "routes": [
        R(GET, NO, 200, 200, 200, 403, 403, 403),
        R(POST, NO, 200, 403, 403, 403, 403, 403, data=lambda s: {"owner": "school"}, label="no territory: the form again"),
    ],
    PR + "route": [
        R(GET, a("route"), 200, 200, 200, 404, 404, 404, label="default"),
        R(GET, a("other_route"), 200, 404, 404, 404, 404, 404, label="another territory", **OTHER_TERRITORY),
    ],
    PR + "step_add": [
        R(GET, a("route"), 200, 403, 403, 404, 404, 404),
        R(POST, a("other_route"), 302, 404, 404, 404, 404, 404, label="add", **OTHER_TERRITORY,
          data=lambda s: {"name": "Экспертиза отчёта", "kind": "custom", "subject": "report", "reviewer": "department",
                          "school_scope": "municipality", "required": "on", "due_month": "11"},
          effect=lambda s: s.other_route.steps.all()),
    ],
    PR + "step_edit": [R(GET, a("step"), 200, 403, 403, 404, 404, 404)],
    PR + "step_delete": [
        R(GET, a("step"), 200, 403, 403, 404, 404, 404, label="confirm"),
        R(POST, a("spare_step"), 302, 404, 404, 404, 404, 404, label="delete", **OTHER_TERRITORY,
          effect=lambda s: s.other_route.steps.all()),
    ],
    PR + "step_move": [R(POST, a("spare_step", "up"), 302, 404, 404, 404, 404, 404, **OTHER_TERRITORY)],
    PR + "step_criteria": [
        R(GET, a("step"), 200, 403, 403, 404, 404, 404),
        R(POST, a("spare_step"), 302, 404, 404, 404, 404, 404, **OTHER_TERRITORY,
          data=lambda s: {"criteria": "Документы за этап"},
          label="save"),
    ],
    PR + "review": [
        Case(GET, a("in_review_municipal"), SEES_IN_REVIEW, b=True, label="in review (municipal)"),
        Case(POST, a("in_review_mutual"), E(department=403, coordinator=403, curator=302), b=True,
             data=lambda s: {"action": "start"}, label="start the mutual review"),
        Case(POST, a("submitted_municipal"), E(department=302, coordinator=302), b=True,
             data=lambda s: {"action": "start"}, label="start the municipal review"),
        Case(POST, a("submitted_regional"), E(department=302, coordinator=403), b=True,
             data=lambda s: {"action": "start"}, label="start the regional review"),
        # a review the route gives the institute of the programme's region: the institute's to carry out, not the
        # department's nor the coordinator's
        Case(GET, a("institute_review"), E(department=200, coordinator=200), label="given to the institute"),
        Case(POST, a("institute_review"), E(department=403, coordinator=403, institute=302),
             data=lambda s: {"action": "start"}, label="start the institute's review"),
    ],
}

# --- monitoring ----------------------------------------------------------------------------------------------------
M = "monitoring:"
ALL_OK = E(200)
A_OBJECT = E(200, coordinator_b=404)  # «Покровская СОШ»: the curator reaches it through the agreement in force
A_ACTION_TEAM = E(403, coordinator_b=404, school=200)
A_TEMPLATE = E(403, department=200, coordinator=200, coordinator_b=404, school=200)
CONFIRMERS = E(403, department=200, coordinator=200, coordinator_b=200)
MUNICIPALITY = E(200, coordinator_b=404)
STAGE = "entry"


def _accepted(self_assessment):
    from monitoring.models import SelfAssessment

    return SelfAssessment.objects.filter(pk=self_assessment.pk, status=SelfAssessment.Status.ACCEPTED)


def _stage_data(code, *, name="Пилотный этап", year=None):
    import datetime

    from schools.school_year import current_school_year

    year = year or current_school_year()
    return {"position": 4, "code": code, "name": name, "starts_on": datetime.date(year - 1, 10, 1),
            "due_on": datetime.date(year - 1, 10, 31), "basis": ""}  # fmt: skip


def _stages(**fields):
    from monitoring.models import MonitoringStage

    return MonitoringStage.objects.filter(**(fields if "region_id" in fields else {"region__isnull": True} | fields))


def _shift_data(stage):
    import datetime

    return {"starts_on": stage.starts_on, "due_on": stage.due_on - datetime.timedelta(days=5), "note": "приказ УО"}


def _shifts(stage, municipality):
    from monitoring.models import MunicipalStageShift

    return MunicipalStageShift.objects.filter(stage=stage, municipality=municipality)


def _targets(region_id, year):
    from partnerships.models import SupportTarget

    return SupportTarget.objects.filter(region_id=region_id, year=year, agreements_per_year=3)


def _open_reports(school):
    from monitoring.models import OpenReport

    return OpenReport.objects.filter(school=school)


MONITORING = {
    M + "index": [Case(GET, NO, ALL_OK)],
    # the coordinator is sent on to the dashboard of their municipality
    # a district's department too: it has one municipality
    M + "dashboard": [Case(GET, NO, E(403, department=200, coordinator=302, coordinator_b=302, district=302))],
    M + "dashboard_municipality": [
        Case(GET, a("municipality"), E(403, department=200, coordinator=200, coordinator_b=404), b=True,
             # school roles are refused every dashboard before the municipality is looked up: 403 for B as for A
             # (it tells nothing: municipalities are no secret, they are named in the registry)
             b_expected=E(403, department=200, coordinator=404, coordinator_b=200))
    ],
    # the regions side by side: those who read more than one region (the department heads a second one here)
    # regions side by side: for those who read several (the matrix's department heads a second territory too)
    M + "regions": [Case(GET, NO, E(403, department=200, federal=200, department_b=403, institute=403, district=403))],
    # the region's own indicators and plan-schedules: its territory roles and coordinators read them (department_b its
    # own region's), the federal operator every region's; the schools have no region's page (404)
    M + "region_indicators": [Case(GET, NO, E(404, department=200, coordinator=200, coordinator_b=200))],
    # a value of region A's indicator: its department enters it; who sees the indicator (everyone of region A) and may
    # not gets 403; another region's department 404
    M + "region_value": [
        Case(POST, a("regional_indicator"), E(403, department=302, district=403),
             data=lambda s: {"year": s.year, "stage": s.calendar_stage.code, "value": "80"},
             effect=lambda s: s.regional_indicator.values.filter(region__isnull=False)),
    ],
    M + "regions_export": [
        Case(GET, NO, E(403, department=200, federal=200, department_b=403, institute=403, district=403))
    ],
    M + "report": [
        Case(GET, NO, CONFIRMERS),
        # no municipality: the whole region, the department's only; its form without a year is shown again
        # (the institute and a district's department export their municipalities, not the region: 403)
        Case(POST, NO, E(403, department=200, institute=403, district=403), label="the region"),
        # the municipality's id in the form: the coordinator's own starts an export, another's is a 404
        Case(POST, NO, E(403, department=302, coordinator=302, coordinator_b=404, department_b=404), b=True,
             label="a municipality",
             data=lambda s: {"municipality": s.municipality.pk, "year": s.year},
             b_expected=E(403, department=302, coordinator=404, coordinator_b=302)),  # school roles: 403 first
    ],
    M + "report_export": [Case(GET, a("report_export"), E(404, department=200, coordinator=200), b=True)],
    M + "report_export_progress": [Case(GET, a("report_export"), E(404, department=200, coordinator=200), b=True)],
    # «Запустить снова»: whoever may export it; an export that did not fail is only shown again
    M + "report_export_retry": [Case(POST, a("report_export"), E(404, department=302, coordinator=302), b=True)],
    M + "report_export_download": [Case(GET, a("report_export"), E(404, department=200, coordinator=200), b=True)],
    M + "indicator_list": [Case(GET, NO, ALL_OK)],
    M + "indicator_list_export": [Case(GET, NO, ALL_OK)],
    M + "indicator_detail": [Case(GET, a("indicator"), MUNICIPALITY, b=True)],
    M + "school": [Case(GET, a("school"), A_OBJECT, b=True)],
    M + "school_grid": [Case(GET, a("school", YEAR, STAGE), A_OBJECT, b=True)],
    M + "municipality_grid": [Case(GET, a("municipality", YEAR, "final"), MUNICIPALITY, b=True)],
    # restoring an earlier version of a value: whoever may confirm it; those who only see it get 403
    M + "value_restore": [
        Case(GET, lambda s: [s.indicator_value.pk, s.indicator_value.history.earliest().history_id],
             E(403, department=200, coordinator=200, coordinator_b=404), b=True)
    ],
    # the queue is the confirmers' work (its page confirms and returns values): the readers read the values on the
    # dashboards and grids
    M + "queue": [Case(GET, NO, CONFIRMERS | dict(federal=403, institute=403))],
    M + "queue_export": [Case(GET, NO, CONFIRMERS | dict(federal=403, institute=403))],
    M + "values_import": [Case(GET, NO, CONFIRMERS)],
    # nothing uploaded in the session: back to the upload
    M + "values_import_preview": [Case(GET, NO, E(403, department=302, coordinator=302, coordinator_b=302))],
    M + "values_import_template": [Case(GET, NO, CONFIRMERS, query="?year={s.year}&stage=entry")],
    # the monitoring calendar of the territory: the department edits it, a coordinator (the outsider too: their own
    # territory) reads it and shifts the dates of their own municipality; nobody else opens it
    M + "calendar": [R(GET, NO, 200, 200, 200, 403, 403, 403)],
    M + "calendar_history": [R(GET, lambda s: [s.year], 200, 200, 200, 403, 403, 403, department_b=200)],  # its own
    # the default calendar is the installation's (the back office): no territory's department changes it
    M + "calendar_stage_create": [
        R(GET, lambda s: [s.year], 403, 403, 403, 403, 403, 403, label="default: form", department_b=403),
        R(GET, lambda s: [s.year + 1], 200, 403, 403, 403, 403, 403, query="?region={s.region_id}", label="region: form"),
        R(
            POST,
            lambda s: [s.year + 1],
            302,
            403,
            403,
            403,
            403,
            403,
            query="?region={s.region_id}",
            label="region: save",
            data=lambda s: _stage_data("pilot", year=s.year + 1),
            effect=lambda s: _stages(region_id=s.region_id, year=s.year + 1, code="pilot"),
        ),
    ],
    M + "calendar_start": [R(POST, lambda s: [s.year], 302, 403, 403, 403, 403, 403, query="?region={s.region_id}")],
    M + "calendar_stage_edit": [
        R(GET, a("calendar_stage"), 403, 403, 403, 404, 404, 404, label="default: form", department_b=403),
        R(GET, a("region_stage"), 200, 403, 403, 404, 404, 404, label="region: form"),
        R(
            POST,
            a("region_stage"),
            302,
            403,
            403,
            404,
            404,
            404,
            label="region: save",
            data=lambda s: _stage_data("interim", name="2 этап", year=s.year + 1),
            effect=lambda s: _stages(region_id=s.region_id, year=s.year + 1, code="interim", name="2 этап"),
        ),
    ],
    M + "calendar_stage_delete": [
        R(GET, a("calendar_stage"), 403, 403, 403, 404, 404, 404, label="default: confirm", department_b=403),
        R(GET, a("region_stage"), 200, 403, 403, 404, 404, 404, label="region: confirm"),
        R(
            POST,
            a("region_stage"),
            302,
            403,
            403,
            404,
            404,
            404,
            label="region: delete",
            effect=lambda s: _stages(region_id=s.region_id, year=s.year + 1, code="interim"),
        ),
    ],
    M + "calendar_stage_shift": [
        R(GET, a("calendar_stage", lambda s: s.municipality.pk), 200, 200, 404, 404, 404, 404, b=True, label="form"),
        R(
            POST,
            a("calendar_stage", lambda s: s.municipality.pk),
            302,
            302,
            404,
            404,
            404,
            404,
            b=True,
            label="save",
            data=lambda s: _shift_data(s.calendar_stage),
            effect=lambda s: _shifts(s.calendar_stage, s.municipality),
        ),
    ],
    M + "self_assessment_list": [Case(GET, NO, ALL_OK)],
    M + "self_assessment_export": [Case(GET, NO, ALL_OK)],
    M + "self_assessment_preview": [Case(GET, NO, E(302))],  # no upload waiting in the session: back to the hub
    # a tutor works with teachers, not with the school's self-assessment (docs/PEOPLE.md)
    M + "self_assessment_detail": [Case(GET, a("self_assessment"), E(200, coordinator_b=404, tutor=404), b=True)],
    M + "self_assessment_file": [Case(GET, a("self_assessment"), E(200, coordinator_b=404, tutor=404), b=True)],
    # the curator reaches the school through the agreement, reads its self-assessment, may not decide on it
    M + "self_assessment_decide": [
        Case(POST, a("self_assessment"), E(403, department=302, coordinator=302, coordinator_b=404, curator=403, tutor=404), b=True,
             data=lambda s: {"action": "accept"}, effect=lambda s: _accepted(s.self_assessment))
    ],
    M + "self_assessment_template": [Case(GET, a("school", YEAR, STAGE), A_TEMPLATE, b=True)],
    M + "self_assessment_upload": [Case(GET, a("school", YEAR, STAGE), A_ACTION_TEAM, b=True)],
    M + "open_report_upload": [
        Case(POST, a("school", YEAR), A_ACTION_TEAM | {"school": 302}, b=True, data=lambda s: {"file": pdf("доклад.pdf")},
             effect=lambda s: _open_reports(s.school))
    ],
    M + "open_report_file": [Case(GET, a("open_report"), A_OBJECT, b=True)],
}

# --- notifications -------------------------------------------------------------------------------------------------
N = "notifications:"
NOTIFICATIONS = {
    N + "list": [Case(GET, NO, E(200))],
    N + "read_all": [Case(POST, NO, E(302))],
    # a notification is its recipient's only: the coordinator's (A) and coordinator_b's (B)
    N + "open": [Case(GET, a("notification"), E(404, coordinator=302), b=True)],
    N + "read": [Case(POST, a("notification"), E(404, coordinator=302), b=True)],
    N + "settings": [Case(GET, NO, E(200))],
    # watching who did not react is the overseers' work: the readers are refused it
    N + "municipality": [Case(GET, NO, E(403, department=200, coordinator=200, coordinator_b=200, federal=403,
                                         institute=403))],
}

# --- people: bringing them in (issue 21) -------------------------------------------------------------------------
SV = "surveys:"
# The surveys: results to the school, its coordinator and the territory (not to curators and tutors); the campaign is
# the region's, its schools' links are each side's; answering needs no account (a POST without the device cookie the
# answer page gives is refused, 400, and stores nothing).
SURVEY_READERS = {"department": 200, "coordinator": 200, "coordinator_b": 200, "school": 200}
TOKEN = lambda side: [side.survey_link.token]  # noqa: E731
SURVEYS = {
    SV + "list": [Case(GET, NO, E(403, **SURVEY_READERS))],
    SV + "create": [
        Case(GET, NO, E(403, department=200)),
        # another region's department may not launch in region A: its form comes back with the error
        Case(POST, NO, E(403, department=302, department_b=200), effect=lambda s: _campaigns(),
             data=lambda s: {"region": s.municipality.region_id, "year": s.year + 1, "title": "Новый опрос",
                             "opens_on": "2026-12-01", "closes_on": "2026-12-20",
                             "audiences": ["parents"], "min_answers": 10}),
    ],
    SV + "campaign": [Case(GET, a("campaign"), E(404, **SURVEY_READERS))],
    SV + "export": [Case(GET, a("campaign"), E(404, **SURVEY_READERS))],
    SV + "close": [
        Case(GET, a("campaign"), E(403, department=200, curator=404, tutor=404),
             label="confirm", change=True),
        Case(POST, a("campaign"), E(403, department=302, curator=404, tutor=404),
             effect=lambda s: _closed(s.campaign)),
    ],
    SV + "publish": [Case(POST, a("campaign"), E(403, department=302, curator=404, tutor=404),
                          effect=lambda s: _satisfaction_imports())],
    SV + "link": [
        Case(GET, a("survey_link"), E(404, department=200, coordinator=200, school=200), b=True),
        Case(POST, a("survey_link"), E(404, department=302, coordinator=302, school=302), b=True,
             data=lambda s: {"settings-needs_class_code": "on"}),
    ],
    SV + "class_codes": [
        Case(POST, a("survey_link"), E(404, department=302, coordinator=302, school=302), b=True,
             data=lambda s: {"codes-label": "9 Б", "codes-count": 3}, effect=lambda s: _codes(s.survey_link)),
    ],
    SV + "poster": [Case(GET, a("survey_link"), E(404, department=200, coordinator=200, school=200), b=True)],
    SV + "answer_start": [Case(GET, TOKEN, E(200, anonymous=200, department_b=200))],
    SV + "answer": [
        Case(GET, lambda s: [s.survey_link.token, "parents"], E(200, anonymous=200, department_b=200)),
        Case(POST, lambda s: [s.survey_link.token, "parents"], E(400, anonymous=400, department_b=400), change=False,
             data=lambda s: {"website": ""}, effect=lambda s: _responses(s.survey_link)),
    ],
    SV + "answer_thanks": [Case(GET, TOKEN, E(200, anonymous=200, department_b=200))],
}


def _campaigns():
    from surveys.models import Campaign

    return Campaign.objects.all()


def _closed(campaign):
    from surveys.models import Campaign

    return Campaign.objects.filter(pk=campaign.pk, closed_at__isnull=False)


def _satisfaction_imports():
    from schools.models import ResultImport

    return ResultImport.objects.filter(file_name__startswith="опрос удовлетворённости")


def _codes(link):
    return link.class_codes.all()


def _responses(link):
    return link.responses.all()


PE = "people:"
# the department invites in its territory, a coordinator the schools of their municipality; the readers are refused
ONBOARDS = dict(department=200, coordinator=200, coordinator_b=200, federal=403, institute=403)
PEOPLE = {
    PE + "import": [Case(GET, NO, E(403, **ONBOARDS))],
    # nothing uploaded in the session: back to the upload
    PE + "import_preview": [Case(GET, NO, E(403, department=302, coordinator=302, coordinator_b=302))],
    PE + "import_template": [Case(GET, NO, E(403, **ONBOARDS))],
    PE + "invitations": [Case(GET, NO, E(403, **ONBOARDS))],
    # the letter goes out after the commit (tests/people/test_onboarding.py sees it arrive); the institute does not
    # invite, so it does not see invitations
    PE + "invitation_resend": [Case(POST, a("invitation"), E(404, department=302, coordinator=302, institute=404), b=True)],
    # the people of the territory: read by the overseers and the territory's readers; a person of B is B's
    PE + "list": [Case(GET, NO, E(403, department=200, coordinator=200, coordinator_b=200))],
    PE + "person": [Case(GET, lambda s: [s.invitation.user_id], E(404, department=200, coordinator=200), b=True)],
    # deactivating (its GET is the confirmation) and taking a role away: whoever could have given every role
    PE + "person_active": [
        Case(GET, lambda s: [s.invitation.user_id], E(404, department=200, coordinator=200), b=True,
             label="confirm", change=True),
    ],
    PE + "role_remove": [
        Case(GET, lambda s: [s.invitation_role.pk], E(404, department=200, coordinator=200), b=True,
             label="confirm", change=True),
        Case(POST, lambda s: [s.invitation_role.pk], E(404, department=302, coordinator=302), b=True,
             effect=lambda s: _role_kept(s.invitation_role)),
    ],
    # the access log of teachers' personal data: the department's, of its territory
    PE + "access_log": [
        Case(GET, NO, E(403, department=200, institute=403, federal=403)),
        Case(POST, NO, E(403, department=302, district=403, institute=403), data=lambda s: {"retention_days": 400},
             regional=True),
    ],
    # the second factor is every person's own (federal and institute must enrol too): nothing of another's
    PE + "otp_settings": [Case(GET, NO, E(200))],
    PE + "otp_setup": [Case(GET, NO, E(200))],
    PE + "otp_verify": [Case(GET, NO, E(200))],
    PE + "otp_codes": [Case(GET, NO, E(302))],  # no codes just issued: to the settings
    PE + "otp_new_codes": [Case(POST, NO, E(302), change=False)],  # no app yet: to the enrolment
    # the link of the letter: everyone's (a forged token shows «ссылка недействительна»)
    PE + "invitation_accept": [Case(GET, lambda s: ["MQ", "forged-token"], E(200, anonymous=200, department_b=200))],
}

# --- the open pages of the territories (issue 22, item 4): read without a login ----------------------------------
PU = "public:"
# everyone's, the anonymous visitor's and another region's department's too; on B's objects as on A's
EVERYONE = E(200, anonymous=200, department_b=200, district=200, federal=200, institute=200)
NOBODY = E(404, anonymous=404)  # a draft, a file of another region, an act without a file: it is not public


def _another_region(side):
    """The id of a region other than the side's (department_b's): a public URL naming it with the side's act or file."""
    from schools.models import Region

    return Region.objects.exclude(pk=side.region_id).order_by("pk").values_list("pk", flat=True).first()


PUBLIC_TEXT = "Текст открытой страницы"
PUBLIC = {
    PU + "index": [Case(GET, NO, E(200, anonymous=200))],
    PU + "region": [
        Case(GET, lambda s: [s.region_id], EVERYONE),
        Case(GET, lambda s: [0], NOBODY, label="no such region"),
    ],
    # the whole register and bank of a region, a page at a time: its public rows only (tests/public/test_lists.py)
    PU + "acts": [
        Case(GET, lambda s: [s.region_id], EVERYONE),
        Case(GET, lambda s: [0], NOBODY, label="no such region"),
    ],
    PU + "practices": [
        Case(GET, lambda s: [s.region_id], EVERYONE),
        Case(GET, lambda s: [0], NOBODY, label="no such region"),
    ],
    PU + "act_file": [
        Case(GET, lambda s: [s.region_id, s.act.pk], EVERYONE, b=True, b_expected=EVERYONE, label="with its PDF"),
        Case(GET, lambda s: [s.region_id, s.act_unlinked.pk], NOBODY, b=True, b_expected=NOBODY, label="no file"),
        Case(GET, lambda s: [_another_region(s), s.act.pk], NOBODY, label="another region's page"),
    ],
    # a published practice's file is everyone's (the download is counted); a draft's or one on moderation nobody's
    PU + "practice_file": [
        Case(GET, lambda s: [s.region_id, s.published_file.pk], EVERYONE, label="published"),
        Case(GET, lambda s: [s.region_id, s.draft_file.pk], NOBODY, b=True, b_expected=NOBODY, label="draft"),
        Case(GET, lambda s: [s.region_id, s.waiting_file.pk], NOBODY, b=True, b_expected=NOBODY, label="waiting"),
        Case(GET, lambda s: [_another_region(s), s.published_file.pk], NOBODY, label="another region's page"),
    ],
    # the page's settings are the region's department's: the region's other roles 403, another region's 404
    PU + "settings": [
        Case(GET, lambda s: [s.region_id], E(403, department=200), label="form"),
        Case(POST, lambda s: [s.region_id], E(403, department=302), label="save",
             data=lambda s: {"about": PUBLIC_TEXT, "publish_list": "on", "seen": 0},
             effect=lambda s: _public_page_saved(s)),
    ],
}


def _public_page_saved(side):
    from public_pages.models import PublicPage

    return PublicPage.history.filter(region_id=side.region_id, about=PUBLIC_TEXT)



def _role_kept(assignment):
    from schools.models import RoleAssignment

    return RoleAssignment.objects.filter(pk=assignment.pk)


# What is a change, by URL name (`Case.change` and `Case.regional` of a row say it where one row differs): a GET of
# these only serves a change — a form, a confirmation, an import's preview or template — so the federal operator and
# the institute, who change nothing, are refused it as they are refused its POST.
FORMS = {
    "schools:profile_edit", "schools:registry_import", "schools:registry_import_preview", "schools:registry_template",
    "schools:results_import", "schools:results_import_preview", "schools:results_import_template",
    "schools:passport_import", "schools:passport_preview", "schools:passport_template", "schools:selection_approve",
    "schools:act_create", "schools:act_edit", "schools:act_delete", "schools:organisation_create",
    "schools:organisation_edit",
    P + "agreement_create", P + "agreement_edit", P + "plan_item_create", P + "plan_item_edit", P + "session_create",
    P + "session_edit", P + "target_edit", P + "teacher_create", P + "teacher_edit", P + "deficit_create",
    P + "deficit_edit", P + "plan_create", P + "tutoring_create", P + "plan_edit", P + "ipr_item_create",
    P + "ipr_item_edit", P + "practice_create", P + "practice_edit", P + "event_create", P + "event_edit",
    P + "event_attendance", P + "event_people", P + "event_person_add", P + "tutor_profile",
    PR + "create", PR + "passport_restore", PR + "passport_edit", PR + "import", PR + "section_edit",
    PR + "measure_edit", PR + "step_add", PR + "step_edit", PR + "step_delete", PR + "step_criteria",
    M + "value_restore", M + "values_import", M + "values_import_preview", M + "values_import_template",
    M + "calendar_stage_create", M + "calendar_stage_edit", M + "calendar_stage_delete", M + "calendar_stage_shift",
    M + "self_assessment_template", M + "self_assessment_upload", SV + "create", SV + "close",
    PE + "import", PE + "import_preview", PE + "import_template", PU + "settings",
}  # fmt: skip
# POSTs that change nothing of the portal's: the user's own session and notifications, a print's names.
# An export of the yearly report is a reading: it writes only its own file's record.
NOT_CHANGES = {"logout", N + "read_all", N + "read", P + "agreement_print", M + "report", M + "report_export_retry"}
# The changes of the region's settings — its runs and list, imports into its registry, its calendar, targets and
# routes: the regional department's; a district's department gets 403 (it reads them). Where the region lets its
# districts form their own lists (`IdentificationSettings.districts_identify`, off in the demo), the district starts,
# retries and approves its own district's runs: tests/schools/test_district_identification.py.
REGIONAL = {
    "schools:identification_start", PR + "routes", "schools:run_retry", "schools:run_approve", "schools:selection_approve",
    "schools:selection_change_decide", P + "target_edit", PR + "step_add", PR + "step_edit", PR + "step_delete",
    PR + "step_move", PR + "step_criteria", M + "calendar_stage_create", M + "calendar_start",
    M + "calendar_stage_edit", M + "calendar_stage_delete", SV + "create", SV + "close", SV + "publish", PU + "settings",
}  # fmt: skip


# Not the institute's business: the partnerships' work (agreements, sessions, teachers, plans, tutors, targets,
# practices on their way to the bank); it reads the bank and the events, as every role of the region does.
INSTITUTE_READS = {P + "index", P + "events", P + "events_export", P + "event", P + "practices",
                   P + "practices_export", P + "practice_downloads", P + "practice_downloads_export"}  # fmt: skip


def _marked(name, case):
    from dataclasses import replace

    if case.change is None and (name in FORMS and case.method == GET or name in NOT_CHANGES and case.method == POST):
        case = replace(case, change=name in FORMS)
    if name.startswith(P) and name not in INSTITUTE_READS and not name.startswith(P + "event"):
        case = replace(case, institutes=False)
    return replace(case, regional=True) if name in REGIONAL else case


TABLE: dict[str, list[Case]] = {
    name: [_marked(name, case) for case in cases]
    for name, cases in (SCHOOLS | PORTAL | PARTNERSHIPS | PROGRAMS | MONITORING | NOTIFICATIONS | PEOPLE | SURVEYS | PUBLIC).items()
}


# --- the resolver -------------------------------------------------------------------------------------------------


def walk(resolver=None, namespace=""):
    """(\"namespace:name\", pattern) of every URL pattern, through every include; unnamed ones by their route."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from walk(pattern, f"{namespace}:{inner}".strip(":") if inner else namespace)
        else:
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), pattern


def project_url_names() -> set[str]:
    return {name for name, _pattern in walk() if not name.startswith("admin:")}


def test_every_url_pattern_has_a_row():
    names = project_url_names()
    assert len(names) > 100  # the walk went through every include
    missing, extra = sorted(names - set(TABLE)), sorted(set(TABLE) - names)
    assert not missing and not extra, f"URL без строки в таблице: {missing}; строки без URL: {extra}"


# --- the matrix -----------------------------------------------------------------------------------------------------


def ask(world, user, method, url, data):
    """One request in a savepoint rolled back; the client starts from its login cookie alone (a logout or a message
    cookie of the previous request does not carry over)."""
    return ask_counting(world, user, method, url, data, None)[0]


def ask_counting(world, user, method, url, data, counted):
    """`ask`, and how many more rows the queryset `counted` (if any) holds after the request than before it."""
    client = world.clients[user]
    client.cookies = SimpleCookie(world.cookies[user])
    with transaction.atomic():
        before = counted.count() if counted is not None else 0
        response = getattr(client, method)(url, data or {})
        after = counted.count() if counted is not None else 0
        transaction.set_rollback(True)
    return response, after - before


def answer(response):
    """What the user noticed: the status, or LOGIN for a redirect to a login page."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", sorted(TABLE))
def test_url_answers_every_user_as_the_table_says(world, name):
    mismatches = []
    for case in TABLE[name]:
        sides = [("A", world.a, case.expected_a)] + ([("B", world.b, case.expected_for_b())] if case.b else [])
        for side_label, side, expected in sides:
            url = reverse(name, args=case.args(side) if case.args else [])
            url += case.query.format(s=side)
            for user in USERS:
                if side_label == "B" and user == "anonymous":
                    continue  # login_required answers before any object is looked up: asked once, on the A side
                data = case.data(side) if case.data else None
                counted = case.effect(side) if case.effect else None
                response, changed = ask_counting(world, user, case.method, url, data, counted)
                got = answer(response)
                where = f"{case.method.upper()} {url} [{case.label or side_label}/{side_label}] {user}"
                if got != expected[user]:
                    mismatches.append(f"{where}: {got}, ожидалось {expected[user]}")
                elif counted is not None and bool(changed) != (got == 302):
                    mismatches.append(f"{where}: {got}, а записей изменилось {changed}")
    assert not mismatches, "\n".join(mismatches)


REFUSED = (403, 404)


def test_the_people_of_an_organisation_reach_nothing_of_municipality_b(world):
    """The expert of the institute and the curator of the ДДТ work in municipality A: every URL with municipality B's
    object that the school team, the curator school and the tutor are refused refuses them too, and stores nothing."""
    mismatches = []
    for name, cases in TABLE.items():
        for case in cases:
            expected = case.expected_for_b()
            if not case.b or any(expected[user] not in REFUSED for user in ("school", "curator", "tutor")):
                continue
            url = reverse(name, args=case.args(world.b) if case.args else []) + case.query.format(s=world.b)
            for user in ORGANISATION_ROLES:
                counted = case.effect(world.b) if case.effect else None
                data = case.data(world.b) if case.data else None
                response, changed = ask_counting(world, user, case.method, url, data, counted)
                if answer(response) not in REFUSED or changed:
                    mismatches.append(f"{case.method.upper()} {url} {user}: {answer(response)}, изменено {changed}")
    assert not mismatches, "\n".join(mismatches)


def test_the_people_of_an_organisation_reach_their_own_work(world):
    """The same users are not refused everything: the expert opens the review given to the institute, the ДДТ's
    curator the agreement it is a party to."""
    from partnerships.models import Agreement
    from programs.models import Review

    review = Review.objects.filter(reviewer_organisation__short_name="ЦНППМПР ИРО").first()
    agreement = Agreement.objects.filter(curator_organisation__short_name="ДДТ г. Заречный").first()
    assert review is not None and agreement is not None
    assert answer(ask(world, "expert", GET, reverse("programs:review", args=[review.pk]), None)) == 200
    assert answer(ask(world, "curator_org", GET, reverse("partnerships:agreement", args=[agreement.pk]), None)) == 200
    assert answer(ask(world, "curator_org", GET, reverse("programs:review", args=[review.pk]), None)) == 404


# --- the admin site -------------------------------------------------------------------------------------------------


def admin_urls_without_arguments():
    urls = {}
    for name, _pattern in walk():
        if not name.startswith("admin:"):
            continue
        try:
            urls[name] = reverse(name)
        except NoReverseMatch:
            continue  # takes arguments: the change/delete/history pages are sampled in the next test
    return urls


ADMIN_LOGIN = "admin-login"


def admin_answer(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    return response.status_code


def test_admin_site(world):
    """Every admin URL without arguments: everyone but the department is sent to the admin's login page (the
    department's role makes it staff). Logging in and out of the admin are the site's own pages."""
    urls = admin_urls_without_arguments()
    assert "admin:index" in urls and "admin:schools_school_changelist" in urls
    special = {"admin:login", "admin:logout"}
    mismatches = []
    non_staff = [user for user in BASE_USERS if user not in ("anonymous", "department")]
    for index, (name, url) in enumerate(sorted(urls.items())):
        if name in special:
            continue
        # The admin site lets in staff only, before any view runs (`AdminSite.has_permission`): every URL is asked
        # by the department and the anonymous visitor, and by one of the five other roles in turn (each of them
        # meets some thirty admin URLs), which keeps this test in seconds.
        for user in ("anonymous", "department", non_staff[index % len(non_staff)]):
            got = admin_answer(ask(world, user, GET, url, None))
            want = department_admin_answer(name) if user == "department" else ADMIN_LOGIN
            if got != want:
                mismatches.append(f"{name} {url} {user}: {got}, ожидалось {want}")
    # The admin's own login page: shown to visitors and to non-staff users (who are told they lack access); staff
    # are sent on to the index. The admin's logout is a POST of the site's own and is not asked here.
    login = reverse("admin:login")
    answers = {user: ask(world, user, GET, login, None).status_code for user in ("anonymous", "department", "school")}
    assert answers == {"anonymous": 200, "department": 302, "school": 200}
    # A page that takes an object: a school's change page, and the portal's app page of the back office.
    school = world.a.school
    for url in (reverse("admin:schools_school_change", args=[school.pk]), reverse("admin:app_list", args=["schools"])):
        for user in BASE_USERS:
            got = admin_answer(ask(world, user, GET, url, None))
            want = 200 if user == "department" else ADMIN_LOGIN
            if got != want:
                mismatches.append(f"{url} {user}: {got}, ожидалось {want}")
    assert not mismatches, "\n".join(mismatches)


# Models whose admin is read-only: written by the portal's own steps, never added by hand in the back office.
READ_ONLY_ADMIN = {
    "schools_identificationrun", "schools_identificationverdict", "schools_schoolyearstatus",
    "monitoring_reportexport", "monitoring_figuresummary",
    "partnerships_practicedownload", "programs_evidence", "programs_programmesnapshot",
    "schools_act", "schools_actlink",  # the register is kept on the portal's pages, where files and duplicates are checked
}  # fmt: skip
# The installation's own lists, shared by every territory: a department reads them (`schools.admin_territory`).
# (risk factors, subjects and deficit areas are a region's lists since issue 20: its department adds to its own)
INSTALLATION_ADMIN = {"auth_group", "schools_cluster", "schools_clusterrule", "schools_measure"}


def department_admin_answer(name: str) -> int:
    """What the department gets on an admin URL without arguments."""
    short = name.removeprefix("admin:")
    if short.startswith("axes_"):
        return 403  # login throttling records are the server admin's (a superuser), not in the department's group
    if short.startswith("django_tasks_database_"):
        return 403  # the task queue's records are the server admin's too
    if short.startswith(("otp_totp_", "otp_static_")):
        return 403  # second-factor devices: the server admin removes a lost phone's, nobody else
    if short == "autocomplete":
        return 403  # asked without the field it completes
    if short.endswith("_process_import"):
        return 405  # the second step of an import: POST only
    if short.endswith("_start_region_list"):
        return 405  # «Начать со списка по умолчанию» of a region's reference list: POST only
    model, _, view = short.rpartition("_")
    if view == "add" and ("_historical" in model or model in READ_ONLY_ADMIN):
        return 403  # histories are written by the app; read-only records are made by the portal's steps
    if view == "add" and model in INSTALLATION_ADMIN:
        return 403  # the installation's lists: not one territory's to add to
    return 200


def test_media_is_not_served_from_a_public_url(world):
    stored = [world.a.evidence.file.name, world.a.agreement.scan.name, world.a.self_assessment.file.name,
              world.b.self_assessment.file.name, world.b.programme_evidence.file.name]  # fmt: skip
    for name in stored:
        assert world.clients["department"].get(settings.MEDIA_URL + name).status_code == 404
        assert world.clients["department"].get("/media/" + name).status_code == 404


def _cells(content: bytes) -> set[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c}



# --- ids of another scope typed into a form or a URL ------------------------------------------------------------------


def count_after(world, user, url, data, model, **filters):
    """POST, then count `model` rows matching `filters` before the savepoint is rolled back."""
    return ask_counting(world, user, POST, url, data, model.objects.filter(**filters))


def _teacher_data(school):
    from partnerships.models import Subject

    return {"school": school.pk, "full_name": "Чужая Учительница Ивановна", "subject": Subject.objects.get(code="math").pk,
            "category": "first", "experience": "over_20", "is_active": "on"}  # fmt: skip


def _form_error(response, field):
    assert response.status_code == 200, response.status_code
    assert field in response.context["form"].errors, response.context["form"].errors


def test_a_school_team_cannot_add_a_teacher_to_another_school(world):
    from partnerships.models import Teacher

    url = reverse("partnerships:teacher_create")
    for other in (world.b.school, world.a.neighbour):
        response, added = count_after(world, "school", url, _teacher_data(other), Teacher)
        _form_error(response, "school")
        assert added == 0
    response, added = count_after(world, "school", url, _teacher_data(world.a.school), Teacher, school=world.a.school)
    assert response.status_code == 302 and added == 1  # the same form for its own school is saved


def test_a_school_team_cannot_publish_a_practice_in_another_schools_name(world):
    from partnerships.models import Practice

    url = reverse("partnerships:practice_create")

    def data(school):
        return {"school": school.pk, "title": "Практика от чужого имени", "description": "Описание практики."}

    for other in (world.b.school, world.a.neighbour):
        response, added = count_after(world, "school", url, data(other), Practice)
        _form_error(response, "school")
        assert added == 0
    response, added = count_after(world, "school", url, data(world.a.school), Practice, school=world.a.school)
    assert response.status_code == 302 and added == 1


def test_a_school_team_cannot_create_a_programme_for_another_school(world):
    from programs.models import Programme

    url = reverse("programs:create")

    def data(school):
        return {"kind": "transition", "school": school.pk, "title": "Чужая программа", "period_start": 2026,
                "period_end": 2027}  # fmt: skip

    for other in (world.b.school, world.a.neighbour):
        response, added = count_after(world, "school", url, data(other), Programme)
        _form_error(response, "school")
        assert added == 0
    response, added = count_after(world, "school", url, data(world.a.school), Programme, school=world.a.school)
    assert response.status_code == 302 and added == 1


def test_a_curator_cannot_log_a_session_under_another_agreements_plan_item(world):
    from partnerships.models import Agreement, SupportSession

    agreement = world.a.agreement
    url = reverse("partnerships:session_create", args=[agreement.pk])
    second = Agreement.objects.get(number="2-ШНОР")  # the curator's own other agreement

    def data(item):
        return {"held_on": world.today.isoformat(), "format": item.format, "topic": "Занятие", "plan_item": item.pk,
                "teachers_count": 3, "managers_count": 1, "hours": "2", "outcome": "Итог."}  # fmt: skip

    for item in (second.plan_items.order_by("pk").first(), world.b.plan_item):
        response, added = count_after(world, "curator", url, data(item), SupportSession)
        _form_error(response, "plan_item")
        assert added == 0
    own = agreement.plan_items.order_by("pk").first()
    response, added = count_after(world, "curator", url, data(own), SupportSession, agreement=agreement)
    assert response.status_code == 302 and added == 1


def test_a_coordinator_cannot_pair_schools_of_another_municipality(world):
    from partnerships.models import Agreement

    url = reverse("partnerships:agreement_create")
    data = {"curator_school": world.b.curator_school.pk, "supported_school": world.b.school.pk, "number": "X-1",
            "signed_on": "2026-01-10", "starts_on": "2026-01-15", "ends_on": "2026-12-31", "subject": "Сотрудничество"}  # fmt: skip
    response, added = count_after(world, "coordinator", url, data, Agreement)
    _form_error(response, "supported_school")
    assert added == 0


def test_monitoring_steps_for_another_schools_pk_in_the_url_are_404_and_store_nothing(world):
    from monitoring.models import IndicatorValue, OpenReport, SelfAssessment
    from tests.monitoring.conftest import fill_template

    year, school = world.a.year, world.a.school
    for other in (world.b.school, world.a.neighbour):
        workbook = fill_template(other, year, "entry") if other == world.a.neighbour else b"PK"
        steps = [
            (reverse("monitoring:self_assessment_upload", args=[other.pk, year, "entry"]),
             {"file": ContentFile(workbook, name="самооценка.xlsx")}, SelfAssessment),
            (reverse("monitoring:open_report_upload", args=[other.pk, year]),
             {"file": ContentFile(PDF, name="доклад.pdf")}, OpenReport),
            (reverse("monitoring:school_grid", args=[other.pk, year, "entry"]),
             {f"value_{world.a.indicator.pk}": "55"}, IndicatorValue),
        ]  # fmt: skip
        for url, data, model in steps:
            response, added = count_after(world, "school", url, data, model)
            assert response.status_code == 404 and added == 0, url
    # the team's own school: the open report is stored
    response, added = count_after(world, "school", reverse("monitoring:open_report_upload", args=[school.pk, year]),
                                  {"file": ContentFile(PDF, name="доклад.pdf")}, OpenReport, school=school)  # fmt: skip
    assert response.status_code == 302 and added == 1


def test_the_outsider_reaches_no_monitoring_record_of_municipality_a_whatever_its_state(world):
    """The rows ask for one self-assessment, open report, school and indicator of A; here every one of A's, of every
    school, stage and state (accepted, returned, waiting), answers the outsider 404 — a decision on it too, which
    changes nothing."""
    from monitoring.models import Indicator, OpenReport, SelfAssessment

    municipality = world.a.municipality
    assessments = SelfAssessment.objects.filter(school__municipality=municipality)
    assert assessments.values("status").distinct().count() > 1 and assessments.values("stage").distinct().count() > 1
    asked = []
    for assessment in assessments:
        asked += [(GET, reverse("monitoring:self_assessment_detail", args=[assessment.pk]), None),
                  (GET, reverse("monitoring:self_assessment_file", args=[assessment.pk]), None),
                  (POST, reverse("monitoring:self_assessment_decide", args=[assessment.pk]),
                   {"action": "return", "comment": "Замечания."})]  # fmt: skip
    for report in OpenReport.objects.filter(school__municipality=municipality):
        asked.append((GET, reverse("monitoring:open_report_file", args=[report.pk]), None))
    for school in municipality.schools.all():
        asked += [(GET, reverse("monitoring:school", args=[school.pk]), None),
                  (GET, reverse("monitoring:school_grid", args=[school.pk, world.a.year, "final"]), None)]  # fmt: skip
    for indicator in Indicator.objects.filter(municipality=municipality):
        asked.append((GET, reverse("monitoring:indicator_detail", args=[indicator.pk]), None))
    returned = assessments.filter(status=SelfAssessment.Status.RETURNED)
    reached = []
    for method, url, data in asked:
        response, changed = ask_counting(world, "coordinator_b", method, url, data, returned)
        if response.status_code != 404 or changed:
            reached.append(f"{method.upper()} {url}: {response.status_code}, записей изменилось {changed}")
    assert not reached, "\n".join(reached)


# --- a login without a role -------------------------------------------------------------------------------------------


def test_a_login_without_a_role_reaches_not_even_the_practices_bank(world):
    """The bank is every role's of the region (its "published" rows above), not every account's: an account without
    a role (one whose roles were taken away) is refused the bank and reaches neither a practice nor its file."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.create_user("nobody"))
    assert client.get(reverse("partnerships:practices")).status_code == 403
    assert client.get(reverse("partnerships:practice", args=[world.a.published.pk])).status_code == 404
    assert client.get(reverse("partnerships:practice_file", args=[world.a.published_file.pk])).status_code == 404


# --- lists, exports and charts of the outsider hold nothing of municipality A -----------------------------------------

# A practice published in the bank is for every role of the region (the "published" rows of partnerships:practice
# and practice_file), so its author school and that school's municipality are named in every bank list; so are
# the schools of the region-wide approved list.
PUBLIC_ROWS = {
    "partnerships:practices": "the published practice of «Гимназия г. Заречный»",
    "partnerships:practices_export": "the published practice of «Гимназия г. Заречный»",
    "partnerships:practice_downloads": "the published practice of «Гимназия г. Заречный»",
    "partnerships:practice_downloads_export": "the published practice of «Гимназия г. Заречный»",
}


def outsider_list_urls():
    return sorted(
        name
        for name, cases in TABLE.items()
        for case in cases
        if case.method == GET and case.args is None and case.expected["coordinator_b"] == 200
    )


def test_outsider_lists_cover_the_lists_and_exports():
    names = outsider_list_urls()
    for expected in ("schools:list", "schools:list_export", "partnerships:agreements_export", "monitoring:queue_export",
                     "monitoring:self_assessment_export", "monitoring:report", "notifications:municipality"):  # fmt: skip
        assert expected in names


def names_of_municipality_a(world) -> set[str]:
    """What names A's objects on a page or in a workbook: its name, its schools' short and full names and the titles
    of its programmes (an indicator is listed under its programme's title)."""
    from programs.models import Programme
    from schools.models import School

    names = {world.a.municipality.name}
    for short_name, full_name in School.objects.filter(municipality=world.a.municipality).values_list(
        "short_name", "name"
    ):
        names |= {short_name, full_name}
    names |= set(Programme.objects.filter(municipality=world.a.municipality).values_list("title", flat=True))
    return names


@pytest.mark.parametrize("name", outsider_list_urls())
def test_outsider_lists_and_exports_name_nothing_of_municipality_a(world, name):
    a_names = names_of_municipality_a(world)
    if name in PUBLIC_ROWS:
        a_names -= {world.a.curator_school.short_name, world.a.curator_school.name, world.a.municipality.name}
    url = reverse(name) + next(c for c in TABLE[name] if c.args is None).query.format(s=world.b)
    # as it opens, and with A's municipality, school and agreement typed into the filters of the query string
    a_ids = (f"municipality={world.a.municipality.pk}&school={world.a.school.pk}&agreement={world.a.agreement.pk}"
             f"&curator_school={world.a.curator_school.pk}&supported_school={world.a.school.pk}")  # fmt: skip
    for asked in (url, url + ("&" if "?" in url else "?") + a_ids):
        response = ask(world, "coordinator_b", GET, asked, None)
        if asked != url and response.status_code == 404:
            continue  # the foreign id is refused outright (notifications:municipality)
        leaked = sorted(n for n in a_names if n in _text(response))
        assert not leaked, f"{asked}: {leaked}"
    if name in SHOWN_TO_THE_COORDINATOR:  # the check reads the page or the workbook: A's coordinator finds A there
        assert any(n in _text(ask(world, "coordinator", GET, url, None)) for n in a_names), url


SHOWN_TO_THE_COORDINATOR = {
    "schools:list", "schools:list_export", "partnerships:agreements", "partnerships:agreements_export",
    "partnerships:sessions_export", "partnerships:teachers_export", "monitoring:self_assessment_list",
    "monitoring:self_assessment_export", "monitoring:queue_export", "schools:passport_template",
    "monitoring:indicator_list", "monitoring:indicator_list_export", "partnerships:summary",
    "schools:acts", "schools:acts_export", "schools:organisations", "programs:measures_export",
}  # fmt: skip


# --- the department of another region: its lists and exports hold nothing of region A ------------------------------


def department_b_list_urls():
    return sorted(
        name
        for name, cases in TABLE.items()
        for case in cases
        if case.method == GET and case.args is None and case.expected_a["department_b"] == 200
    )


def names_of_region_a(world) -> set[str]:
    """What names region A's objects: the region, its municipalities, schools, programmes and organisations."""
    from programs.models import Programme
    from schools.models import Municipality, Organisation, School

    region = world.a.municipality.region
    names = {region.name} | set(Municipality.objects.filter(region=region).values_list("name", flat=True))
    for short_name, full_name in School.objects.filter(municipality__region=region).values_list("short_name", "name"):
        names |= {short_name, full_name}
    names |= set(Programme.objects.filter(municipality__region=region).values_list("title", flat=True))
    for short_name, full_name in Organisation.objects.filter(region=region).values_list("short_name", "name"):
        names |= {short_name, full_name}
    return names


# Pages whose help names the demo's objects as an example: the results template's example row, the organisation's
# form's hint on the short name.
EXAMPLES = {
    "schools:results_import_template": {"Заречный муниципальный район", "Заречная СОШ № 1"},
    "schools:organisation_create": {"ДДТ г. Заречный", "ЦНППМПР ИРО"},  # (in «ЦНППМПР ИРО ПК»)
}

# The open data's index names every region with schools — region A too — by design (docs/PUBLIC.md), nothing else of it.
OPEN_DATA = {"public:index": lambda world: {world.a.municipality.region.name}}



def test_department_b_lists_cover_the_lists_and_exports():
    names = department_b_list_urls()
    for expected in ("schools:list", "schools:list_export", "schools:acts", "partnerships:agreements_export",
                     "partnerships:practices", "monitoring:self_assessment_export", "programs:list"):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize("name", department_b_list_urls())
def test_department_b_lists_and_exports_name_nothing_of_region_a(world, name):
    """The department of another region opens the same lists as the department: as they open, and with A's ids typed
    into the filters, they name nothing of region A (not even the published practices of its bank)."""
    a_names = names_of_region_a(world) - EXAMPLES.get(name, set()) - OPEN_DATA.get(name, lambda w: set())(world)
    url = reverse(name) + next(c for c in TABLE[name] if c.args is None).query.format(s=world.b)
    a_ids = (f"municipality={world.a.municipality.pk}&school={world.a.school.pk}&agreement={world.a.agreement.pk}"
             f"&curator_school={world.a.curator_school.pk}&supported_school={world.a.school.pk}"
             f"&region={world.a.region_id}")  # fmt: skip
    for asked in (url, url + ("&" if "?" in url else "?") + a_ids):
        response = ask(world, "department_b", GET, asked, None)
        if asked != url and response.status_code == 404:
            continue  # the foreign id is refused outright
        leaked = sorted(n for n in a_names if n in _text(response))
        assert not leaked, f"{asked}: {leaked}"


# --- the readers change nothing ----------------------------------------------------------------------------------------


def test_readers_change_nothing_of_the_list(world):
    """The federal operator, the institute and a district's department read the region's list; a proposal or a
    withdrawal they POST is refused with 403 and writes nothing."""
    from schools.models import ListChange

    add = reverse("schools:selection_change_add", args=[world.a.draft_run.pk])
    data = {"school": world.a.school.pk, "kind": "curator_add", "reason": "Основание"}
    for user in ("federal", "institute", "district"):
        for side in (world.a, world.b):
            withdraw = reverse("schools:selection_change_withdraw", args=[side.proposal.pk])
            response, removed = ask_counting(world, user, POST, withdraw, None, ListChange.objects.filter(pk=side.proposal.pk))
            assert removed == 0 and response.status_code in (403, 404), (user, withdraw)
        response, added = ask_counting(world, user, POST, add, data, ListChange.objects.all())
        assert added == 0 and response.status_code == 403, user


def _text(response) -> str:
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(_cells(content)) if content[:2] == b"PK" else content.decode()


def test_outsider_dashboard_charts_and_grid_name_nothing_of_municipality_a(world):
    a_names = names_of_municipality_a(world)
    for url in (
        reverse("monitoring:dashboard_municipality", args=[world.b.municipality.pk]),
        reverse("monitoring:municipality_grid", args=[world.b.municipality.pk, world.b.year, "entry"]),
        reverse("schools:detail", args=[world.b.school.pk]),
    ):
        text = _text(ask(world, "coordinator_b", GET, url, None))
        assert world.b.municipality.name in text or world.b.school.short_name in text, url  # the page is B's own
        assert not sorted(n for n in a_names if n in text), url


# --- every stored file has its download in the table ------------------------------------------------------------------

# model with a FileField -> (URL name of its download, the side's object whose pk the URL takes)
DOWNLOADS = {
    "monitoring.SelfAssessment": ("monitoring:self_assessment_file", "self_assessment"),
    "monitoring.OpenReport": ("monitoring:open_report_file", "open_report"),
    "monitoring.ReportExport": ("monitoring:report_export_download", "report_export"),
    "partnerships.Agreement": ("partnerships:agreement_scan", "agreement"),
    "partnerships.SessionEvidence": ("partnerships:session_evidence", "evidence"),
    "partnerships.PracticeFile": ("partnerships:practice_file", "waiting_file"),
    "programs.Evidence": ("programs:evidence_download", "programme_evidence"),
    "schools.Act": ("schools:act_file", "act"),
}


def test_every_stored_file_is_downloaded_through_a_row_of_the_table_for_a_and_b(world):
    from django.apps import apps
    from django.db import models

    with_files = {
        model._meta.label
        for model in apps.get_models()
        if not model._meta.label.split(".")[1].startswith("Historical")
        and any(isinstance(f, models.FileField) for f in model._meta.concrete_fields)
    }
    assert with_files == set(DOWNLOADS)
    for name, attr in DOWNLOADS.values():
        rows = [case for case in TABLE[name] if case.b and case.args and case.args.__name__ == attr]
        assert rows, name
        for side in (world.a, world.b):
            stored = getattr(side, attr)
            field = next(f for f in stored._meta.concrete_fields if isinstance(f, models.FileField))
            response = ask(world, "department", GET, reverse(name, args=[stored.pk]), None)
            # a download, never shown inline, of the type its content is, which the browser may not second-guess
            assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment"), name
            assert response["X-Content-Type-Options"] == "nosniff", name
            with getattr(stored, field.name).open("rb") as handle:
                content = handle.read()
            assert b"".join(response.streaming_content) == content, name
            assert response["Content-Type"] == CONTENT_TYPES[content[:2]], name


CONTENT_TYPES = {b"%P": "application/pdf", b"PK": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_the_outsider_cannot_confirm_municipality_as_values_by_their_ids(world):
    from monitoring.models import IndicatorValue

    waiting = IndicatorValue.objects.filter(status=IndicatorValue.Status.SUBMITTED)
    a_ids = list(waiting.filter(school__municipality=world.a.municipality).values_list("pk", flat=True)[:5])
    b_ids = list(IndicatorValue.objects.filter(school=world.b.school).order_by("pk").values_list("pk", flat=True)[:3])
    # the B demo's values are confirmed: three wait again (undone with the test's savepoint)
    IndicatorValue.objects.filter(pk__in=b_ids).update(
        status=IndicatorValue.Status.SUBMITTED, confirmed_by=None, confirmed_at=None
    )
    assert a_ids and b_ids
    url = reverse("monitoring:queue")
    confirmed = {"status": IndicatorValue.Status.CONFIRMED}
    _response, changed = count_after(world, "coordinator_b", url, {"action": "confirm", "ids": a_ids}, IndicatorValue,
                                     pk__in=a_ids, **confirmed)  # fmt: skip
    assert changed == 0
    _response, changed = count_after(world, "coordinator_b", url, {"action": "confirm", "ids": b_ids}, IndicatorValue,
                                     pk__in=b_ids, **confirmed)  # fmt: skip
    assert changed == len(b_ids)  # the same POST with the outsider's own values confirms them


def test_a_version_of_another_programme_cannot_be_restored_into_ones_own(world):
    own, foreign = world.a.municipal, world.b.municipal
    url = reverse("programs:passport_restore", args=[own.pk, world.b.municipal_passport_version])
    assert ask(world, "coordinator", GET, url, None).status_code == 404
    assert ask(world, "coordinator", POST, url, {"version": own.version}).status_code == 404
    assert foreign.pk != own.pk


def test_a_coordinator_cannot_give_a_teacher_a_tutor_of_another_municipality(world):
    from partnerships.models import TutorAssignment

    url = reverse("partnerships:tutor_assign", args=[world.a.untutored_teacher.pk])
    response, added = count_after(world, "coordinator", url, {"tutor": world.b.tutor.pk}, TutorAssignment)
    assert response.status_code == 302 and added == 0
    response, added = count_after(world, "coordinator", url, {"tutor": world.a.tutor.pk}, TutorAssignment)
    assert response.status_code == 302 and added == 1


def test_a_coordinator_cannot_invite_schools_of_another_municipality_to_an_event(world):
    from partnerships.models import EventInvitation, MethodicalEvent

    url = reverse("partnerships:event_create")
    data = {"title": "Семинар с чужими школами", "format": MethodicalEvent.Format.SEMINAR,
            "held_on": world.today.isoformat(), "starts_at": "10:00", "municipality": world.a.municipality.pk,
            "organiser": "УО", "place": "Зал", "description": "Описание.", "schools": [world.b.school.pk]}  # fmt: skip
    response, added = count_after(world, "coordinator", url, data, EventInvitation)
    _form_error(response, "schools")
    assert added == 0
    response, added = count_after(world, "coordinator", url, data | {"schools": [world.a.school.pk]}, EventInvitation)
    assert response.status_code == 302 and added == 1


def test_a_district_department_registers_only_its_districts_organisations(world):
    """A district's department keeps the organisations of its district: neither one of the region's level (no
    municipality) nor one of another district of the region is registered."""
    url = reverse("schools:organisation_create")
    data = _new_organisation(world.a)  # of municipality A, its district
    named = _organisations_named("Новая площадка")
    response, added = ask_counting(world, "district", POST, url, data, named)
    assert answer(response) == 302 and added == 1
    for other in ({"municipality": ""}, {"municipality": world.b.municipality.pk}):
        response, added = ask_counting(world, "district", POST, url, data | other, named)
        assert response.status_code == 400 and added == 0, other
