"""The catalogue of result measures: exam subjects and metrics, with stable codes.

A measure's code is `<exam>-<subject>-<metric>`, e.g. `ege-russian-mean_score`.
Regional returns spell subjects differently («Математика профильная», «Математика (профиль), чел.»);
`subject_code_for_header` maps such headers to one code.
"""

import re

from .models import Measure

Metric = Measure.Metric

# code, name, header words that identify it (lowercase, after removing «, чел.» and punctuation)
EGE_SUBJECTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("russian", "Русский язык", ("русский язык",)),
    ("math_profile", "Математика профильная", ("математика профильная", "математика профиль", "математика (профиль)")),
    ("math_base", "Математика базовая", ("математика базовая", "математика база", "математика (база)")),
    ("physics", "Физика", ("физика",)),
    ("chemistry", "Химия", ("химия",)),
    ("biology", "Биология", ("биология",)),
    ("history", "История", ("история",)),
    ("geography", "География", ("география",)),
    ("social", "Обществознание", ("обществознание",)),
    ("literature", "Литература", ("литература",)),
    ("informatics", "Информатика", ("информатика", "икт", "кегэ")),
    ("english_oral", "Английский язык (устный)", ("английский язык (устный)", "английский язык устный")),
    ("german_oral", "Немецкий язык (устный)", ("немецкий язык (устный)", "немецкий язык устный")),
    ("french_oral", "Французский язык (устный)", ("французский язык (устный)", "французский язык устный")),
    ("spanish_oral", "Испанский язык (устный)", ("испанский язык (устный)", "испанский язык устный")),
    ("chinese_oral", "Китайский язык (устный)", ("китайский язык (устный)", "китайский язык устный")),
    ("english", "Английский язык", ("английский язык",)),
    ("german", "Немецкий язык", ("немецкий язык",)),
    ("french", "Французский язык", ("французский язык",)),
    ("spanish", "Испанский язык", ("испанский язык",)),
    ("chinese", "Китайский язык", ("китайский язык",)),
    ("foreign", "Иностранные языки", ("иностранные языки", "иностранный язык")),
    # ОГЭ and ВПР speak of mathematics without a level; it comes after the ЕГЭ levels on purpose.
    ("math", "Математика", ("математика",)),
]

METRIC_UNITS = {
    Metric.PARTICIPANTS: "чел.",
    Metric.BELOW_MIN: "чел.",
    Metric.HIGH_80_99: "чел.",
    Metric.SCORE_100: "чел.",
    Metric.MEAN_SCORE: "балл",
    Metric.APPLICANTS: "чел.",
    Metric.GRADUATES: "чел.",
    Metric.MARK_5: "чел.",
    Metric.AT_BOUNDARY: "чел.",
    Metric.TERM_MEAN: "балл",
    Metric.WINNERS: "чел.",
    Metric.VALUE: "",
}

EXAM_NAMES = dict(Measure.Exam.choices)


def _clean(header: str) -> str:
    text = str(header).replace("\xa0", " ").lower()
    text = re.sub(r",?\s*чел\.?", " ", text)
    text = re.sub(r"\(в т\.ч\..*?\)", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,.")


def subject_code_for_header(header: str) -> str | None:
    """The subject code of a header such as «Математика (профиль), чел.», or None if it is not a subject."""
    text = _clean(header)
    if not text:
        return None
    for code, _name, words in EGE_SUBJECTS:  # oral parts come before the written ones on purpose
        if any(word in text for word in words):
            return code
    return None


# Subjects of measures that are not exams (code → name): the olympiad and the satisfaction survey (seeds 001, 002).
OTHER_SUBJECTS = {
    "olympiad": "Всероссийская олимпиада школьников (муниципальный этап)",
    "satisfaction": "удовлетворённость обучающихся, родителей и педагогов",
}


def subject_name(code: str) -> str:
    for subject_code, name, _words in EGE_SUBJECTS:
        if subject_code == code:
            return name
    return OTHER_SUBJECTS.get(code, code)


def measure_code(exam: str, subject: str, metric: str) -> str:
    return f"{exam}-{subject}-{metric}" if subject else f"{exam}-{metric}"


def measure_name(exam: str, subject: str, metric: str) -> str:
    label = dict(Metric.choices)[metric]
    if subject:
        return f"{EXAM_NAMES[exam]}, {subject_name(subject)}: {label}"
    return f"{EXAM_NAMES[exam]}: {label}"


def measures_by_code(codes: set[str]) -> dict[str, Measure]:
    """Existing measures for these codes, creating the ones of the known catalogue that are missing.

    Codes must have the `<exam>-<subject>-<metric>` or `<exam>-<metric>` form with a known exam and metric.
    """
    existing = {m.code: m for m in Measure.objects.filter(code__in=codes)}
    missing = []
    for code in sorted(codes - existing.keys()):
        parts = code.split("-")
        exam, metric = parts[0], parts[-1]
        subject = "-".join(parts[1:-1])
        missing.append(
            Measure(
                code=code,
                name=measure_name(exam, subject, metric),
                exam=exam,
                subject=subject_name(subject) if subject else "",
                metric=metric,
                unit=METRIC_UNITS.get(metric, ""),
            )
        )
    if missing:
        Measure.objects.bulk_create(missing, ignore_conflicts=True)
        existing.update({m.code: m for m in Measure.objects.filter(code__in=[m.code for m in missing])})
    return existing
