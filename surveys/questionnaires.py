"""The default questionnaires and a region's own copy of them.

The defaults follow the areas of the independent quality assessment of the conditions of education (НОКО): comfort
and safety, the quality of teaching, openness of information, relations with teachers, conditions for pupils with
special needs. A region starts from them on its first campaign (`questionnaires_for_region`) and edits its copy in the
back office; the installation's defaults are rows too (region empty), created here when first asked for.
"""

from django.db import transaction

from .models import Audience, Question, Questionnaire

S, YN, T = Question.Kind.SCALE, Question.Kind.YES_NO, Question.Kind.TEXT
A = Question.Area

INTRO = (
    "Опрос анонимный: мы не спрашиваем имя, телефон или адрес. Оцените, пожалуйста, от 1 («совсем не согласен») "
    "до 5 («полностью согласен»). Ответы помогают школе и управлению образования понять, что менять в первую очередь."
)

DEFAULTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    Audience.PARENTS: ("Анкета для родителей", [
        ("Моему ребёнку в школе безопасно и комфортно.", S, A.COMFORT),
        ("Помещения, столовая и туалеты школы в хорошем состоянии.", S, A.COMFORT),
        ("Я доволен качеством обучения моего ребёнка.", S, A.TEACHING),
        ("Ребёнок получает помощь, если не понимает материал.", S, A.TEACHING),
        ("На сайте и в чатах школы легко найти нужную информацию.", S, A.OPENNESS),
        ("Школа сообщает мне об успехах и трудностях ребёнка.", S, A.OPENNESS),
        ("Учителя вежливы и доброжелательны к ребёнку и ко мне.", S, A.RELATIONS),
        ("В школе созданы условия для детей с ОВЗ и особыми потребностями.", S, A.SPECIAL_NEEDS),
        ("Я рекомендовал бы эту школу знакомым.", YN, A.OTHER),
        ("Что школе стоит изменить в первую очередь?", T, A.OTHER),
    ]),
    Audience.PUPILS: ("Анкета для обучающихся 8–11 классов", [
        ("Мне в школе безопасно.", S, A.COMFORT),
        ("В классах и коридорах удобно, чисто и тепло.", S, A.COMFORT),
        ("На уроках мне понятно объясняют материал.", S, A.TEACHING),
        ("Я могу получить помощь учителя, если что-то не получается.", S, A.TEACHING),
        ("Я знаю, где узнать расписание, оценки и новости школы.", S, A.OPENNESS),
        ("Учителя относятся ко мне с уважением.", S, A.RELATIONS),
        ("Ребятам с ОВЗ в нашей школе учиться удобно.", S, A.SPECIAL_NEEDS),
        ("Я хочу продолжать учиться в этой школе.", YN, A.OTHER),
        ("Что бы ты изменил в школе?", T, A.OTHER),
    ]),
    Audience.TEACHERS: ("Анкета для педагогов", [
        ("Условия труда в школе безопасны и комфортны.", S, A.COMFORT),
        ("У меня есть оборудование и материалы, нужные для уроков.", S, A.TEACHING),
        ("Я могу повышать квалификацию и получать методическую помощь.", S, A.TEACHING),
        ("Администрация открыто сообщает о решениях и планах школы.", S, A.OPENNESS),
        ("В коллективе доброжелательные отношения.", S, A.RELATIONS),
        ("Родители и обучающиеся относятся ко мне с уважением.", S, A.RELATIONS),
        ("В школе есть условия для обучения детей с ОВЗ.", S, A.SPECIAL_NEEDS),
        ("Я планирую работать в этой школе в следующем году.", YN, A.OTHER),
        ("Что мешает вам работать лучше?", T, A.OTHER),
    ]),
}


def _questionnaire_with_questions(audience: str, *, region_id=None, source: Questionnaire | None = None):
    if source is not None:
        title, intro = source.title, source.intro
        rows = [(q.text, q.kind, q.area, q.required, q.order) for q in source.questions.all()]
    else:
        title, questions = DEFAULTS[audience]
        intro = INTRO
        rows = [(text, kind, area, kind != T, order) for order, (text, kind, area) in enumerate(questions, start=1)]
    questionnaire = Questionnaire.objects.create(region_id=region_id, audience=audience, title=title, intro=intro)
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, text=text, kind=kind, area=area, required=required, order=order)
        for text, kind, area, required, order in rows
    )
    return questionnaire


@transaction.atomic
def default_questionnaires() -> dict[str, Questionnaire]:
    """The installation's defaults, created on first use."""
    existing = {q.audience: q for q in Questionnaire.objects.filter(region__isnull=True)}
    for audience in Audience.values:
        if audience not in existing:
            existing[audience] = _questionnaire_with_questions(audience)
    return existing


@transaction.atomic
def questionnaires_for_region(region_id: int, audiences) -> dict[str, Questionnaire]:
    """The region's questionnaires of these audiences: its own, else a copy of the installation's default."""
    own = {q.audience: q for q in Questionnaire.objects.filter(region_id=region_id, audience__in=list(audiences))}
    missing = [audience for audience in audiences if audience not in own]
    if missing:
        defaults = default_questionnaires()
        for audience in missing:
            own[audience] = _questionnaire_with_questions(audience, region_id=region_id, source=defaults[audience])
    return own
