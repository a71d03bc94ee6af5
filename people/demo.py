"""The demo's invitations: people of municipality A whom its coordinator brought in by letter, one in each state the
list of invitations tells apart — accepted, sent and waiting, expired, not sent — so that the department and the
coordinator see what the list is for before they load a file of their own. Idempotent."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from schools.demo import DEMO_PASSWORD, MUNICIPALITY_A
from schools.models import Municipality, RoleAssignment, School
from schools.services import role_assign

from .invitation_letters import invitation_days
from .models import Invitation

Role = RoleAssignment.Role

# e-mail, surname, name and patronymic, role, school (None: the municipality), state, days since the letter
INVITED = [
    ("nikolskaya.oosh@zarechny.example", "Гусева", "Татьяна Павловна", Role.SCHOOL_TEAM, "Никольская ООШ",
     Invitation.State.ACCEPTED, 12),
    ("berezovskaya.oosh@zarechny.example", "Тихонов", "Игорь Валентинович", Role.SCHOOL_TEAM, "Берёзовская ООШ",
     Invitation.State.SENT, 2),
    ("tutor.math@zarechny.example", "Романова", "Елена Сергеевна", Role.TUTOR, None, Invitation.State.SENT, 1),
    ("ilinskaya.sosh@zarechny.example", "Сергеев", "Максим Олегович", Role.SCHOOL_TEAM, "Ильинская СОШ",
     Invitation.State.EXPIRED, 30),
    ("lugovskaya.nosh@zarechny.example", "Киселёва", "Ольга Андреевна", Role.SCHOOL_TEAM, "Луговская НОШ",
     Invitation.State.FAILED, 3),
]  # fmt: skip
REFUSED = "Почтовый сервер получателя отклонил адрес: 550 5.1.1 такого ящика нет"


def seed_invitations() -> int:
    """The invitations of municipality A's coordinator; the number created."""
    User = get_user_model()
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    coordinator = User.objects.get(username="coordinator")
    now, days = timezone.now(), invitation_days()
    created = 0
    for email, last_name, first_name, role, school_name, state, days_ago in INVITED:
        if User.objects.filter(username=email).exists():
            continue
        person = User(username=email, email=email, last_name=last_name, first_name=first_name)
        if state == Invitation.State.ACCEPTED:
            person.set_password(DEMO_PASSWORD)
        else:
            person.set_unusable_password()
        person.save()
        school = School.objects.get(short_name=school_name) if school_name else None
        role_assign(user=person, role=role, school=school, municipality=None if school else municipality)
        letter = now - datetime.timedelta(days=days_ago)
        sent = {
            "sent_at": letter, "expires_at": letter + datetime.timedelta(days=days), "times_sent": 1,
        } if state != Invitation.State.FAILED else {"send_error": REFUSED}  # fmt: skip
        invitation = Invitation.objects.create(
            user=person, region=municipality.region, municipality=municipality, invited_by=coordinator, **sent,
            accepted_at=letter + datetime.timedelta(days=1) if state == Invitation.State.ACCEPTED else None,
        )  # fmt: skip
        Invitation.objects.filter(pk=invitation.pk).update(created_at=letter)
        created += 1
    return created
