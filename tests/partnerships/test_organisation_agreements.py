"""An organisation of the registry as the curator party of an agreement (issue 18, item 8; seed 000's «организации
дополнительного образования детей»): exactly one curator party, the same overlap rule, its curator logs sessions and
reaches the supported school while the agreement is in force, and every count and page takes it in."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.demo import ORGANISATION_AGREEMENT
from partnerships.forms import AgreementForm
from partnerships.models import Agreement, SupportSession
from partnerships.selectors import municipal_summary
from partnerships.services import agreements as agreement_services
from schools.access import reach_of
from schools.demo import ORGANISATION_CURATOR
from schools.models import Organisation, School
from schools.school_year import school_year_of

from .helpers import days, fresh

pytestmark = pytest.mark.django_db

ONE_CURATOR = "Куратором по договору выступает либо школа, либо организация из реестра: укажите одну из них."


@pytest.fixture
def org(world):
    world.organisation = Organisation.objects.get(short_name=ORGANISATION_CURATOR)
    world.org_agreement = Agreement.objects.get(number=ORGANISATION_AGREEMENT)
    world.org_school = world.org_agreement.supported_school
    world.curator_org = world.users["curator_org"]
    return world


def _agreement(**fields) -> Agreement:
    return Agreement(
        starts_on=days(-10), ends_on=days(200), subject="Сотрудничество", status=Agreement.Status.ACTIVE, **fields
    )


def test_the_database_holds_exactly_one_curator_party(org):
    for parties in (
        {"curator_school": org.curator_school, "curator_organisation": org.organisation},
        {},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            _agreement(supported_school=org.supported_school, **parties).save()
        with pytest.raises(ValidationError) as refused:
            _agreement(supported_school=org.supported_school, **parties).full_clean()
        assert ONE_CURATOR in refused.value.message_dict["curator_school"]


def test_the_form_asks_for_one_curator_in_russian(org):
    coordinator = fresh(org.users["coordinator"])
    base = {"supported_school": org.supported_school.pk, "starts_on": days(1), "ends_on": days(300),
            "subject": "Сотрудничество", "form_consulting": "on"}  # fmt: skip
    for parties in ({"curator_school": org.curator_school.pk, "curator_organisation": org.organisation.pk}, {}):
        form = AgreementForm(base | parties, user=coordinator)
        assert not form.is_valid()
        assert form.errors["curator_school"] == [ONE_CURATOR]
    # the coordinator of another municipality is not offered municipality A's organisation
    outsider = AgreementForm(
        base | {"curator_organisation": org.organisation.pk}, user=fresh(org.users["coordinator_b"])
    )
    assert not outsider.is_valid() and "curator_organisation" in outsider.errors


def test_the_coordinator_makes_an_organisation_the_curator_and_the_overlap_rule_holds_for_its_pairs(client, org):
    client.force_login(org.users["coordinator"])
    school = (
        School.objects.filter(municipality=org.supported_school.municipality)
        .exclude(pk__in=Agreement.objects.values("supported_school"))
        .exclude(pk=org.curator_school.pk)
        .order_by("short_name")
        .first()
    )
    data = {"curator_organisation": org.organisation.pk, "supported_school": school.pk, "starts_on": days(1),
            "ends_on": days(300), "subject": "Дополнительные образовательные ресурсы", "form_resource": "on"}  # fmt: skip
    response = client.post(reverse("partnerships:agreement_create"), data)
    assert response.status_code == 302
    created = Agreement.objects.get(curator_organisation=org.organisation, supported_school=school)
    assert created.curator_school is None and created.curator == org.organisation
    page = client.get(reverse("partnerships:agreement", args=[created.pk])).content.decode()
    assert ORGANISATION_CURATOR in page and "организация-куратор" in page

    # the same pair for an overlapping term is refused; another party for the same school is not
    again = client.post(reverse("partnerships:agreement_create"), data | {"starts_on": days(100)})
    assert again.status_code == 200
    assert "У этих сторон уже есть договор на пересекающийся срок" in again.content.decode()
    assert Agreement.objects.filter(supported_school=school).count() == 1
    other = client.post(
        reverse("partnerships:agreement_create"),
        data | {"curator_organisation": "", "curator_school": org.curator_school.pk},
    )
    assert other.status_code == 302 and Agreement.objects.filter(supported_school=school).count() == 2


def test_the_organisations_curator_logs_sessions_and_reaches_the_school_only_while_in_force(client, org):
    client.force_login(org.curator_org)
    school_page = reverse("schools:detail", args=[org.org_school.pk])
    assert client.get(school_page).status_code == 200
    # a school the organisation holds no agreement with stays out of reach
    assert client.get(reverse("schools:detail", args=[org.supported_school.pk])).status_code == 404
    agreements = client.get(reverse("partnerships:agreements")).context["page"].object_list
    assert [a.number for a in agreements] == [ORGANISATION_AGREEMENT]

    response = client.post(
        reverse("partnerships:session_create", args=[org.org_agreement.pk]),
        {"held_on": days(-1), "format": "master_class", "topic": "Мастер-класс по робототехнике",
         "teachers_count": 4, "managers_count": 1, "hours": "2", "outcome": "Педагоги освоили наборы."},
    )  # fmt: skip
    assert response.status_code == 302
    session = SupportSession.objects.get(topic="Мастер-класс по робототехнике")
    assert session.agreement == org.org_agreement and session.logged_by == org.curator_org
    assert session.status == SupportSession.Status.PENDING

    # the school curator cannot log under the organisation's agreement (it does not even see it)
    client.force_login(org.users["curator"])
    assert client.get(reverse("partnerships:session_create", args=[org.org_agreement.pk])).status_code == 404

    agreement_services.agreement_finish(agreement=org.org_agreement, actor=fresh(org.users["coordinator"]))
    client.force_login(fresh(org.curator_org))
    assert client.get(school_page).status_code == 404
    assert client.get(reverse("partnerships:session_create", args=[org.org_agreement.pk])).status_code == 404
    assert not reach_of(fresh(org.curator_org)).school_ids


def test_an_organisations_curator_pays_one_query_for_its_reach_as_a_school_curator_does(org):
    counts = {}
    for username in ("curator", "curator_org"):
        user = fresh(org.users[username])
        with CaptureQueriesContext(connection) as context:
            reach = reach_of(user)
            reach_of(user)  # read once per request
        counts[username] = len(context)
        assert reach.curated_school_ids
    assert counts["curator_org"] == counts["curator"] == 2


def test_counts_take_in_the_organisations_agreements_and_sessions(org):
    coordinator = fresh(org.users["coordinator"])
    year_of_signing = school_year_of(org.org_agreement.signed_on)
    [before] = municipal_summary(user=coordinator, year=year_of_signing)
    assert before["in_force"] == 3 and before["signed"] == 3  # 1-ШНОР, 2-ШНОР (a school) and 3-ДО (the ДДТ)
    assert org.org_school not in before["without_curator"]
    confirmed = org.org_agreement.sessions.filter(status=SupportSession.Status.CONFIRMED).count()
    assert confirmed == 1

    agreement_services.agreement_terminate(agreement=org.org_agreement, actor=coordinator, reason="Ошибка в договоре")
    [after] = municipal_summary(user=fresh(org.users["coordinator"]), year=year_of_signing)
    assert after["in_force"] == before["in_force"] - 1
    assert after["sessions_confirmed"] == before["sessions_confirmed"]  # held sessions stay counted


def test_lists_export_and_print_name_the_organisation_as_the_curator(client, org):
    client.force_login(org.users["coordinator"])
    listed = client.get(reverse("partnerships:agreements"), {"q": "ДДТ"})
    assert [a.number for a in listed.context["page"].object_list] == [ORGANISATION_AGREEMENT]
    assert ORGANISATION_CURATOR in listed.content.decode()

    export = client.get(reverse("partnerships:agreements_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)
                                              if export.streaming else export.content)).active  # fmt: skip
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows[ORGANISATION_AGREEMENT][2] == ORGANISATION_CURATOR

    sessions = client.get(reverse("partnerships:sessions"), {"q": "ДДТ"})
    assert sessions.context["page"].paginator.count == org.org_agreement.sessions.count() == 2

    printed = client.get(
        reverse("partnerships:agreement_print", args=[org.org_agreement.pk]), {"school": "Петров Пётр Петрович"}
    ).content.decode()
    assert org.organisation.name in printed and "«Организация-куратор»" in printed
    assert "в лице директора Лебедевой М. И., действующей" in printed  # the organisation's head_position and head_name
    assert "Школа-куратор" not in printed


def test_the_agreement_list_keeps_its_query_count_with_organisation_agreements(client, org, settings):
    settings.PAGE_SIZE = 10
    client.force_login(org.users["department"])

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("partnerships:agreements"))
        assert response.status_code == 200
        return len(context)

    small = queries()
    schools = list(School.objects.exclude(pk__in=[org.org_school.pk, org.curator_school.pk]).order_by("pk")[:24])
    organisations = [
        Organisation.objects.create(
            region=org.organisation.region, short_name=f"Площадка {i}", name=f"Площадка {i}", kind="innovation_platform"
        )  # fmt: skip
        for i in range(3)
    ]
    # rows of both kinds of curator party on every page
    Agreement.objects.bulk_create(
        Agreement(curator_organisation=organisations[i % 3] if i % 2 else None,
                  curator_school=None if i % 2 else org.curator_school, supported_school=school,
                  starts_on=days(-5 - i), ends_on=days(100), subject="С", status="active", signed_on=days(-6 - i))
        for i, school in enumerate(schools)
    )  # fmt: skip
    assert queries() == small
    page = client.get(reverse("partnerships:agreements")).content.decode()
    assert "Площадка 1" in page and org.curator_school.short_name in page


def test_the_yearly_reports_sheet_counts_an_organisations_agreement_and_its_sessions(org):
    from monitoring.yearly_report import report_write

    department = fresh(org.users["department"])
    municipality = org.org_school.municipality
    year = school_year_of(days(0))  # the new agreement is signed, begins and holds its session today

    def sheet_row() -> tuple:
        buffer = io.BytesIO()
        report_write(buffer, user=fresh(department), year=year)
        sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Договоры и сопровождение"]
        return next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == municipality.name)

    before = sheet_row()
    school = School.objects.filter(municipality=municipality).exclude(
        pk__in=Agreement.objects.values("supported_school")
    ).exclude(pk=org.curator_school.pk).order_by("short_name").first()  # fmt: skip
    agreement = Agreement.objects.create(
        curator_organisation=Organisation.objects.get(short_name="ЦНППМПР ИРО"), supported_school=school,
        number="4-ИРО", signed_on=days(0), starts_on=days(0), ends_on=days(300), subject="Методическое сопровождение",
        status=Agreement.Status.ACTIVE,
    )  # fmt: skip
    SupportSession.objects.create(
        agreement=agreement, held_on=days(0), format="seminar", topic="Семинар института", teachers_count=5, hours=3,
        status=SupportSession.Status.CONFIRMED,
    )  # fmt: skip
    after = sheet_row()
    # signed in the year, in force, confirmed sessions held, hours: each one more than before
    assert (after[1], after[2], after[3]) == (before[1] + 1, before[2] + 1, before[3] + 1)
    assert after[-1] == before[-1] + 3
