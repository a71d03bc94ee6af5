"""Users and their roles: a coordinator and tutors per municipality, a school team per school, and per region its
institute of education development with one expert (the department comes with the lists, curators with their
agreements)."""

from collections import defaultdict

from django.contrib.auth import get_user_model

from schools.models import Organisation, RoleAssignment

from .identification import LISTED
from .names import person

Role = RoleAssignment.Role


class PeopleMixin:
    """Fills `self.coordinator_of` (municipality → user), `self.tutors_of` (municipality → users) and `self.team_of`
    (school → user); `_user` serves the later steps too."""

    def _user(self, username: str, email_domain: str = "scale.example.ru") -> int:
        last, first = person(self.rng)
        return self.writer.add(
            get_user_model(), username=username, password=self.password, last_name=last, first_name=first,
            email=f"{username}@{email_domain}", is_active=True, is_staff=False, is_superuser=False,
            date_joined=self.writer.now,
        )  # fmt: skip

    def people(self) -> None:
        w = self.writer
        User = get_user_model()
        self.coordinator_of, self.tutors_of, self.team_of = {}, defaultdict(list), {}
        for m in self.municipalities:
            user_id = self._user(f"coord{m['id']}")
            w.add(RoleAssignment, user_id=user_id, role=Role.COORDINATOR, municipality_id=m["id"])
            self.coordinator_of[m["id"]] = user_id
            listed = sum(1 for s in m["schools"] if s["status"] in LISTED)
            for k in range(1 + listed // 8):
                tutor_id = self._user(f"tutor{m['id']}_{k + 1}")
                w.add(RoleAssignment, user_id=tutor_id, role=Role.TUTOR, municipality_id=m["id"])
                self.tutors_of[m["id"]].append(tutor_id)
        for s in self.schools:
            user_id = self._user(f"team{s['id']}")
            w.add(RoleAssignment, user_id=user_id, role=Role.SCHOOL_TEAM, school_id=s["id"])
            self.team_of[s["id"]] = user_id
        for region_id in sorted({m["region_id"] for m in self.municipalities}):
            institute_id = w.add(
                Organisation, name=f"Институт развития образования (регион {region_id})",
                short_name=f"ИРО {region_id}", kind=Organisation.Kind.INSTITUTE, region_id=region_id,
                municipality_id=None, inn="", head_name="", head_position="", address="", email="", phone="",
                is_active=True,
            )  # fmt: skip
            w.add(RoleAssignment, user_id=self._user(f"expert{region_id}"), role=Role.EXPERT, organisation_id=institute_id)
        w.flush()
        self.progress(f"Пользователи: {w.counts[User] + 1}, назначений ролей: {w.counts[RoleAssignment] + 1}")
