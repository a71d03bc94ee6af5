"""The register of acts: the list with its filters and xlsx, an act's page, its file, add / change / delete, and
linking an act to what it approves from that thing's page. Rules: `schools.access`; writes: `schools.act_services`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response
from shnor_portal.stored_files import download_response

from . import access, act_services
from .act_exports import register_xlsx
from .act_selectors import register_acts, with_things
from .models import Act

FIELDS = act_services.FIELDS


class ActForm(forms.Form):
    kind = forms.ChoiceField(label="Вид акта", choices=Act.Kind.choices, initial=Act.Kind.ORDER)
    number = forms.CharField(label="Номер", max_length=64, help_text="Как в акте: «148-02», «8», «112-о».")
    date = forms.DateField(label="Дата", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(label="Название", max_length=500, help_text="Например: «Об утверждении программы…».")
    issuer = forms.CharField(
        label="Орган, издавший акт", max_length=300,
        help_text="Например: «Управление образования администрации Петровского района».",
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, required=False, empty_label="— акт региона —",
        help_text="Чей это акт: муниципалитета или региона (управления образования).",
    )
    note = forms.CharField(label="Примечание", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    file = forms.FileField(
        label="Файл акта (PDF)", required=False, widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text="Скан подписанного акта в PDF, до 20 МБ. Можно загрузить позже.",
    )

    def __init__(self, *args, user, act: Act | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = access.act_municipalities(user).order_by("name")
        if not access.can_register_region_acts(user):
            field.required, field.empty_label = True, None
        if act is not None:
            self.fields["file"].help_text = (
                f"Сейчас: {act.file_name}. Выберите файл, только чтобы заменить его." if act.file
                else "Файл ещё не загружен. Скан подписанного акта в PDF, до 20 МБ."
            )  # fmt: skip

    def add_service_errors(self, errors: dict) -> None:
        for field, messages_ in errors.items():
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


@login_required
def act_list(request):
    access.require(access.can_read_acts(request.user), "Реестр актов открыт участникам программы поддержки ШНОР.")
    act_filter = register_acts(request.user, request.GET)
    rows = act_filter.qs if act_filter.is_valid() else Act.objects.none()
    paging = page_of(request, rows)
    return render(
        request,
        "schools/act_list.html",
        {
            "filter": act_filter,
            **paging,
            "rows": with_things(request.user, paging["page"].object_list),
            "can_create": access.can_create_acts(request.user),
        },
    )


@login_required
def act_export(request):
    access.require(access.can_read_acts(request.user), "Реестр актов открыт участникам программы поддержки ШНОР.")
    act_filter = register_acts(request.user, request.GET)
    rows = act_filter.qs if act_filter.is_valid() else Act.objects.none()
    heading = "Все акты, доступные вам"
    if act_filter.is_valid():
        chosen = []
        for name, field in act_filter.form.fields.items():
            if value := act_filter.form.cleaned_data.get(name):
                labels = dict(getattr(field, "choices", None) or []) if name in ("kind", "approves") else {}
                chosen.append(f"{field.label}: {labels.get(value, value)}")
        if chosen:
            heading = "Отбор — " + "; ".join(chosen)
    content = register_xlsx(request.user, rows, heading=heading)
    return xlsx_response(content, file_name=f"реестр-актов-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def act_detail(request, pk):
    act = access.get_act_or_404(request.user, pk)
    return render(
        request,
        "schools/act_detail.html",
        {"act": act, "row": with_things(request.user, [act])[0], "can_edit": access.can_edit_act(request.user, act)},
    )


@login_required
def act_file(request, pk):
    """The act's PDF, only through its act within the user's reach; never from a public URL, never inline."""
    act = access.get_act_or_404(request.user, pk)
    if not act.file:
        raise Http404("Файл акта не загружен.")
    return download_response(
        act.file, name=act.file_name or "акт.pdf", content_type="application/pdf",
        missing="Файл акта не найден в хранилище.",
    )  # fmt: skip


def _form_page(request, form, *, title, act=None, link_to=None, status=200):
    return render(
        request,
        "schools/act_form.html",
        {
            "form": form, "title": title, "act": act, "next": _next_url(request, ""),
            "link_label": f"{link_to[0].label}: {link_to[0].name(link_to[1])}" if link_to else "",
        },
        status=status,
    )


@login_required
def act_create(request):
    access.require(access.can_create_acts(request.user), "Акты регистрируют управление образования и координаторы.")
    link_to = None
    if key := request.GET.get("target"):
        link_to = access.get_act_target_or_404(request.user, key, request.GET.get("object") or "0")
        access.require(link_to[0].can_link(request.user, link_to[1]), "Связывать акты с этим объектом вы не можете.")
    initial = {}
    if access.can_register_region_acts(request.user):
        initial = {"issuer": act_services.default_issuer(access.working_region(request.user))}
    if request.method != "POST":
        return _form_page(request, ActForm(user=request.user, initial=initial), title="Новый акт", link_to=link_to)
    form = ActForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            act = act_services.act_create(
                actor=request.user, fields={name: form.cleaned_data[name] for name in FIELDS},
                file=form.cleaned_data["file"], link_to=link_to,
            )  # fmt: skip
        except act_services.ActError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"Акт зарегистрирован: {act.label}.")
            if link_to is not None:
                return redirect(_next_url(request, link_to[0].url(link_to[1]) + "#acts"))
            return redirect("schools:act_detail", act.pk)
    return _form_page(request, form, title="Новый акт", link_to=link_to, status=400)


@login_required
def act_edit(request, pk):
    act = access.get_act_or_404(request.user, pk)
    access.require(access.can_edit_act(request.user, act), act_services.NOT_EDITOR)
    title = f"Изменить: {act.label}"
    if request.method != "POST":
        initial = {name: getattr(act, name) for name in FIELDS}
        return _form_page(request, ActForm(user=request.user, act=act, initial=initial), title=title, act=act)
    form = ActForm(request.POST, request.FILES, user=request.user, act=act)
    if form.is_valid():
        try:
            act = act_services.act_update(
                act=act, actor=request.user, fields={name: form.cleaned_data[name] for name in FIELDS},
                file=form.cleaned_data["file"],
            )  # fmt: skip
        except act_services.ActError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, "Изменения акта сохранены.")
            return redirect("schools:act_detail", act.pk)
    return _form_page(request, form, title=title, act=act, status=400)


@login_required
def act_delete(request, pk):
    act = access.get_act_or_404(request.user, pk)
    access.require(access.can_edit_act(request.user, act), act_services.NOT_EDITOR)
    if request.method != "POST":
        return render(request, "schools/act_delete.html", {"act": act, "row": with_things(request.user, [act])[0]})
    label = act.label
    act_services.act_delete(act=act, actor=request.user)
    messages.success(request, f"Акт удалён из реестра: {label}.")
    return redirect("schools:acts")


@login_required
@require_POST
def act_link(request, target, object_id):
    """Link an act the user keeps to the thing whose page the «Документы» block is on."""
    kind, obj = access.get_act_target_or_404(request.user, target, object_id)
    back = _next_url(request, kind.url(obj) + "#acts")
    try:
        act_pk = int(request.POST.get("act") or 0)
    except ValueError:
        act_pk = 0
    act = access.get_act_or_404(request.user, act_pk) if act_pk else None
    if act is None:
        messages.error(request, "Выберите акт из реестра.")
        return redirect(back)
    act_services.act_link(act=act, actor=request.user, kind=kind, obj=obj)
    messages.success(request, f"Акт «{act.label}» связан: {kind.name(obj)}.")
    return redirect(back)


@login_required
@require_POST
def act_unlink(request, pk, link_pk):
    act = access.get_act_or_404(request.user, pk)
    link = get_object_or_404(act.links.all(), pk=link_pk)
    kind, obj = access.get_act_target_or_404(request.user, link.target, link.object_id)
    act_services.act_unlink(link=link, actor=request.user, kind=kind, obj=obj)
    messages.success(request, f"Связь снята: {kind.name(obj)}.")
    return redirect(_next_url(request, "") or reverse("schools:act_detail", args=[act.pk]))
