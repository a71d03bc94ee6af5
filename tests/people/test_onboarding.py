"""Bringing a territory's people in from an xlsx (issue 21 items 1 and 2): the department uploads 500 people, the
invitations arrive at a real SMTP server, one is accepted and its person logs in; a malformed file changes nothing and
names its row and column; a person already known gets the role added; a coordinator invites only their schools."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import Invitation
from people.onboarding import HEADER, SHEET_TITLE
from schools.models import RoleAssignment, School
from tests.conftest import login

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD, PREVIEW = reverse("people:import"), reverse("people:import_preview")
User = get_user_model()


def people_file(rows, *, header=HEADER, title=SHEET_TITLE) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("люди.xlsx", out.getvalue(), content_type=XLSX)


def upload(client, rows, **options):
    response = client.post(UPLOAD, {"file": people_file(rows, **options)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(PREVIEW)


def confirm(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(PREVIEW)


def five_hundred(municipality_a) -> list[list]:
    schools = list(School.objects.filter(municipality=municipality_a).order_by("pk"))
    rows = [[f"Учитель{n} Мария Петровна", f"person{n}@school.example", "управленческая команда школы", "",
             schools[n % len(schools)].pk, ""] for n in range(495)]  # fmt: skip
    rows += [[f"Координатор{n} Ольга Ивановна", f"coord{n}@mo.example", "координатор", municipality_a.name, "", ""]
             for n in range(3)]  # fmt: skip
    rows += [["Тьюторова Анна", "tutor-new@mo.example", "тьютор", municipality_a.name, "", ""]]
    rows += [["Кураторова Елена", "curator-new@school.example", "школа-куратор", municipality_a.name, "",
              schools[0].short_name]]  # fmt: skip
    return rows


def test_the_department_invites_500_people_and_one_accepts(client, demo, municipality_a, smtp_inbox,
                                                          django_capture_on_commit_callbacks):
    login(client, demo["department"])
    before = User.objects.count()
    page = upload(client, five_hundred(municipality_a)).content.decode()
    assert "500" in page and "новых людей получат приглашение" in page
    assert User.objects.count() == before  # the preview writes nothing

    response = confirm(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("people:invitations")
    assert User.objects.count() == before + 500
    assert RoleAssignment.objects.filter(user__email__endswith="school.example", role="school_team").count() == 495
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 500
    assert len(smtp_inbox.messages) == 500
    letter = smtp_inbox.to("person7@school.example")[0]
    assert "Приглашение в портал" in letter["Subject"]
    assert "Имя для входа — ваш адрес электронной почты" in smtp_inbox.text(letter)

    client.logout()
    link = smtp_inbox.link("person7@school.example")
    form_page = client.get("/" + link.split("/", 3)[3], follow=True)
    assert "Добро пожаловать в портал" in form_page.content.decode()
    password = "Школа-на-холме-2027"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert Invitation.objects.get(user__email="person7@school.example").accepted_at is not None
    answer = client.post(reverse("login"), {"username": "person7@school.example", "password": password})
    assert answer.status_code == 302
    school = School.objects.filter(municipality=municipality_a).order_by("pk")[7 % School.objects.filter(
        municipality=municipality_a).count()]
    assert RoleAssignment.objects.get(user__email="person7@school.example").school == school
    assert client.get(reverse("home")).status_code == 200

    again = client.get("/" + link.split("/", 3)[3], follow=True).content.decode()
    assert "Ссылка приглашения недействительна" in again


def test_a_malformed_file_changes_nothing_and_names_row_and_column(client, demo, municipality_a, municipality_b):
    login(client, demo["department"])
    before = (User.objects.count(), RoleAssignment.objects.count(), Invitation.objects.count())
    school = School.objects.filter(municipality=municipality_a).first()
    rows = [
        ["Первая Анна", "anna@example.org", "управленческая команда школы", "", school.pk, ""],
        ["Вторая Анна", "ANNA@example.org", "тьютор", municipality_a.name, "", ""],  # the same address
        ["Третий Пётр", "не-почта", "тьютор", municipality_a.name, "", ""],
        ["Четвёртый Иван", "ivan@example.org", "директор", municipality_a.name, "", ""],
        ["Пятый Олег", "oleg@example.org", "управленческая команда школы", "", 999999, ""],
        ["Шестая Ира", "ira@example.org", "управленческая команда школы", "", "", ""],
    ]
    page = upload(client, rows).content.decode()
    assert f"Лист «{SHEET_TITLE}», строка 3, столбец B («Электронная почта»): адрес anna@example.org уже есть в строке 2" in page
    assert "строка 4, столбец B («Электронная почта»): ожидается адрес электронной почты" in page
    assert "строка 5, столбец C («Роль»): ожидается одно из значений" in page
    assert "строка 6, столбец E («ID школы»): школы с ID 999999 нет среди школ" in page
    assert "строка 7, столбец F («Школа»): укажите школу" in page
    assert "Добавить людей и отправить приглашения" not in page
    assert client.post(PREVIEW).status_code == 302  # the file was not kept: back to the upload
    assert (User.objects.count(), RoleAssignment.objects.count(), Invitation.objects.count()) == before


def test_a_missing_column_is_named(client, demo):
    login(client, demo["department"])
    before = User.objects.count()
    page = upload(client, [["Анна", "тьютор"]], header=["ФИО", "Роль"]).content.decode()
    assert "Лист «Люди», строка 1, столбец «Электронная почта»: нет обязательного столбца" in page
    assert User.objects.count() == before


def test_a_known_person_gets_the_role_added_not_a_second_account(client, demo, municipality_a,
                                                                 django_capture_on_commit_callbacks):
    tutor = demo["tutor"]
    tutor.email = "tutor@zarechye.example"
    tutor.save(update_fields=["email"])
    school = School.objects.filter(municipality=municipality_a).first()
    login(client, demo["department"])
    page = upload(client, [["Тьютор Демо", "Tutor@Zarechye.example", "школа-куратор", "", school.pk, ""]]).content.decode()
    assert "новая роль" in page
    before = User.objects.count()
    confirm(client, django_capture_on_commit_callbacks)
    assert User.objects.count() == before
    assert RoleAssignment.objects.filter(user=tutor, role="curator", school=school).exists()
    assert not Invitation.objects.filter(user=tutor).exists()

    again = upload(client, [["Тьютор Демо", "tutor@zarechye.example", "школа-куратор", "", school.pk, ""]])
    assert "роль уже есть" in again.content.decode()


def test_a_coordinator_invites_only_the_schools_of_their_municipality(client, demo, municipality_a, municipality_b,
                                                                      django_capture_on_commit_callbacks):
    login(client, demo["coordinator"])
    own = School.objects.filter(municipality=municipality_a).first()
    other = School.objects.filter(municipality=municipality_b).first()
    page = upload(client, [
        ["Своя Анна", "own@example.org", "управленческая команда школы", "", own.pk, ""],
        ["Чужая Анна", "other@example.org", "управленческая команда школы", "", other.pk, ""],
        ["Новый Координатор", "coord@example.org", "координатор", municipality_a.name, "", ""],
    ]).content.decode()  # fmt: skip
    assert "строка 3, столбец E («ID школы»)" in page  # B's school: not theirs, and not told whose it is
    assert other.short_name not in page
    assert "строка 4, столбец C («Роль»): роль «муниципальный координатор» даёт управление образования" in page

    page = upload(client, [["Своя Анна", "own@example.org", "управленческая команда школы", "", own.pk, ""]])
    confirm(client, django_capture_on_commit_callbacks)
    assert RoleAssignment.objects.filter(user__email="own@example.org", school=own).exists()
    listing = client.get(reverse("people:invitations"), {"state": "waiting"}).content.decode()
    assert "own@example.org" in listing

    login(client, demo["coordinator_b"])
    assert "own@example.org" not in client.get(reverse("people:invitations")).content.decode()


def test_resend_sends_a_new_letter(client, demo, municipality_a, smtp_inbox, django_capture_on_commit_callbacks):
    login(client, demo["coordinator"])
    own = School.objects.filter(municipality=municipality_a).first()
    upload(client, [["Своя Анна", "own@example.org", "управленческая команда школы", "", own.pk, ""]])
    confirm(client, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(user__email="own@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:invitation_resend", args=[invitation.pk]))
    assert len(smtp_inbox.to("own@example.org")) == 2
    invitation.refresh_from_db()
    assert invitation.times_sent == 2


def test_an_invitation_expires_after_its_days(client, demo, municipality_a, smtp_inbox, settings, monkeypatch,
                                              django_capture_on_commit_callbacks):
    import datetime

    from people.invitation_letters import invitation_tokens

    login(client, demo["coordinator"])
    own = School.objects.filter(municipality=municipality_a).first()
    upload(client, [["Своя Анна", "own@example.org", "управленческая команда школы", "", own.pk, ""]])
    confirm(client, django_capture_on_commit_callbacks)
    client.logout()
    link = smtp_inbox.link("own@example.org")
    later = datetime.datetime.now() + datetime.timedelta(days=settings.INVITATION_DAYS, minutes=1)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    page = client.get("/" + link.split("/", 3)[3], follow=True).content.decode()
    assert "Ссылка приглашения недействительна" in page


def test_the_invitations_list_reads_a_constant_number_of_queries(client, demo, municipality_a, settings,
                                                                  django_assert_max_num_queries):
    from people.invitations import invitations_create

    def invite(first, count):
        people = [User.objects.create(username=f"p{n}", email=f"p{n}@example.org") for n in range(first, first + count)]
        invitations_create([(p, municipality_a.region, municipality_a) for p in people], actor=demo["department"])

    login(client, demo["department"])
    invite(0, 3)
    client.get(reverse("people:invitations"))  # warm the session
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("people:invitations"))
    invite(3, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("people:invitations"))
    page = response.content.decode()
    assert page.count("Отправить ещё раз") == settings.PAGE_SIZE  # one page of the 30
    assert response.context["counts"]["queued"] == 30
