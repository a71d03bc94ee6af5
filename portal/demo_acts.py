"""The demo's register of acts: the order approving the municipal programme (as seed 001's «приказ № 148-02»), the
department's order on the model of support that the criteria follow (as seed 003's «приказ № 8») and the
municipality's order fixing the curator school of agreement «1-ШНОР». The list's order «112-о» is registered by the
list's approval itself (`schools.act_services.act_register_for_list`). Registered through the service, with a PDF
each; idempotent."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from partnerships.access import act_targets as agreement_targets
from partnerships.models import Agreement
from programs.access import act_targets as programme_targets
from programs.demo import MUNICIPAL_TITLE, PERIOD
from programs.models import Programme
from schools import act_targets
from schools.act_services import act_create, act_link, default_issuer
from schools.demo import APPROVED_YEAR, MUNICIPALITY_A
from schools.models import Act, Criterion, Municipality

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PROGRAMME_ORDER = "148-02 (о/д)"
MODEL_ORDER = "8"
CURATORS_ORDER = "27-р"


def _issuer(municipality: Municipality) -> str:
    return f"Управление образования администрации муниципалитета «{municipality.name}»"


def _register(actor, *, number, date, link_to=None, **fields) -> int:
    if Act.objects.filter(number=number, date=date).exists():
        return 0
    act_create(
        actor=actor, fields={"number": number, "date": date, **fields},
        file=ContentFile(PDF, name=f"приказ-{number.split()[0]}.pdf"), link_to=link_to,
    )  # fmt: skip
    return 1


def _kind(key: str, targets) -> act_targets.ActTarget:
    return next(t for t in targets if t.key == key)


def seed_acts() -> int:
    users = get_user_model().objects.in_bulk(["department", "coordinator"], field_name="username")
    department, coordinator = users.get("department"), users.get("coordinator")
    municipality = Municipality.objects.filter(name=MUNICIPALITY_A).first()
    if department is None or coordinator is None or municipality is None:
        return 0
    created = 0
    programme = Programme.objects.filter(
        kind=Programme.Kind.MUNICIPAL, municipality=municipality, title=MUNICIPAL_TITLE
    ).first()
    if programme is not None:
        created += _register(
            coordinator, kind=Act.Kind.ORDER, number=PROGRAMME_ORDER, date=datetime.date(PERIOD[0] - 1, 12, 30),
            title="Об утверждении программы поддержки общеобразовательных организаций с низкими образовательными "
            "результатами", issuer=_issuer(municipality), municipality=municipality, note="",
            link_to=(_kind("programme", programme_targets()), programme),
        )  # fmt: skip
    criteria_act_exists = Act.objects.filter(number=MODEL_ORDER, date=datetime.date(APPROVED_YEAR - 1, 1, 20)).exists()
    created += _register(
        department, kind=Act.Kind.ORDER, number=MODEL_ORDER, date=datetime.date(APPROVED_YEAR - 1, 1, 20),
        title="Об организации работы с общеобразовательными организациями, имеющими низкие образовательные "
        "результаты обучающихся (модель поддержки и критерии идентификации)", issuer=default_issuer(municipality.region),
        municipality=None, note="Приложение № 1 — модель поддержки; критерии идентификации — приложение № 2.",
    )  # fmt: skip
    if not criteria_act_exists and Criterion.objects.filter(region=municipality.region, year=APPROVED_YEAR).exists():
        act = Act.objects.get(number=MODEL_ORDER, date=datetime.date(APPROVED_YEAR - 1, 1, 20))
        criteria = act_targets.target("criteria")
        act_link(act=act, actor=department, kind=criteria, obj=criteria.get_or_404(department, APPROVED_YEAR))
    agreement = Agreement.objects.filter(number="1-ШНОР").select_related("supported_school").first()
    if agreement is not None and agreement.signed_on is not None:
        created += _register(
            coordinator, kind=Act.Kind.ORDER, number=CURATORS_ORDER, date=agreement.signed_on,
            title="О закреплении школ-кураторов за школами с низкими образовательными результатами",
            issuer=_issuer(municipality), municipality=municipality, note="",
            link_to=(_kind("agreement", agreement_targets()), agreement),
        )  # fmt: skip
    return created
