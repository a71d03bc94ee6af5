"""django-import-export resources: schools and yearly profiles in and out of the back office as xlsx.

Their columns are the registry template's (sheets «Школы» and «Профили», `schools.registry_import`), each cell read
by the same reader through the upload pipeline (`shnor_portal.uploads.backoffice`), so one file gets the same
messages in the back office and on the portal's import page; an empty cell keeps the value the record has, as there.
The back office adds the columns the template has not: the site and the cluster.
"""

from django.core.exceptions import ValidationError
from import_export import fields

from shnor_portal.uploads import CellError, Column, cell_text, normalized, read_yes_no, text_reader
from shnor_portal.uploads.backoffice import CheckedResource, ReaderWidget, column_field

from .forms import profile_consistency_errors
from .models import Cluster, Municipality, School, SchoolYearProfile
from .registry_import import (
    PROFILE_COLUMNS,
    PROFILE_FIELDS,
    PROFILE_SHEET,
    SCHOOL_COLUMNS,
    SCHOOL_SHEET,
    unknown_municipality_message,
    unknown_school_message,
)

SCHOOL = {column.field: column for column in SCHOOL_COLUMNS}
PROFILE = {column.field: column for column in PROFILE_COLUMNS}


def _yes_no(value: bool) -> str:
    return "да" if value else "нет"


def find_municipality(name) -> Municipality | None:
    text = cell_text(name)
    if not text:
        return None
    found = Municipality.objects.filter(name__iexact=text).first()
    if found is None:  # «ё» typed as «е», or the other way round
        found = next((m for m in Municipality.objects.all() if normalized(m.name) == normalized(text)), None)
    return found


def read_municipality(value) -> Municipality | None:
    municipality = find_municipality(value)
    if cell_text(value) and municipality is None:
        raise CellError(unknown_municipality_message(cell_text(value)))
    return municipality


def read_cluster(value) -> Cluster | None:
    code = cell_text(value)
    if not code:
        return None
    cluster = Cluster.objects.filter(code=code).first()
    if cluster is None:
        codes = ", ".join(f"«{c}»" for c in Cluster.objects.order_by("code").values_list("code", flat=True))
        raise CellError(f"ожидается одно из значений: {codes}, а указано «{code}»")
    return cluster


# Columns of the back office only.
WEBSITE = Column("Сайт", "website", text_reader(200))
CLUSTER = Column("Кластер (код)", "cluster", read_cluster)
CLUSTER_BY_HAND = Column("Кластер назначен вручную (да/нет)", "cluster_set_by_hand", read_yes_no)


class TerritoryRows:
    """A department imports rows of its own municipalities only (`admin_territory`: the admin passes
    `municipality_ids`; None — the installation's administrator — takes every one)."""

    def __init__(self, municipality_ids=None, **kwargs):
        super().__init__(**kwargs)
        self.municipality_ids = municipality_ids

    def check_territory(self, municipality: Municipality | None, field, row) -> None:
        if self.municipality_ids is None or municipality is None or municipality.pk in self.municipality_ids:
            return
        message = f"муниципалитет «{municipality.name}» вне вашей территории: его школы ведёт его управление образования"
        raise ValidationError(self.problem(field, message, row))


class SchoolResource(TerritoryRows, CheckedResource):
    sheet_title = SCHOOL_SHEET
    template_columns = [*SCHOOL_COLUMNS, WEBSITE, CLUSTER, CLUSTER_BY_HAND]

    municipality = column_field(SCHOOL["municipality"], read=read_municipality, write=lambda m: m.name)
    short_name = column_field(SCHOOL["short_name"])
    name = column_field(SCHOOL["name"])
    kind = column_field(SCHOOL["kind"], write=lambda code: School.Kind(code).label)
    locality = column_field(SCHOOL["locality"], write=lambda code: School.Locality(code).label)
    is_small = column_field(SCHOOL["is_small"], write=_yes_no)
    address = column_field(SCHOOL["address"])
    director = column_field(SCHOOL["director"])
    phone = column_field(SCHOOL["phone"])
    email = column_field(SCHOOL["email"])
    inn = column_field(SCHOOL["inn"])
    ogrn = column_field(SCHOOL["ogrn"])
    website = column_field(WEBSITE)
    cluster = column_field(CLUSTER, write=lambda cluster: cluster.code)
    cluster_set_by_hand = column_field(CLUSTER_BY_HAND, write=_yes_no)

    class Meta:
        model = School
        import_id_fields = ["municipality", "short_name"]
        # The template's columns in its order, then the back office's own.
        fields = [
            "municipality", "short_name", "name", "kind", "locality", "is_small", "address", "director",
            "phone", "email", "inn", "ogrn", "website", "cluster", "cluster_set_by_hand",
        ]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def get_or_init_instance(self, instance_loader, row):
        found = super().get_or_init_instance(instance_loader, row)
        self.check_territory(find_municipality(_cell_of(row, SCHOOL["municipality"])), self.fields["municipality"], row)
        return found


class ProfileSchoolWidget(ReaderWidget):
    """The school of a profile's row: by its short name within the row's municipality, as the portal finds it."""

    def __init__(self):
        super().__init__(text_reader(200), required=True, write=lambda school: school.short_name)

    def clean(self, value, row=None, **kwargs):
        name = super().clean(value, row, **kwargs)
        municipality = find_municipality(_cell_of(row or {}, PROFILE["municipality"]))
        if municipality is None:
            return None  # the municipality's cell says what is wrong
        wanted = normalized(name)
        schools = School.objects.filter(municipality=municipality)
        school = next((s for s in schools if normalized(s.short_name) == wanted), None)
        if school is None:
            raise CellError(unknown_school_message(name, municipality.name))
        return school


def _cell_of(row: dict, column: Column):
    """The row's value under the column's header (or one of its names)."""
    names = column.names()
    return next((value for header, value in row.items() if normalized(header) in names), None)


class SchoolYearProfileResource(TerritoryRows, CheckedResource):
    sheet_title = PROFILE_SHEET
    template_columns = PROFILE_COLUMNS

    municipality = fields.Field(
        "school__municipality__name", PROFILE["municipality"].header, widget=ReaderWidget(read_municipality),
        readonly=True,
    )  # fmt: skip
    school = fields.Field("school", PROFILE["school"].header, widget=ProfileSchoolWidget())
    year = column_field(PROFILE["year"])
    pupils = column_field(PROFILE["pupils"])
    graduates_9 = column_field(PROFILE["graduates_9"])
    graduates_11 = column_field(PROFILE["graduates_11"])
    teachers = column_field(PROFILE["teachers"])
    vacancies = column_field(PROFILE["vacancies"])
    share_low_income = column_field(PROFILE["share_low_income"])
    share_single_parent = column_field(PROFILE["share_single_parent"])
    pupils_on_register = column_field(PROFILE["pupils_on_register"])
    share_special_needs = column_field(PROFILE["share_special_needs"])
    share_parents_higher_education = column_field(PROFILE["share_parents_higher_education"])
    teachers_under_35 = column_field(PROFILE["teachers_under_35"])
    teachers_over_55 = column_field(PROFILE["teachers_over_55"])
    teachers_highest_category = column_field(PROFILE["teachers_highest_category"])
    teachers_first_category = column_field(PROFILE["teachers_first_category"])

    class Meta:
        model = SchoolYearProfile
        import_id_fields = ["school", "year"]
        fields = ["municipality", "school", "year", *PROFILE_FIELDS]
        export_order = fields
        skip_unchanged = True
        use_transactions = True

    def get_or_init_instance(self, instance_loader, row):
        # The school is found within the row's municipality: a municipality the registry has not is said first,
        # at its own cell, as the portal says it.
        field = self.fields["municipality"]
        try:
            municipality = read_municipality(_cell_of(row, PROFILE["municipality"]))
        except CellError as error:
            raise ValidationError(self.problem(field, str(error), row)) from error
        if municipality is None:
            raise ValidationError(self.problem(field, "ячейка обязательна, а она пустая", row))
        self.check_territory(municipality, field, row)
        return super().get_or_init_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        values = {name: getattr(instance, name) for name in PROFILE_FIELDS}
        errors = {
            name: ValidationError(self.problem(self.fields[name], message[:1].lower() + message[1:], row))
            for name, message in profile_consistency_errors(values).items()
        }
        if errors:
            raise ValidationError(errors)
