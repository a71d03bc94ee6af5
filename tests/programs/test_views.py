import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs.models import Evidence, Programme, Review, RoadmapMeasure, RoadmapSection

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def measure_post(measure, **changes):
    """The measure form as the browser would send it, with changes."""
    data = {
        "name": measure.name,
        "result_name": measure.result_name,
        "unit": measure.unit,
        "planned": measure.planned_label,
        "executors": measure.executors,
        "deadline": measure.deadline_label,
        "status": measure.status,
        "risk_factor": measure.risk_factor_id or "",
        "note": measure.note,
        "version": measure.version,
    }
    for row in measure.years.all():
        data[f"plan_{row.year}"] = row.planned_label
        data[f"fact_{row.year}"] = row.actual_value if row.actual_value is not None else ""
    data.update(changes)
    return data


@pytest.fixture
def coordinator(client, demo):
    client.force_login(demo["coordinator"])
    return client


@pytest.fixture
def municipal(programmes):
    return programmes["municipal"]


def test_detail_page_shows_passport_roadmap_progress_and_overdue(coordinator, municipal):
    response = coordinator.get(reverse("programs:detail", args=[municipal.pk]))
    html = response.content.decode()
    assert "Паспорт программы" in html and "Повышение качества образования" in html
    assert "Отбор ШНОР и ШНСУ для адресного сопровождения" in html
    assert html.count('class="measure-row') == 25
    assert html.count("measure-row table-danger overdue") == 5
    assert "Выполнено <strong data-done>7</strong> из <strong data-active>25</strong>" in html
    assert 'data-rag="amber"' in html
    assert "Отправить на экспертизу" in html


def test_measure_is_edited_in_place(coordinator, municipal):
    measure = municipal.measures.get(name__startswith="Отбор ШНОР")
    form = coordinator.get(reverse("programs:measure_edit", args=[measure.pk]), **HTMX)
    assert form.status_code == 200
    html = form.content.decode()
    assert html.lstrip().startswith(f'<tr id="measure-{measure.pk}" class="measure-form-row">')
    assert "<html" not in html

    response = coordinator.post(
        reverse("programs:measure_edit", args=[measure.pk]),
        measure_post(measure, status="done", fact_2027="4", note="Перечень утверждён приказом"),
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="measure-{measure.pk}" class="measure-row')
    assert "Перечень утверждён приказом" in html and "выполнено" in html
    assert 'id="programme-progress" class="d-flex flex-wrap align-items-center gap-3" hx-swap-oob="true"' in html
    measure.refresh_from_db()
    assert measure.status == "done" and measure.version == 2
    assert measure.years.get(year=2027).actual_value == 4


def test_validation_message_is_shown_next_to_the_field(coordinator, municipal):
    measure = municipal.measures.get(name__startswith="Отбор ШНОР")
    response = coordinator.post(
        reverse("programs:measure_edit", args=[measure.pk]),
        measure_post(measure, planned="-3", deadline="2031-01-10", plan_2026="минус"),
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in place of the form
    planned_block = re.search(r'<div id="div_id_planned".*?</div>\s*</div>', html, re.S).group(0)
    assert "Плановое значение не может быть отрицательным." in planned_block
    deadline_block = re.search(r'<div id="div_id_deadline".*?</div>\s*</div>', html, re.S).group(0)
    assert "вне срока программы" in deadline_block
    measure.refresh_from_db()
    assert measure.version == 1 and measure.planned_value == 4


def test_second_editor_is_refused_and_shown_the_current_value(client, demo, municipal, django_user_model):
    from schools.services import role_assign

    measure = municipal.measures.get(name__startswith="Отбор ШНОР")
    colleague = django_user_model.objects.create_user("coordinator2", first_name="Пётр", last_name="Ильин")
    role_assign(user=colleague, role="coordinator", municipality=municipal.municipality)
    opened = measure_post(measure)  # both opened the form at version 1

    client.force_login(demo["coordinator"])
    first = client.post(
        reverse("programs:measure_edit", args=[measure.pk]), {**opened, "executors": "УО, УМЦ, ОО"}, **HTMX
    )
    assert 'class="measure-row' in first.content.decode()

    client.force_login(colleague)
    second = client.post(
        reverse("programs:measure_edit", args=[measure.pk]), {**opened, "executors": "только УО"}, **HTMX
    )
    html = second.content.decode()
    assert "Это мероприятие уже изменил(а) Андрей Сергеевич Михайлов" in html
    assert "Сейчас сохранено:" in html and "УО, УМЦ, ОО" in html
    assert 'name="version" value="2"' in html  # a deliberate second save can go through
    measure.refresh_from_db()
    assert measure.executors == "УО, УМЦ, ОО"


def test_add_move_and_delete_rerender_the_section(coordinator, municipal):
    section = municipal.sections.get(position=1)
    url = reverse("programs:measure_add", args=[section.pk])
    assert 'id="new-measure-' in coordinator.get(url, **HTMX).content.decode()
    response = coordinator.post(url, {"name": "Новое мероприятие", "status": "planned", "planned": "2"}, **HTMX)
    assert response["HX-Retarget"] == f"#section-{section.pk}"
    assert "1.5</td>" in response.content.decode()
    new = section.measures.get(name="Новое мероприятие")

    moved = coordinator.post(reverse("programs:measure_move", args=[new.pk, "up"]), **HTMX)
    assert moved["HX-Retarget"] == f"#section-{section.pk}"
    new.refresh_from_db()
    assert new.position == 4

    deleted = coordinator.post(reverse("programs:measure_delete", args=[new.pk]), {"version": new.version}, **HTMX)
    assert deleted.status_code == 200 and "Новое мероприятие" not in deleted.content.decode()
    assert not RoadmapMeasure.objects.filter(pk=new.pk).exists()
    assert coordinator.post(reverse("programs:measure_move", args=[new.pk, "sideways"])).status_code == 404


def test_stale_delete_is_refused(coordinator, municipal):
    measure = municipal.measures.first()
    response = coordinator.post(reverse("programs:measure_delete", args=[measure.pk]), {"version": 99}, **HTMX)
    assert "пока вы смотрели страницу" in response.content.decode()
    assert RoadmapMeasure.objects.filter(pk=measure.pk).exists()


def test_sections_are_added_renamed_and_removed_in_place(coordinator, municipal):
    add_url = reverse("programs:section_add", args=[municipal.pk])
    assert 'id="roadmap-tail"' in coordinator.get(add_url, **HTMX).content.decode()
    response = coordinator.post(add_url, {"title": "Мониторинг реализации программы"}, **HTMX)
    assert response["HX-Retarget"] == "#roadmap"
    assert "7.</th>" in response.content.decode()
    section = municipal.sections.get(position=7)

    edit_url = reverse("programs:section_edit", args=[section.pk])
    assert "section-form" in coordinator.get(edit_url, **HTMX).content.decode()
    renamed = coordinator.post(edit_url, {"title": "Мониторинг", "version": section.version}, **HTMX)
    assert "Мониторинг</th>" in renamed.content.decode()
    stale = coordinator.post(edit_url, {"title": "Иначе", "version": 1}, **HTMX)
    assert "Задачу уже изменил(а)" in stale.content.decode() and "сейчас она называется «Мониторинг»" in stale.content.decode()

    removed = coordinator.post(reverse("programs:section_delete", args=[section.pk]), {"version": 2}, **HTMX)
    assert removed["HX-Retarget"] == "#roadmap"
    assert not RoadmapSection.objects.filter(pk=section.pk).exists()


def test_row_forms_work_without_javascript(coordinator, municipal):
    measure = municipal.measures.first()
    page = coordinator.get(reverse("programs:measure_edit", args=[measure.pk]))
    assert "<html" in page.content.decode() and "Мероприятие 1.1" in page.content.decode()
    response = coordinator.post(reverse("programs:measure_edit", args=[measure.pk]), measure_post(measure, unit="школ"))
    assert response.status_code == 302 and response.url.endswith(f"#measure-{measure.pk}")


def test_plan_is_locked_on_review_but_execution_is_reported(client, demo, programmes):
    client.force_login(demo["department"])
    accepted = programmes["accepted"]
    html = client.get(reverse("programs:detail", args=[accepted.pk])).content.decode()
    assert "Добавить мероприятие" not in html and "Изменить паспорт" not in html
    measure = accepted.measures.order_by("pk").first()
    form = client.get(reverse("programs:measure_edit", args=[measure.pk]), **HTMX).content.decode()
    assert "План программы заблокирован" in form
    assert re.search(r'name="name"[^>]*disabled', form)
    response = client.post(
        reverse("programs:measure_edit", args=[measure.pk]),
        measure_post(measure, name="Подмена плана", status="done"),
        **HTMX,
    )
    measure.refresh_from_db()
    assert measure.status == "done" and measure.name != "Подмена плана"  # disabled fields keep their value
    assert 'class="measure-row' in response.content.decode()
    blocked = client.post(reverse("programs:section_add", args=[accepted.pk]), {"title": "Новая"}, **HTMX)
    assert "План программы сейчас изменить нельзя" in blocked.content.decode()


def test_evidence_upload_download_and_refusal(coordinator, municipal, settings):
    measure = municipal.measures.get(name__startswith="Отбор ШНОР")
    url = reverse("programs:evidence", args=[measure.pk])
    panel = coordinator.get(url, **HTMX).content.decode()
    assert "Документов пока нет." in panel
    response = coordinator.post(
        url, {"title": "Приказ № 12", "file": SimpleUploadedFile("prikaz.pdf", b"%PDF-1.4 test")}, **HTMX
    )
    html = response.content.decode()
    assert "Приказ № 12" in html and f'id="evidence-count-{measure.pk}" hx-swap-oob="true">1<' in html
    evidence = Evidence.objects.get(measure=measure)
    download = coordinator.get(reverse("programs:evidence_download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert "prikaz.pdf" in download["Content-Disposition"]

    settings.EVIDENCE_MAX_BYTES = 1000
    big = SimpleUploadedFile("skan.pdf", b"%PDF" + b"0" * 5000)
    refused = coordinator.post(url, {"title": "Большой скан", "file": big}, **HTMX).content.decode()
    assert "больше допустимых 1000 байт" in refused
    renamed = SimpleUploadedFile("program.pdf", b"MZ\x90\x00binary")
    refused = coordinator.post(url, {"title": "Не PDF", "file": renamed}, **HTMX).content.decode()
    assert "по содержимому это не PDF" in refused
    assert Evidence.objects.filter(measure=measure).count() == 1

    deleted = coordinator.post(reverse("programs:evidence_delete", args=[evidence.pk]), **HTMX)
    assert "Документов пока нет." in deleted.content.decode()
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_outsider_gets_404_for_evidence_by_url(client, demo, programmes):
    evidence = Evidence.objects.get(measure__programme=programmes["municipal"])
    for username in ("coordinator_b", "school", "curator", "tutor"):
        client.force_login(demo[username])
        assert client.get(reverse("programs:evidence_download", args=[evidence.pk])).status_code == 404, username
        assert client.post(reverse("programs:evidence_delete", args=[evidence.pk])).status_code == 404, username
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_review_page_requires_remarks_to_return(client, demo, programmes):
    review = programmes["submitted"].reviews.get(kind=Review.Kind.MUNICIPAL)
    client.force_login(demo["coordinator"])
    url = reverse("programs:review", args=[review.pk])
    assert "Взять на экспертизу" in client.get(url).content.decode()
    client.post(url, {"action": "start"})
    programmes["submitted"].refresh_from_db()
    assert programmes["submitted"].state == Programme.State.IN_REVIEW
    criterion = review.checks.first().criterion_id
    response = client.post(url, {"action": "complete", "verdict": "returned", "remarks": "", f"check_{criterion}": "no"})
    assert "Чтобы вернуть программу на доработку, напишите замечания" in response.content.decode()
    client.post(url, {"action": "save", "remarks": "Черновик замечаний", f"check_{criterion}": "no"})
    review.refresh_from_db()
    assert review.remarks == "Черновик замечаний" and review.checks.get(criterion_id=criterion).met is False
    done = client.post(url, {"action": "complete", "verdict": "returned", "remarks": "Исправьте задачу 2."})
    assert done.status_code == 302
    client.force_login(demo["department"])
    html = client.get(reverse("programs:detail", args=[programmes["submitted"].pk])).content.decode()
    assert "Программа возвращена на доработку" in html and "Исправьте задачу 2." in html


def test_history_page_says_who_changed_what(coordinator, municipal):
    measure = municipal.measures.get(name__startswith="Отбор ШНОР")
    coordinator.post(reverse("programs:measure_edit", args=[measure.pk]), measure_post(measure, executors="УО"))
    html = coordinator.get(reverse("programs:history", args=[municipal.pk])).content.decode()
    assert "Андрей Сергеевич Михайлов" in html
    assert "Мероприятие «Отбор ШНОР и ШНСУ для адресного сопровождения»" in html
    assert "исполнители:" in html and "ДО, УО, УМЦ" in html


def test_rounds_can_be_compared(client, demo, programmes):
    accepted = programmes["accepted"]
    client.force_login(demo["coordinator"])
    html = client.get(reverse("programs:compare", args=[accepted.pk, 2])).content.decode()
    assert "раунд 1" in html and "раунд 2" in html
    assert "Исполнители" in html and "учителя математики" in html
    assert client.get(reverse("programs:compare", args=[accepted.pk, 3])).status_code == 404


def test_print_view_is_ready_for_signing(coordinator, municipal):
    html = coordinator.get(reverse("programs:print", args=[municipal.pk])).content.decode()
    assert "Паспорт программы" in html and "«Дорожная карта» реализации программы" in html
    assert "Куратор программы" in html and "_______________ /" in html
    assert "Отбор ШНОР и ШНСУ для адресного сопровождения" in html
    assert 'class="breadcrumb"' not in html


def test_list_filters_stay_within_reach(client, demo, programmes, municipality_a):
    client.force_login(demo["coordinator"])
    response = client.get(reverse("programs:list"), {"state": "accepted"})
    assert [p.pk for p in response.context["page"].object_list] == [programmes["accepted"].pk]
    response = client.get(reverse("programs:list"), {"kind": "anti_risk"})
    assert [p.pk for p in response.context["page"].object_list] == [programmes["returned"].pk]
    client.force_login(demo["coordinator_b"])
    response = client.get(reverse("programs:list"), {"municipality": municipality_a.pk})
    assert list(response.context["page"].object_list) == []


def test_programme_is_created_and_its_passport_edited(client, demo, programmes):
    client.force_login(demo["school"])
    response = client.post(
        reverse("programs:create"),
        {"kind": "anti_risk", "school": programmes["draft"].school_id, "title": "Антирисковая: дефицит кадров",
         "period_start": 2026, "period_end": 2026},
    )
    assert "Антирисковая программа преодолевает один фактор риска" in response.content.decode()
    factor = programmes["returned"].risk_factor
    response = client.post(
        reverse("programs:create"),
        {"kind": "anti_risk", "school": programmes["draft"].school_id, "title": "Антирисковая", "risk_factor": factor.pk,
         "period_start": 2026, "period_end": 2026},
    )
    programme = Programme.objects.get(title="Антирисковая")
    assert response.url == reverse("programs:detail", args=[programme.pk])
    assert programme.created_by == demo["school"] and programme.municipality == programmes["draft"].municipality
    edit = reverse("programs:passport_edit", args=[programme.pk])
    client.post(edit, {"title": "Антирисковая", "period_start": 2026, "period_end": 2026, "risk_factor": factor.pk,
                       "goal": "Снизить долю", "version": 1})
    programme.refresh_from_db()
    assert programme.goal == "Снизить долю"
    stale = client.post(edit, {"title": "Антирисковая", "period_start": 2026, "period_end": 2026,
                               "risk_factor": factor.pk, "goal": "Поверх", "version": 1})
    assert "Паспорт программы уже изменил(а)" in stale.content.decode()
    bad = client.post(edit, {"title": "Антирисковая", "period_start": 2027, "period_end": 2026,
                             "risk_factor": factor.pk, "version": 2})
    assert "Последний год не может быть раньше первого." in bad.content.decode()
    # The school cannot start a programme for another school by posting its id.
    other = programmes["submitted"].school
    response = client.post(
        reverse("programs:create"),
        {"kind": "transition", "school": other.pk, "title": "Чужая", "period_start": 2026, "period_end": 2027},
    )
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Programme.objects.filter(title="Чужая").exists()


def test_department_opens_every_programmes_admin_list_with_search(client, demo, programmes):
    from django.contrib import admin

    client.force_login(demo["department"])
    for model in admin.site._registry:
        if model._meta.app_label != "programs":
            continue
        url = reverse(f"admin:programs_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "Заречн"}).status_code == 200, url
    evidence = Evidence.objects.first()
    page = client.get(reverse("admin:programs_evidence_change", args=[evidence.pk])).content.decode()
    assert reverse("programs:evidence_download", args=[evidence.pk]) in page


def test_a_review_finished_by_a_colleague_is_not_overwritten(client, demo, programmes):
    review = programmes["submitted"].reviews.get(kind=Review.Kind.MUNICIPAL)
    url = reverse("programs:review", args=[review.pk])
    client.force_login(demo["department"])
    client.post(url, {"action": "complete", "verdict": "accepted", "remarks": ""})
    client.force_login(demo["coordinator"])
    response = client.post(url, {"action": "complete", "verdict": "returned", "remarks": "Поздно"}, follow=True)
    assert "Эта экспертиза уже завершена: программа принята. Ваше решение не сохранено." in response.content.decode()
    review.refresh_from_db()
    assert review.verdict == "accepted" and review.remarks == ""
