"""What the surveys show: each school's satisfaction index of a campaign and each question's, never below the
campaign's threshold of answers («недостаточно ответов»).

The index is the mean worth of every scored answer of the school (a 1–5 scale as 0–100, yes 100, no 0), all
audiences pooled; a question's index is the mean of its answers. A school's figures appear only with at least
`Campaign.min_answers` responses, and a question's only with at least that many answers to it — so no page shows a
figure that a handful of people, or one, could be read from.
"""

from dataclasses import dataclass, field

from django.db.models import Avg, Count

from .models import Answer, Audience, Campaign, Question, Response, SchoolLink

NOT_ENOUGH = "недостаточно ответов"


@dataclass
class SchoolIndex:
    school_id: int
    link_id: int
    responses: int
    enough: bool
    index: float | None


def _rounded(value):
    return None if value is None else round(value, 1)


def school_indexes(campaign: Campaign, links=None) -> list[SchoolIndex]:
    """The index of every school of the campaign (or of `links`, a queryset of its links), in two grouped queries."""
    links = links if links is not None else campaign.links.all()
    counts = dict(
        Response.objects.filter(link__in=links.values("pk")).order_by().values_list("link_id").annotate(n=Count("pk"))
    )
    means = dict(
        Answer.objects.filter(response__link__in=links.values("pk"), score__isnull=False)
        .order_by().values_list("response__link_id").annotate(mean=Avg("score"))
    )  # fmt: skip
    rows = []
    for link_id, school_id in links.order_by().values_list("pk", "school_id"):
        responses = counts.get(link_id, 0)
        enough = responses >= campaign.min_answers
        rows.append(SchoolIndex(school_id, link_id, responses, enough, _rounded(means.get(link_id)) if enough else None))
    return rows


def index_of(link: SchoolLink) -> SchoolIndex:
    return school_indexes(link.campaign, SchoolLink.objects.filter(pk=link.pk))[0]


@dataclass
class QuestionRow:
    question: Question
    answers: int
    index: float | None
    yes_share: float | None = None


@dataclass
class SchoolReport:
    responses: int
    enough: bool
    index: float | None
    by_audience: dict[str, int] = field(default_factory=dict)
    questions: dict[str, list[QuestionRow]] = field(default_factory=dict)  # audience label → rows
    texts: dict[str, list[str]] = field(default_factory=dict)


def school_report(link: SchoolLink, *, texts_limit: int = 50) -> SchoolReport:
    """One school's figures, by audience and question; free answers only once the school has enough answers."""
    campaign = link.campaign
    total = index_of(link)
    report = SchoolReport(responses=total.responses, enough=total.enough, index=total.index)
    report.by_audience = dict(
        link.responses.order_by().values_list("audience").annotate(n=Count("pk"))
    )
    if not total.enough:
        return report
    stats = {
        question_id: (n, mean)
        for question_id, n, mean in Answer.objects.filter(response__link=link, score__isnull=False)
        .order_by().values_list("question_id").annotate(n=Count("pk"), mean=Avg("score"))
    }  # fmt: skip
    questions = Question.objects.filter(
        questionnaire__region=campaign.region, questionnaire__audience__in=campaign.audiences
    ).select_related("questionnaire")
    labels = dict(Audience.choices)
    for question in questions:
        label = labels[question.questionnaire.audience]
        if question.is_scored:
            n, mean = stats.get(question.pk, (0, None))
            row = QuestionRow(question, n, _rounded(mean) if n >= campaign.min_answers else None)
            if question.kind == Question.Kind.YES_NO and row.index is not None:
                row.yes_share = row.index
            report.questions.setdefault(label, []).append(row)
    for audience, text in (
        Answer.objects.filter(response__link=link).exclude(text="")
        .order_by("-response__submitted_at").values_list("response__audience", "text")[:texts_limit]
    ):  # fmt: skip
        report.texts.setdefault(labels[audience], []).append(text)
    return report


def campaign_summary(rows: list[SchoolIndex]) -> dict:
    enough = [row for row in rows if row.enough]
    return {
        "schools": len(rows),
        "responses": sum(row.responses for row in rows),
        "answered": sum(1 for row in rows if row.responses),
        "enough": len(enough),
        "mean_index": _rounded(sum(row.index for row in enough) / len(enough)) if enough else None,
    }


def pooled_index(year: int, scope) -> float | None:
    """The index over the schools of `scope` (a filter on a link's school) of the year's campaigns, counting only
    schools with enough answers: every scored answer of those schools pooled. One query."""
    from django.db.models import F

    enough = (
        SchoolLink.objects.filter(scope, campaign__year=year)
        .annotate(n=Count("responses")).filter(n__gte=F("campaign__min_answers")).values("pk")
    )  # fmt: skip
    mean = Answer.objects.filter(response__link__in=enough, score__isnull=False).aggregate(mean=Avg("score"))["mean"]
    return _rounded(mean)
