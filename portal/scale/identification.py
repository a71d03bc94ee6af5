"""The approved lists: identification runs of the last two finished years through the real service
(`schools.identification`), both approved by the department; each school learns its status on the newest list,
which is what the later steps build on."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from schools.demo import DEMO_PASSWORD
from schools.identification import criteria_ensure_for_year, run_execute, run_start
from schools.models import RoleAssignment, SchoolYearStatus, Status
from schools.selection import list_approve

Role = RoleAssignment.Role
LISTED = (Status.SHNOR, Status.SHNSU, Status.BOTH)
SHNOR_STATUSES = (Status.SHNOR, Status.BOTH)


class IdentificationMixin:
    """Creates the department (and `self.password`, every generated user's), runs and approves the lists, and sets
    `status` and `curator_candidate` on every school record."""

    def identification(self) -> None:
        User = get_user_model()
        self.password = make_password(DEMO_PASSWORD, salt="shnorscale")
        department = User.objects.create(
            username="department", last_name="Соколова", first_name="Ирина Петровна", password=self.password,
            email="department@scale.example.ru",
        )
        RoleAssignment.objects.create(user=department, role=Role.DEPARTMENT)
        self.department_id = department.pk
        for year in self.years:
            criteria_ensure_for_year(year=year)
        for year in self.years[1:]:
            started = time.perf_counter()
            run = run_start(year=year, actor=department, note="Генератор масштаба")
            run_execute(run)
            list_approve(run=run, actor=department)
            run.refresh_from_db()
            self.progress(
                f"Идентификация {year}: ШНОР {run.shnor_count}, ШНСУ {run.shnsu_count}, кандидатов в кураторы "
                f"{run.curator_count} — {time.perf_counter() - started:.1f} с"
            )
        self.list_year = self.years[-1]
        statuses = {
            school_id: (status, curator)
            for school_id, status, curator in SchoolYearStatus.objects.filter(year=self.list_year).values_list(
                "school_id", "status", "curator_candidate"
            )
        }
        for school in self.schools:
            school["status"], school["curator_candidate"] = statuses.get(school["id"], (Status.NONE, False))
