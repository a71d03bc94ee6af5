"""Partnerships: curator agreements (every ШНОР with a high-result school of its municipality) with plans of joint
sessions and the sessions held (most confirmed); teachers of listed schools, tutors, deficits, ИПРП with items and
tutoring sessions; practices and methodical events."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from partnerships.demo import ensure_reference_data
from partnerships.models import (
    Agreement,
    AgreementPlanItem,
    DeficitArea,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventInvitation,
    MethodicalEvent,
    Practice,
    Subject,
    SupportSession,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
    TutoringSession,
    TutorProfile,
)
from schools.models import RoleAssignment, School, Status

from .identification import LISTED, SHNOR_STATUSES
from .names import person

Role = RoleAssignment.Role

SESSION_TOPICS = [
    ("consultation", "Самодиагностика школы и выбор рисковых профилей", "failure-risk"),
    ("lesson_visits", "Взаимопосещение уроков математики в 5–7 классах", "weak-competence"),
    ("seminar", "Формирующее оценивание на уроке", "weak-competence"),
    ("master_class", "Приёмы повышения учебной мотивации", "low-motivation"),
    ("joint_council", "Совместный педсовет: итоги полугодия", "failure-risk"),
    ("webinar", "Работа с родителями обучающихся группы риска", "low-parental-involvement"),
    ("internship", "Стажировка управленческой команды в школе-кураторе", "poor-climate"),
    ("consultation", "Подготовка к ОГЭ: индивидуальные маршруты", "failure-risk"),
]


class PartnershipsMixin:
    """Reads the lists, the people and `self.factors`; adds a curator user for every curator school."""

    def partnerships(self) -> None:
        w = self.writer
        ensure_reference_data()
        self.subjects = sorted(Subject.objects.values_list("pk", flat=True))
        self.areas = sorted(DeficitArea.objects.values_list("pk", flat=True))
        curators = self._agreements()
        self._tutoring()
        self._practices(curators)
        self._methodical_events()
        w.flush()
        self.progress(f"Практики: {w.counts[Practice]}, мероприятия: {w.counts[MethodicalEvent]}; пользователей: "
                      f"{w.counts[get_user_model()] + 1}")  # fmt: skip

    # --- agreements ---------------------------------------------------------------------------------------------------

    def _agreements(self) -> dict[int, int]:
        """Every ШНОР gets a curator among the best schools of its municipality that are on no list (one curator per
        15 schools, the candidates of the identification first); returns curator school → curator user."""
        w = self.writer
        starts_on = (self.today - datetime.timedelta(days=150)).replace(day=1)
        curators: dict[int, int] = {}  # curator school → curator user
        agreements = 0
        for m in self.municipalities:
            candidates = sorted(
                (s for s in m["schools"] if s["status"] == Status.NONE and s["kind"] != School.Kind.NOSH),
                key=lambda s: (not s["curator_candidate"], -s["quality"]),
            )[: max(1, len(m["schools"]) // 15)]
            supported = [s for s in m["schools"] if s["status"] in SHNOR_STATUSES]
            for index, s in enumerate(supported):
                if not candidates:
                    break
                curator = candidates[index % len(candidates)]
                if curator["id"] not in curators:
                    user_id = self._user(f"curator{curator['id']}")
                    w.add(RoleAssignment, user_id=user_id, role=Role.CURATOR, school_id=curator["id"])
                    curators[curator["id"]] = user_id
                agreements += 1
                self._agreement(
                    number=agreements, municipality=m, curator_school=curator, curator_user=curators[curator["id"]],
                    supported=s, starts_on=starts_on,
                )  # fmt: skip
        self.progress(f"Договоры: {agreements}, занятий: {w.counts[SupportSession]}")
        return curators

    def _agreement(self, *, number, municipality, curator_school, curator_user, supported, starts_on) -> None:
        """An agreement for a year from `starts_on`, its plan of a session a month, and the sessions already held:
        logged by the curator, most confirmed by the school's team, some pending or disputed."""
        rng, w = self.rng, self.writer
        ends_on = starts_on.replace(year=starts_on.year + 1) - datetime.timedelta(days=1)
        agreement_id = w.add(
            Agreement, number=f"{number}-ШНОР", signed_on=starts_on - datetime.timedelta(days=4),
            starts_on=starts_on, ends_on=ends_on, curator_school_id=curator_school["id"], supported_school_id=supported["id"],
            subject="Сотрудничество в целях повышения качества образования и перевода школы в эффективный режим работы.",
            form_organisational=rng.random() < 0.5, status=Agreement.Status.ACTIVE,
            created_by_id=self.coordinator_of[municipality["id"]], created_at=w.now, updated_at=w.now,
        )  # fmt: skip
        for k, (fmt, topic, factor) in enumerate(SESSION_TOPICS):
            planned_on = (starts_on + datetime.timedelta(days=31 * k)).replace(day=15)
            item_id = w.add(AgreementPlanItem, agreement_id=agreement_id, planned_on=planned_on, format=fmt,
                            topic=topic, risk_factor_id=self.factors.get(factor))  # fmt: skip
            if planned_on >= self.today:
                continue
            roll = rng.random()
            status = "confirmed" if roll < 0.75 else "pending" if roll < 0.9 else "disputed"
            w.add(
                SupportSession, agreement_id=agreement_id, plan_item_id=item_id, held_on=planned_on,
                format=fmt, topic=topic, risk_factor_id=self.factors.get(factor),
                teachers_count=rng.randint(2, 12), managers_count=rng.randint(1, 3),
                hours=Decimal(rng.choice(["1.5", "2.0", "3.0", "6.0"])),
                outcome="Даны рекомендации; согласованы следующие шаги.", status=status,
                dispute_comment="Занятие перенесено, педагоги не участвовали." if status == "disputed" else "",
                logged_by_id=curator_user, logged_at=w.now,
                reviewed_by_id=self.team_of[supported["id"]] if status != "pending" else None,
                reviewed_at=w.now if status != "pending" else None,
            )  # fmt: skip

    # --- tutors, teachers, ИПРП ---------------------------------------------------------------------------------------

    def _tutoring(self) -> None:
        """Tutors' profiles, and the teachers of every listed school (3 to 40 of them) with their tutoring."""
        w = self.writer
        for m in self.municipalities:
            tutors = self.tutors_of[m["id"]]
            for tutor_id in tutors:
                profile_id = w.add(TutorProfile, user_id=tutor_id, municipality_id=m["id"], direction="teachers")
                w.add(TutorProfile.subjects.through, tutorprofile_id=profile_id, subject_id=self.rng.choice(self.subjects))
            for s in m["schools"]:
                if s["status"] not in LISTED:
                    continue
                for _t in range(max(3, min(40, s.get("teachers", 10)))):
                    self._teacher(m, s, tutors)
        self.progress(f"Педагоги: {w.counts[Teacher]}, ИПРП: {w.counts[DevelopmentPlan]}")

    def _teacher(self, m: dict, s: dict, tutors: list[int]) -> None:
        """A teacher; two in five get a tutor and diagnosed deficits, and three in four of those an ИПРП."""
        rng, w = self.rng, self.writer
        plan_starts = datetime.date(self.current_year - 1, 9, 1)
        last, first = person(rng)
        teacher_id = w.add(
            Teacher, school_id=s["id"], full_name=f"{last} {first}", subject_id=rng.choice(self.subjects),
            category=rng.choice(["none", "first", "first", "highest", "conformity"]),
            experience=rng.choice(["under_3", "3_10", "10_20", "over_20"]), created_at=w.now,
            created_by_id=self.team_of[s["id"]],
        )  # fmt: skip
        if rng.random() > 0.4:
            return
        tutor_id = rng.choice(tutors)
        w.add(TutorAssignment, teacher_id=teacher_id, tutor_id=tutor_id, starts_on=plan_starts,
              assigned_by_id=self.coordinator_of[m["id"]])  # fmt: skip
        diagnosed_on = plan_starts + datetime.timedelta(days=20)
        deficit_ids = [
            w.add(TeacherDeficit, teacher_id=teacher_id, area_id=area, level=rng.choice(["significant", "partial"]),
                  diagnosed_on=diagnosed_on, source="Диагностика профессиональных дефицитов (ЦНППМ)")
            for area in rng.sample(self.areas, rng.randint(1, 2))
        ]  # fmt: skip
        if rng.random() < 0.25:
            return  # tutored, no plan yet
        self._development_plan(teacher_id, tutor_id, deficit_ids)

    def _development_plan(self, teacher_id: int, tutor_id: int, deficit_ids: list[int]) -> None:
        """This school year's ИПРП: four steps against the deficits (most of the past ones done), two sessions."""
        rng, w, today = self.rng, self.writer, self.today
        plan_year = self.current_year
        plan_starts, plan_ends = datetime.date(plan_year - 1, 9, 1), datetime.date(plan_year, 6, 30)
        forms = [c for c, _ in DevelopmentPlanItem.Form.choices]
        plan_id = w.add(
            DevelopmentPlan, teacher_id=teacher_id, tutor_id=tutor_id, year=plan_year, starts_on=plan_starts,
            ends_on=plan_ends, goal="Преодолеть выявленные дефициты и повысить результаты обучающихся.",
            status="active", created_by_id=tutor_id, created_at=w.now, updated_at=w.now,
        )  # fmt: skip
        for k in range(4):
            due_on = plan_starts + datetime.timedelta(days=60 * k + rng.randint(0, 40))
            status = "done" if due_on < today and rng.random() < 0.8 else "planned"
            w.add(DevelopmentPlanItem, plan_id=plan_id, deficit_id=deficit_ids[k % len(deficit_ids)],
                  action=f"Шаг {k + 1}: {DevelopmentPlanItem.Form(forms[k % len(forms)]).label}",
                  form=forms[k % len(forms)], due_on=due_on, status=status,
                  done_on=due_on if status == "done" else None)  # fmt: skip
        for days in (45, 12):
            w.add(TutoringSession, teacher_id=teacher_id, tutor_id=tutor_id,
                  held_on=today - datetime.timedelta(days=days), format="consultation",
                  topic="Разбор урока и постановка целей", hours=Decimal("1.5"), logged_at=w.now)  # fmt: skip

    # --- practices and methodical events -----------------------------------------------------------------------------

    def _practices(self, curators: dict[int, int]) -> None:
        """A practice of every curator school and of one listed school in ten, mostly published."""
        rng, w = self.rng, self.writer
        authors = [(school_id, user_id) for school_id, user_id in curators.items()]
        authors += [(s["id"], self.team_of[s["id"]]) for s in self.schools if s["status"] in LISTED and rng.random() < 0.1]
        for school_id, user_id in authors:
            roll = rng.random()
            status = "published" if roll < 0.7 else "submitted" if roll < 0.85 else "draft"
            published = w.now - datetime.timedelta(days=rng.randint(1, 300)) if status == "published" else None
            practice_id = w.add(
                Practice, school_id=school_id, title=f"Практика школы: {rng.choice(SESSION_TOPICS)[1]}",
                description="Что сделано, для кого и какой получен результат.", status=status,
                published_at=published, download_count=rng.randint(0, 60) if published else 0,
                created_by_id=user_id, created_at=w.now, updated_at=w.now,
            )  # fmt: skip
            w.add(Practice.subjects.through, practice_id=practice_id, subject_id=rng.choice(self.subjects))
            w.add(Practice.risk_factors.through, practice_id=practice_id, riskfactor_id=rng.choice(sorted(self.factors.values())))

    def _methodical_events(self) -> None:
        """In every municipality with listed schools, a past seminar (most attended) and a coming webinar."""
        rng, w, today = self.rng, self.writer, self.today
        for m in self.municipalities:
            listed = [s for s in m["schools"] if s["status"] in LISTED]
            if not listed:
                continue
            for k, (held_on, fmt) in enumerate(((today - datetime.timedelta(days=30), "seminar"),
                                                 (today + datetime.timedelta(days=20), "webinar"))):  # fmt: skip
                event_id = w.add(
                    MethodicalEvent, title=f"{'Семинар' if k == 0 else 'Вебинар'} для ШНОР и ШНСУ: {m['name']}",
                    format=fmt, held_on=held_on, municipality_id=m["id"], region_id=m["region_id"],
                    organiser="Управление образования",
                    created_by_id=self.coordinator_of[m["id"]], created_at=w.now,
                )  # fmt: skip
                for s in listed:
                    w.add(EventInvitation, event_id=event_id, school_id=s["id"],
                          attended=(rng.random() < 0.85) if k == 0 else None)  # fmt: skip
