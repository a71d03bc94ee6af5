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
    """Creates each region's department and institute (`department` and `institute` for the first region,
    `department<region id>` and `institute<region id>` for the others) and the federal operator (and `self.password`, every generated user's), runs and approves each region's lists,
    and sets `status` and `curator_candidate` on every school record."""

    def identification(self) -> None:
        User = get_user_model()
        self.password = make_password(DEMO_PASSWORD, salt="shnorscale")
        region_ids = sorted({m["region_id"] for m in self.municipalities})
        departments = {}
        for number, region_id in enumerate(region_ids):
            username = "department" if number == 0 else f"department{region_id}"
            department = User.objects.create(
                username=username, last_name="Соколова", first_name="Ирина Петровна", password=self.password,
                email=f"{username}@scale.example.ru",
            )
            RoleAssignment.objects.create(user=department, role=Role.DEPARTMENT, region_id=region_id)
            departments[region_id] = department
            institute = User.objects.create(
                username=username.replace("department", "institute"), last_name="Зайцева",
                first_name="Анна Викторовна", password=self.password, email=f"institute{region_id}@scale.example.ru",
            )
            RoleAssignment.objects.create(user=institute, role=Role.INSTITUTE, region_id=region_id)
        federal = User.objects.create(
            username="federal", last_name="Фёдорова", first_name="Елена Михайловна", password=self.password,
            email="federal@scale.example.ru",
        )
        RoleAssignment.objects.create(user=federal, role=Role.FEDERAL)
        self.department_id = departments[region_ids[0]].pk
        for region_id, department in departments.items():
            for year in self.years:
                criteria_ensure_for_year(region_id=region_id, year=year)
            for year in self.years[1:]:
                started = time.perf_counter()
                run = run_start(region_id=region_id, year=year, actor=department, note="Генератор масштаба")
                run_execute(run)
                list_approve(run=run, actor=department)
                run.refresh_from_db()
                self.progress(
                    f"Идентификация {year}, регион {region_id}: ШНОР {run.shnor_count}, ШНСУ {run.shnsu_count}, "
                    f"кандидатов в кураторы {run.curator_count} — {time.perf_counter() - started:.1f} с"
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
