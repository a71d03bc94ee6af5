"""The default review routes (no territory) — today's behaviour as data — and every existing review linked to its
step: a municipal review to the school route's first step, a mutual one to its second, a regional one to the
school route's third step or the municipal route's only step. Municipal and regional reviews decide.

A database without reviews gets no rows here: `programs.review_flow.default_route` makes the default routes when
they are first read, so that `migrate` of an empty database leaves it empty (scripts/restore.sh restores into it)."""

from django.db import migrations

SCHOOL_STEPS = [
    dict(position=1, name="Муниципальная экспертиза", kind="municipal", reviewer="coordinator", deciding=True,
         required=True, with_previous=False),
    dict(position=2, name="Взаимоэкспертиза", kind="mutual", reviewer="school", deciding=False, required=False,
         with_previous=True, school_scope="municipality"),
    dict(position=3, name="Региональная экспертиза", kind="regional", reviewer="department", deciding=True,
         required=False, with_previous=True),
]  # fmt: skip
MUNICIPAL_STEPS = [
    dict(position=1, name="Региональная экспертиза", kind="regional", reviewer="department", deciding=True,
         required=True, with_previous=False),
]  # fmt: skip


def forwards(apps, schema_editor):
    ReviewRoute = apps.get_model("programs", "ReviewRoute")
    ReviewStep = apps.get_model("programs", "ReviewStep")
    Review = apps.get_model("programs", "Review")
    if not Review.objects.exists():
        return
    steps = {}
    for owner, rows in (("school", SCHOOL_STEPS), ("municipal", MUNICIPAL_STEPS)):
        route, _ = ReviewRoute.objects.get_or_create(region=None, owner=owner)
        for row in rows:
            step, _ = ReviewStep.objects.get_or_create(route=route, position=row["position"], defaults=row)
            steps[(owner, row["kind"])] = step
    Review.objects.filter(kind__in=["municipal", "regional"]).update(deciding=True)
    Review.objects.filter(kind="municipal").update(step=steps[("school", "municipal")])
    Review.objects.filter(kind="mutual").update(step=steps[("school", "mutual")])
    Review.objects.filter(kind="regional", programme__school__isnull=False).update(step=steps[("school", "regional")])
    Review.objects.filter(kind="regional", programme__school__isnull=True).update(step=steps[("municipal", "regional")])


def backwards(apps, schema_editor):
    apps.get_model("programs", "Review").objects.update(step=None)
    apps.get_model("programs", "ReviewRoute").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_review_routes")]

    operations = [migrations.RunPython(forwards, backwards)]
