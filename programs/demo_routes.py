"""The demo's review route: the demo region follows the default route plus seed 004's regional review of the
evidence documents, carried out by the experts of the institute of education development (ЦНППМПР); the demo login
`expert` (password as every demo user's) is its expert and finds the evidence of the accepted programme waiting.

Seed 004's whole route (`SEED_004_STEPS`) is data a department enters on «Маршруты экспертизы»; docs/MODELS.md
quotes the seed line by line, and tests/programs/test_review_routes.py runs it on a territory of its own.

Idempotent: the route, its extra step and the expert's review are found by their
natural keys and made only when missing.
"""

from schools.demo import INSTITUTE
from schools.models import Organisation

from .models import Programme, Review
from .review_routes import ReviewRoute, ReviewStep

EVIDENCE_STEP = "Региональная экспертиза подтверждающих документов"

# Seed 004, «План-график», lines 11, 13 and 17, as a department sets them (school programmes of the project).
SEED_004_STEPS = [
    dict(name="Муниципальная экспертиза документов участников Проекта", kind="municipal", subject="plan",
         reviewer="coordinator", deciding=True, required=True, due_month=6),
    dict(name="Взаимоэкспертиза документов Проекта", kind="mutual", subject="plan", reviewer="school",
         school_scope="other", deciding=False, required=False, due_month=9),
    dict(name="Региональная экспертиза подтверждающих документов (мониторинг 2 этапа)", kind="regional",
         subject="evidence", reviewer="organisation", deciding=False, required=False, due_month=11),
]  # fmt: skip


def seed_review_route(region, department) -> ReviewRoute | None:
    """The demo region's route: the default steps and the evidence step of the institute (its expert, the demo login
    `expert`, comes with the registry: `schools.demo.DEMO_USERS`)."""
    from .route_services import route_create, step_save

    route = ReviewRoute.objects.filter(region=region, owner="school").first()
    if route is None:
        route = route_create(
            actor=department, region=region, owner="school",
            basis="Маршрут по умолчанию и региональная экспертиза подтверждающих документов (seed 004, п. 17)",
        )  # fmt: skip
    if not route.steps.filter(name=EVIDENCE_STEP).exists():
        step_save(
            actor=department, route=route,
            data=dict(name=EVIDENCE_STEP, kind="regional", subject="evidence", reviewer="organisation",
                      deciding=False, required=False, due_month=11),
        )  # fmt: skip
    return route


def seed_expert_review(programme: Programme, department) -> Review | None:
    """The institute reviews the evidence of the accepted programme (once)."""
    from .review_flow import review_open_step

    step = ReviewStep.objects.filter(route__region=programme.municipality.region, name=EVIDENCE_STEP).first()
    institute = Organisation.objects.filter(region=programme.municipality.region, short_name=INSTITUTE).first()
    if step is None or institute is None or programme.state != Programme.State.ACCEPTED:
        return None
    if programme.reviews.filter(step=step).exists():
        return None
    return review_open_step(programme=programme, step=step, actor=department, organisation=institute)
