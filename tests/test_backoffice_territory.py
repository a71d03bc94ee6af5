"""The back office in a territory (issue 20, item 5): a department of region A finds no row of region B in any
changelist, change form, choice list, autocomplete or export of the back office, and imports no row of B.

Which rows are region B's is computed here from each model's declared paths (`schools.admin_territory.TERRITORY`),
by region — not by the module's own filter, which works by the department's ids."""

import io

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms import ModelChoiceField
from django.test import Client
from django.urls import reverse

from schools.admin_territory import _anchor, territory_of
from schools.models import Municipality, Organisation, Region, RoleAssignment, School

pytestmark = pytest.mark.django_db

SERVER_ADMIN_APPS = {"axes", "django_tasks_database", "otp_totp", "otp_static"}  # a superuser's records, not in the department's group
REGION_A = "Северо-Озёрская область"
REGION_B = "Пермский край"


def _users_of(region) -> set[int]:
    return set(
        RoleAssignment.objects.filter(
            Q(region=region) | Q(municipality__region=region) | Q(school__municipality__region=region)
            | Q(organisation__region=region)
        ).values_list("user_id", flat=True)
    )  # fmt: skip


def rows_of(model, region, other) -> Q:
    """The rows of `model` in `region` (and, for people, in no role of `other`)."""
    paths, _ = territory_of(model)
    q = Q(pk__in=[])
    for path in paths:
        anchor = _anchor(model, path)

        def at(rest, path=path):
            return f"{path}__{rest}" if path else rest

        if anchor is Region:
            q |= Q(**{path or "id": region.pk})
        elif anchor is Municipality:
            q |= Q(**{at("region"): region})
        elif anchor is School:
            q |= Q(**{at("municipality__region"): region})
        elif anchor is Organisation:
            q |= Q(**{at("region"): region})
        else:
            assert anchor is get_user_model(), (model, path)
            q |= Q(**{at("id__in"): _users_of(region) - _users_of(other)})
    return q


def _territorial_models():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in SERVER_ADMIN_APPS:
            continue
        declared = territory_of(model)
        assert declared is not None, f"{model._meta.label}: не сказано, как его строки относятся к территории"
        yield model, model_admin, bool(declared[0])


@pytest.fixture
def regions(full_demo):
    return Region.objects.get(name=REGION_A), Region.objects.get(name=REGION_B)


@pytest.fixture
def clients(full_demo):
    found = {}
    for name in ("department", "department_b"):
        client = Client()
        client.force_login(full_demo[name])
        found[name] = client
    return found


@pytest.fixture
def lists_of_their_own(regions, clients):
    """Both regions have started their own reference lists beside the installation's defaults: the tables then hold
    rows of the region, of the other region and of nobody, and the sweeps below meet all three at once."""
    a, b = regions
    for model, rows in _reference_lists():
        for client, region in ((clients["department"], a), (clients["department_b"], b)):
            assert _start(client, model, region).status_code == 302
        assert rows.filter(region=a).exists() and rows.filter(region=b).exists() and rows.filter(region=None).exists()
    return regions


def _pairs(regions, clients):
    a, b = regions
    return [(clients["department"], b, a), (clients["department_b"], a, b)]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_says_its_territory_and_keeps_it(full_demo):
    from schools.admin_territory import TerritoryAdmin

    for model, model_admin, _ in _territorial_models():
        assert isinstance(model_admin, TerritoryAdmin), model._meta.label


def test_no_changelist_holds_another_regions_row(lists_of_their_own, clients):
    """Every changelist of both departments: not one row of the other region; and the demo has rows of both regions
    in most tables, so that the check bites."""
    regions = lists_of_their_own
    with_rows_elsewhere = set()
    for client, other, own in _pairs(regions, clients):
        for model, _model_admin, territorial in _territorial_models():
            response = client.get(_url(model, "changelist"))
            assert response.status_code == 200, model._meta.label
            if not territorial:
                continue
            theirs = rows_of(model, other, own)
            if model._default_manager.filter(theirs).exists():
                with_rows_elsewhere.add(model._meta.label)
            leaked = response.context["cl"].queryset.filter(theirs)
            assert not leaked.exists(), f"{model._meta.label}: {list(leaked[:3])}"
    assert len(with_rows_elsewhere) >= 20, sorted(with_rows_elsewhere)
    assert {"schools.School", "schools.Criterion", "monitoring.MonitoringStage"} <= with_rows_elsewhere


def test_own_rows_are_listed(regions, clients):
    a, _b = regions
    response = clients["department"].get(_url(School, "changelist"))
    listed = response.context["cl"].queryset
    assert listed.exists() and listed.count() == School.objects.filter(municipality__region=a).count()


def test_a_change_form_of_another_regions_row_does_not_exist(lists_of_their_own, clients):
    regions = lists_of_their_own
    for client, other, own in _pairs(regions, clients):
        for model, _model_admin, territorial in _territorial_models():
            if not territorial:
                continue
            row = model._default_manager.filter(rows_of(model, other, own)).first()
            if row is None:
                continue
            response = client.get(_url(model, "change", row.pk), follow=True)
            assert response.redirect_chain, model._meta.label
            assert "не существует" in response.content.decode(), model._meta.label


def _form_fields(response):
    forms = [response.context["adminform"].form]
    forms += [inline.formset.empty_form for inline in response.context["inline_admin_formsets"]]
    for form in forms:
        for name, field in form.fields.items():
            yield form, name, field


def test_no_add_form_offers_another_regions_row(lists_of_their_own, clients):
    regions = lists_of_their_own
    checked = 0
    for client, other, own in _pairs(regions, clients):
        for model, _model_admin, _territorial in _territorial_models():
            response = client.get(_url(model, "add"))
            if response.status_code == 403:
                continue
            assert response.status_code == 200, model._meta.label
            for _form, name, field in _form_fields(response):
                if not isinstance(field, ModelChoiceField):
                    continue
                related = field.queryset.model
                if related is _form._meta.model:
                    continue  # a formset's hidden key of its own rows (looked up in the inline's queryset)
                if not (territory_of(related) or ((),))[0]:
                    continue
                checked += 1
                leaked = field.queryset.filter(rows_of(related, other, own))
                assert not leaked.exists(), f"{model._meta.label}.{name}: {list(leaked[:3])}"
    assert checked > 30


def test_role_assignment_stays_in_the_territory(regions, clients, full_demo):
    a, b = regions
    client = clients["department"]
    response = client.get(_url(RoleAssignment, "add"))
    form = response.context["adminform"].form
    assert RoleAssignment.Role.FEDERAL not in dict(form.fields["role"].choices)
    assert list(form.fields["region"].queryset) == [a]
    user = get_user_model().objects.create_user("newcomer")
    for data in (
        {"user": user.pk, "role": "department", "region": b.pk},
        {"user": user.pk, "role": "federal"},
        {"user": user.pk, "role": "coordinator", "municipality": Municipality.objects.filter(region=b).first().pk},
    ):
        response = client.post(_url(RoleAssignment, "add"), data)
        assert response.status_code == 200 and response.context["adminform"].form.errors, data
    assert not RoleAssignment.objects.filter(user=user).exists()
    # Within its territory the department gives roles.
    municipality = Municipality.objects.filter(region=a).first()
    response = client.post(_url(RoleAssignment, "add"), {"user": user.pk, "role": "coordinator",
                                                         "municipality": municipality.pk})  # fmt: skip
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=user, municipality=municipality).exists()
    # The rights of the back office are not a department's to give by hand.
    response = client.get(_url(get_user_model(), "change", full_demo["department"].pk))
    assert "is_superuser" not in response.context["adminform"].form.fields


def test_autocomplete_offers_no_row_of_another_region(lists_of_their_own, clients):
    regions = lists_of_their_own
    asked = 0
    for client, other, own in _pairs(regions, clients):
        for model, model_admin, _territorial in _territorial_models():
            for field_name in model_admin.autocomplete_fields:
                remote = model._meta.get_field(field_name).related_model
                theirs = set(remote._default_manager.filter(rows_of(remote, other, own)).values_list("pk", flat=True))
                page = 1
                while True:
                    response = client.get(reverse("admin:autocomplete"), {
                        "app_label": model._meta.app_label, "model_name": model._meta.model_name,
                        "field_name": field_name, "page": page,
                    })  # fmt: skip
                    assert response.status_code == 200, (model._meta.label, field_name)
                    answer = response.json()
                    got = {int(result["id"]) for result in answer["results"]}
                    assert not got & theirs, (model._meta.label, field_name)
                    asked += 1
                    if not answer["pagination"]["more"]:
                        break
                    page += 1
    assert asked > 20


def _exported(client, model) -> set[str]:
    url = _url(model, "export")
    form = client.get(url).context["form"]
    data = {"format": next(value for value, label in form.fields["format"].choices if "xlsx" in str(label).lower())}
    for name, field in form.fields.items():
        if name == "resource":
            data[name] = 0
        elif field.initial is True or name.endswith(tuple(f"_{f}" for f in ("municipality", "short_name", "school"))):
            data[name] = "on"
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return {str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c}


def test_an_export_holds_no_row_of_another_region(regions, clients):
    from schools.models import SchoolYearProfile

    for client, other, own in _pairs(regions, clients):
        their_municipalities = set(Municipality.objects.filter(region=other).values_list("name", flat=True))
        own_municipalities = set(Municipality.objects.filter(region=own).values_list("name", flat=True))
        for model in (School, SchoolYearProfile):
            cells = _exported(client, model)
            assert not cells & their_municipalities, model._meta.label
            if model is School:
                assert cells & own_municipalities


def test_an_import_refuses_another_regions_school(regions, full_demo):
    """The resources, as the admin makes them for a department (`get_import_resource_kwargs`): a row of another
    region's municipality is refused, naming its row and column."""
    from django.test import RequestFactory

    from schools.models import SchoolYearProfile
    from schools.resources import SchoolResource, SchoolYearProfileResource

    a, b = regions
    profile = SchoolYearProfile.objects.filter(school__municipality__region=a).first()
    profile.pk, profile.school = None, School.objects.filter(municipality__region=b).first()
    profile.save()
    request = RequestFactory().get("/")
    request.user = full_demo["department"]
    for model, resource_class, school_path in (
        (School, SchoolResource, "municipality__region"),
        (SchoolYearProfile, SchoolYearProfileResource, "school__municipality__region"),
    ):
        kwargs = admin.site._registry[model].get_import_resource_kwargs(request)
        assert kwargs["municipality_ids"] == frozenset(
            Municipality.objects.filter(region=a).values_list("pk", flat=True)
        )
        dataset = resource_class().export(queryset=model.objects.filter(**{school_path: b})[:1])
        assert len(dataset) == 1, model
        result = resource_class(**kwargs).import_data(dataset, dry_run=True)
        assert result.has_validation_errors(), model
        messages = " ".join(str(e) for row in result.invalid_rows for e in row.error.messages)
        header = resource_class().fields["municipality"].column_name
        assert "вне вашей территории" in messages and header in messages, messages
        # The same file for the department of B goes through.
        request.user = full_demo["department_b"]
        kwargs_b = admin.site._registry[model].get_import_resource_kwargs(request)
        assert not resource_class(**kwargs_b).import_data(dataset, dry_run=True).has_validation_errors(), model
        request.user = full_demo["department"]


def test_the_installations_defaults_are_read_only(regions, clients):
    from monitoring.models import MonitoringStage

    stage = MonitoringStage.objects.filter(region__isnull=True).first()
    assert stage is not None
    client = clients["department"]
    response = client.get(_url(MonitoringStage, "change", stage.pk))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert client.post(_url(MonitoringStage, "change", stage.pk), {"name": "x"}).status_code == 403
    assert client.post(_url(MonitoringStage, "delete", stage.pk), {"post": "yes"}).status_code == 403
    own = MonitoringStage.objects.filter(region=regions[0]).first()
    assert own is not None
    assert clients["department"].get(_url(MonitoringStage, "change", own.pk)).context["has_change_permission"]


def test_the_defaults_are_not_changed_from_a_list(regions, clients, full_demo):
    """Neither the list's editing in place nor a bulk delete reaches a row the department may only read."""
    from monitoring.models import MonitoringStage
    from programs.models import ReviewCriterion

    client = clients["department"]
    assert ReviewCriterion.objects.filter(step__isnull=True).exists()
    assert client.get(_url(ReviewCriterion, "changelist")).context["cl"].list_editable == ()
    default = MonitoringStage.objects.filter(region__isnull=True).first()
    client.post(
        _url(MonitoringStage, "changelist"),
        {"action": "delete_selected", "_selected_action": [default.pk], "post": "yes"},
    )
    assert MonitoringStage.objects.filter(pk=default.pk).exists()
    # The user's roles inline offers no federal role either.
    response = client.get(_url(get_user_model(), "change", full_demo["coordinator"].pk))
    inline = response.context["inline_admin_formsets"][0].formset.empty_form
    assert RoleAssignment.Role.FEDERAL not in dict(inline.fields["role"].choices)


# --- a region's reference lists (issue 20: risk factors, the common checklist, subjects, deficit areas) -------------


def _reference_lists():
    from partnerships.models import DeficitArea, Subject
    from programs.models import ReviewCriterion, RiskFactor

    return [
        (RiskFactor, RiskFactor.objects.all()),
        (ReviewCriterion, ReviewCriterion.objects.filter(step__isnull=True)),
        (Subject, Subject.objects.all()),
        (DeficitArea, DeficitArea.objects.all()),
    ]


def _start(client, model, region):
    return client.post(_url(model, "start_region_list"), {"region": region.pk})


def test_a_department_starts_its_regions_lists_from_the_defaults(regions, clients):
    """«Начать со списка по умолчанию»: the defaults are copied into the department's region, once; the defaults
    stay as they were, read-only; the copies are the department's to edit."""
    a, b = regions
    client = clients["department_b"]
    for model, rows in _reference_lists():
        defaults = list(rows.filter(region__isnull=True).values_list("name", flat=True).order_by("pk"))
        assert defaults, model._meta.label
        page = client.get(_url(model, "changelist"))
        assert [r.pk for r in page.context["region_list_starts"]] == [b.pk], model._meta.label
        assert "Начать со списка по умолчанию" in page.content.decode()
        assert _start(client, model, a).status_code == 403, model._meta.label  # not its region
        assert not rows.filter(region=a).exists()
        assert _start(client, model, b).status_code == 302
        assert list(rows.filter(region=b).values_list("name", flat=True).order_by("pk")) == defaults
        assert _start(client, model, b).status_code == 302  # twice: nothing more
        assert rows.filter(region=b).count() == len(defaults)
        assert rows.filter(region__isnull=True).count() == len(defaults)
        assert client.get(_url(model, "changelist")).context["region_list_starts"] == []
        own = rows.filter(region=b).first()
        default = rows.filter(region__isnull=True).first()
        assert client.get(_url(model, "change", own.pk)).context["has_change_permission"], model._meta.label
        form = client.get(_url(model, "change", default.pk))
        assert not form.context["has_change_permission"], model._meta.label
        assert client.post(_url(model, "change", default.pk), {"name": "x"}).status_code == 403
        # The department of A neither sees nor starts B's list.
        other = clients["department"]
        assert not other.get(_url(model, "changelist")).context["cl"].queryset.filter(region=b).exists()
        response = other.get(_url(model, "change", own.pk), follow=True)
        assert "не существует" in response.content.decode(), model._meta.label
        assert _start(other, model, b).status_code == 403


def test_a_regions_row_is_edited_by_its_department_only(regions, clients):
    from programs.models import RiskFactor

    a, b = regions
    assert _start(clients["department_b"], RiskFactor, b).status_code == 302
    own = RiskFactor.objects.filter(region=b).first()
    data = {"region": b.pk, "code": own.code, "name": "Свой фактор края", "description": "", "position": 1,
            "is_active": "on"}  # fmt: skip
    assert clients["department_b"].post(_url(RiskFactor, "change", own.pk), data).status_code == 302
    own.refresh_from_db()
    assert own.name == "Свой фактор края"
    # The department of the other region changes nothing of it.
    response = clients["department"].post(_url(RiskFactor, "change", own.pk), {**data, "name": "Чужой"})
    own.refresh_from_db()
    assert own.name == "Свой фактор края" and response.status_code in (302, 403, 404)
    # The same code in another region is allowed; twice in one region is not.
    RiskFactor.objects.create(region=a, code=own.code, name="Тот же код в другой области")
    add = clients["department_b"].post(_url(RiskFactor, "add"), {**data, "name": "Дубль"})
    assert add.status_code == 200 and add.context["adminform"].form.errors
