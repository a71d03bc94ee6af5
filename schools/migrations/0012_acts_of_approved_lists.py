"""The orders approved lists carry on their run become acts of the register, linked to their run (nothing is moved
away from the run). The issuer is the department's name as `schools.act_services.default_issuer` gives it."""

from django.conf import settings
from django.db import migrations

TITLE = (
    "Об утверждении перечня школ с низкими образовательными результатами и школ, функционирующих в "
    "неблагоприятных социальных условиях, на {year} год"
)


def forwards(apps, schema_editor):
    IdentificationRun = apps.get_model("schools", "IdentificationRun")
    Act = apps.get_model("schools", "Act")
    ActLink = apps.get_model("schools", "ActLink")
    issuer = getattr(settings, "PORTAL_DEPARTMENT_NAME", "") or "Управление образования"
    runs = IdentificationRun.objects.filter(approved_at__isnull=False, order_date__isnull=False).exclude(order_number="")
    for run in runs.order_by("approved_at", "pk"):
        act = Act.objects.filter(
            kind="order", number__iexact=run.order_number, date=run.order_date, issuer__iexact=issuer
        ).first()
        if act is None:
            act = Act.objects.create(
                kind="order", number=run.order_number, date=run.order_date, issuer=issuer,
                title=TITLE.format(year=run.year), created_by_id=run.approved_by_id,
            )
        ActLink.objects.get_or_create(
            act=act, target="list", object_id=run.pk, defaults={"created_by_id": run.approved_by_id}
        )


class Migration(migrations.Migration):
    dependencies = [("schools", "0011_acts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
