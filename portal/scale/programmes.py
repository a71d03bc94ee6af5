"""Programmes: a municipal programme of 30 measures for every municipality with listed schools, and for every ШНОР a
school programme of transition of 30 measures (5 tasks × 6) with planned and actual values per year, in every state
of expert review (with the reviews of its rounds)."""

import datetime
from decimal import Decimal

from programs.demo import seed_programmes
from programs.models import MeasureStatus, MeasureYear, Programme, Review, RoadmapMeasure, RoadmapSection
from programs.models import RiskFactor as Factor

from .identification import LISTED, SHNOR_STATUSES

MEASURES_PER_PROGRAMME = 30
SECTIONS_PER_PROGRAMME = 5

TASKS = [
    "Повышение предметной и методической компетентности педагогов",
    "Работа с обучающимися с рисками учебной неуспешности",
    "Повышение учебной мотивации обучающихся",
    "Вовлечение родителей в образовательный процесс",
    "Сетевое взаимодействие со школой-куратором",
]
MEASURE_NAMES = [
    ("Диагностика профессиональных дефицитов педагогов", "Аналитическая справка", "шт."),
    ("Курсы повышения квалификации по выявленным дефицитам", "Доля педагогов, прошедших КПК", "%"),
    ("Индивидуальные образовательные маршруты обучающихся", "Обучающиеся с маршрутами", "чел."),
    ("Консультации по подготовке к ОГЭ", "Проведено консультаций", "занятий"),
    ("Проектная неделя «Моя будущая профессия»", "Проведено проектных недель", "шт."),
    ("Родительские собрания «Как помочь ребёнку учиться»", "Доля родителей, принявших участие", "%"),
    ("Взаимопосещение уроков с педагогами школы-куратора", "Посещено уроков", "уроков"),
    ("Педагогический совет по итогам мониторинга", "Протокол педсовета", "шт."),
    ("Внеурочные курсы проектной деятельности", "Охват обучающихся 5–9 классов", "%"),
    ("Участие обучающихся в олимпиадах и конкурсах", "Участники", "чел."),
]
MUNICIPAL_MEASURES = [
    ("Отбор ШНОР и ШНСУ для адресного сопровождения", "Количество школ для адресного сопровождения", "шт."),
    ("Совещание руководителей ШНОР и ШНСУ", "Протокол совещания", "шт."),
    ("Семинар для руководителей ШНОР и ШНСУ", "Программа семинара", "шт."),
    ("Оценка профессиональных компетенций педагогов ШНОР", "Аналитическая записка", "шт."),
    ("Муниципальная конференция педагогических работников", "Программа конференции", "шт."),
    ("Экспертиза школьных программ перехода в эффективный режим", "Экспертные заключения", "шт."),
]
# The state of a school programme, with its share of the programmes.
STATES = [(Programme.State.ACCEPTED, 0.5), (Programme.State.IN_REVIEW, 0.1), (Programme.State.SUBMITTED, 0.1),
          (Programme.State.RETURNED, 0.1), (Programme.State.RESUBMITTED, 0.05), (Programme.State.DRAFT, 0.15)]  # fmt: skip


def _review_outcome(state: str, *, last: bool) -> dict:
    """The status and verdict of a review round: earlier rounds returned the programme, the last one left it in
    `state`."""
    if not last:
        return {"status": Review.Status.DONE, "verdict": Review.Verdict.RETURNED}
    if state == Programme.State.ACCEPTED:
        return {"status": Review.Status.DONE, "verdict": Review.Verdict.ACCEPTED}
    if state == Programme.State.RETURNED:
        return {"status": Review.Status.DONE, "verdict": Review.Verdict.RETURNED}
    if state == Programme.State.IN_REVIEW:
        return {"status": Review.Status.IN_PROGRESS, "verdict": ""}
    return {"status": Review.Status.PENDING, "verdict": ""}


class ProgrammesMixin:
    """Sets `self.factors` (risk factor code → id, for the later steps) and `programme_id` on every ШНОР's record."""

    def programmes(self) -> None:
        w = self.writer
        seed_programmes()  # risk factors and the review checklist (no demo municipality: no demo programmes)
        self.factors = {f.code: f.pk for f in Factor.objects.all()}
        self.period = (self.current_year - 1, self.current_year + 1)
        programmes = 0
        for m in self.municipalities:
            if any(s["status"] in LISTED for s in m["schools"]):
                self._municipal_programme(m)
                programmes += 1
            for s in m["schools"]:
                if s["status"] in SHNOR_STATUSES:
                    self._transition_programme(m, s)
                    programmes += 1
        w.flush()
        self.progress(
            f"Программы: {programmes}, мероприятий: {w.counts[RoadmapMeasure]}, значений по годам: {w.counts[MeasureYear]}"
        )

    def _municipal_programme(self, m: dict) -> None:
        """The municipality's programme, kept by its coordinator: a draft."""
        w, period, now = self.writer, self.period, self.writer.now
        programme_id = w.add(
            Programme, kind=Programme.Kind.MUNICIPAL, municipality_id=m["id"],
            title=f"Муниципальная программа поддержки ШНОР и ШНСУ на {period[0]}–{period[1]} годы",
            period_start=period[0], period_end=period[1], goal="Повышение качества образования в ШНОР и ШНСУ.",
            state=Programme.State.DRAFT, created_by_id=self.coordinator_of[m["id"]], created_at=now,
            updated_at=now,
        )  # fmt: skip
        self._roadmap(programme_id, MUNICIPAL_MEASURES, "УО, УМЦ")

    def _transition_programme(self, m: dict, s: dict) -> None:
        """A ШНОР's programme of transition in a state drawn by `STATES`, with as many review rounds as it went
        through (a third of the accepted ones were returned once)."""
        rng, w, period, now = self.rng, self.writer, self.period, self.writer.now
        state = rng.choices([st for st, _ in STATES], [p for _, p in STATES])[0]
        rounds = {Programme.State.DRAFT: 0, Programme.State.RESUBMITTED: 2}.get(state, 1)
        if state == Programme.State.ACCEPTED and rng.random() < 0.3:
            rounds = 2
        submitted = now - datetime.timedelta(days=rng.randint(5, 120)) if rounds else None
        programme_id = w.add(
            Programme, kind=Programme.Kind.TRANSITION, municipality_id=m["id"], school_id=s["id"],
            title=f"Программа перехода в эффективный режим работы на {period[0]}–{period[1]} годы",
            period_start=period[0], period_end=period[1],
            goal="Переход школы в эффективный режим работы: повышение образовательных результатов.",
            tasks="\n".join(f"{i + 1}. {t}" for i, t in enumerate(TASKS)),
            responsible_executor="Заместитель директора по УВР", state=state, round=rounds,
            created_by_id=self.team_of[s["id"]], created_at=now, updated_at=now, submitted_at=submitted,
            accepted_at=submitted + datetime.timedelta(days=10) if state == Programme.State.ACCEPTED else None,
        )  # fmt: skip
        s["programme_id"] = programme_id
        self._roadmap(programme_id, MEASURE_NAMES, "Управленческая команда школы")
        for number in range(1, rounds + 1):
            review = _review_outcome(state, last=number == rounds)
            done = review["status"] == Review.Status.DONE
            w.add(
                Review, programme_id=programme_id, round=number, kind=Review.Kind.MUNICIPAL, created_at=now,
                completed_at=now if done else None, completed_by_id=self.coordinator_of[m["id"]] if done else None,
                remarks="Уточните исполнителей и сроки мероприятий." if review["verdict"] == "returned" else "",
                **review,
            )  # fmt: skip

    def _roadmap(self, programme_id: int, names, executors: str) -> None:
        """5 sections × 6 measures, the names taken in turn from `names`: a deadline within the period, a status by
        the deadline, a planned value per year and the actual one for the years already over."""
        rng, w = self.rng, self.writer
        period = self.period
        first_day, last_day = datetime.date(period[0], 1, 1), datetime.date(period[1], 12, 31)
        span = (last_day - first_day).days
        factor_ids = sorted(self.factors.values())
        position = 0
        for section in range(SECTIONS_PER_PROGRAMME):
            section_id = w.add(RoadmapSection, programme_id=programme_id, position=section + 1,
                               title=TASKS[section % len(TASKS)])  # fmt: skip
            for k in range(MEASURES_PER_PROGRAMME // SECTIONS_PER_PROGRAMME):
                name, result, unit = names[position % len(names)]
                position += 1
                deadline = first_day + datetime.timedelta(days=rng.randint(0, span))
                past = deadline < self.today
                roll = rng.random()
                if past:
                    status = MeasureStatus.DONE if roll < 0.8 else MeasureStatus.IN_PROGRESS if roll < 0.95 else MeasureStatus.CANCELLED
                else:
                    status = MeasureStatus.PLANNED if roll < 0.6 else MeasureStatus.IN_PROGRESS
                per_year = rng.randint(1, 10) if unit != "%" else rng.choice([50, 60, 75, 100])
                measure_id = w.add(
                    RoadmapMeasure, programme_id=programme_id, section_id=section_id, position=k + 1,
                    name=f"{name} ({position})", result_name=result, unit=unit,
                    planned_value=Decimal(per_year * (3 if unit != "%" else 1)), executors=executors,
                    deadline=deadline, status=status, risk_factor_id=rng.choice(factor_ids),
                )  # fmt: skip
                for year in range(period[0], period[1] + 1):
                    actual = Decimal(per_year if rng.random() < 0.7 else max(0, per_year - 1)) if year < self.current_year else None
                    w.add(MeasureYear, measure_id=measure_id, year=year, planned_value=Decimal(per_year),
                          actual_value=actual)  # fmt: skip
