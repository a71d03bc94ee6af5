"""The back office's imports (django-import-export) read through the same pipeline as the portal's, so that one file
gets the same messages in both places.

- `CheckedXLSX`: the admin's xlsx format, read by `read_workbook` (the one check: size, a renamed PDF, a zip bomb…);
  the dataset is the sheet's table under its header row, and remembers the sheet's title, its other sheets and the row
  of the sheet each line came from;
- `ReaderWidget`: a cell read by a reader of `shnor_portal.uploads.cells` (and written back as a template shows it);
- `CheckedResource`: a ModelResource that takes its sheet by title, checks the header as `read_table` does, and says
  every problem as a `Problem` sentence naming the sheet, row and column;
- `CheckedImportMixin`: for a ModelAdmin — xlsx only, the file checked when it is chosen, a refusal shown as the portal
  shows it, and the file waiting for the confirmation held where the portal holds its own (removed when it expires).
"""

from django.core.exceptions import ValidationError
from import_export import resources, widgets
from import_export.formats.base_formats import XLSX
from import_export.forms import ImportForm
from import_export.tmp_storages import MediaStorage

from ..spreadsheets import xlsx_bytes
from .cells import CellError, cell_text, normalized
from .forms import XlsxFileField
from .holding import HOLD_DIR
from .problems import Problem, Problems
from .skipped import report_formulas
from .tables import HEADER_SCAN_ROWS, Column, find_columns
from .workbook import Sheet, UploadRefused, read_workbook, sheet_named


def _table(sheet: Sheet) -> tuple[int, list[str], list[list], list[int]]:
    """A sheet as (its header's row number, headers, filled rows padded to the header's width, the sheet's row number
    of each)."""
    header_index = next(
        (index for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]) if any(cell_text(v) for v in row)), None
    )
    if header_index is None:
        return 1, [], [], []
    headers = [cell_text(value) for value in sheet.rows[header_index]]
    while headers and not headers[-1]:
        headers.pop()  # a column without a header is not read (openpyxl pads rows to the columns asked for)
    width = len(headers)
    rows, numbers = [], []
    for number, row in enumerate(sheet.rows[header_index + 1 :], start=header_index + 2):
        if any(cell_text(value) for value in row[:width]):
            rows.append(list(row[:width]) + [None] * (width - len(row)))
            numbers.append(number)
    return header_index + 1, headers, rows, numbers


def fill_dataset(dataset, sheet: Sheet) -> None:
    """Put `sheet`'s table into `dataset` (replacing what it held), with the title and row numbers of the sheet."""
    header_row, headers, rows, numbers = _table(sheet)
    dataset.wipe()
    dataset.headers = headers
    for row in rows:
        dataset.append(row)
    dataset.title = sheet.title
    dataset.header_row, dataset.row_numbers = header_row, numbers
    dataset.sheet = sheet  # for its formulas without a computed value (`CheckedResource.before_import`)


class CheckedXLSX(XLSX):
    def create_dataset(self, in_stream):
        import tablib

        sheets = read_workbook(in_stream)
        dataset = tablib.Dataset()
        # The first sheet with rows under its header (an empty one would end the import before the resource takes
        # its own sheet, `CheckedResource.sheet_title`).
        fill_dataset(dataset, next((sheet for sheet in sheets if _table(sheet)[2]), sheets[0]))
        dataset.sheets = sheets
        return dataset

    def export_data(self, dataset, **kwargs):
        """The back office's export written as every export of the portal (`shnor_portal.spreadsheets.xlsx_bytes`):
        formula-like text as quote-prefixed text, never run, and a print setup — not tablib's live formulas. The
        sheet has the resource's title, so that the file goes back through the import it came from."""
        title = getattr(dataset, "title", None) or "Лист1"
        return xlsx_bytes([(title, [list(dataset.headers or []), *map(list, dataset)])])


class ReaderWidget(widgets.Widget):
    """A cell read by `read` (a reader of `shnor_portal.uploads.cells` or one built on them); `write` turns the
    value back into what the template holds, for the export."""

    def __init__(self, read, *, required: bool = False, write=None):
        super().__init__(coerce_to_string=False)
        self.read, self.required, self.write = read, required, write

    def clean(self, value, row=None, **kwargs):
        cleaned = self.read(value)
        if self.required and cleaned in (None, ""):
            raise CellError("ячейка обязательна, а она пустая")
        return cleaned

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.write(value) if self.write else value


def column_field(column: Column, *, write=None, read=None):
    """The resource field of a template's column: its header, its reader, whether it is required."""
    from import_export.fields import Field

    widget = ReaderWidget(read or column.read, required=column.required, write=write)
    return Field(attribute=column.field, column_name=column.header, widget=widget)


class CheckedResource(resources.ModelResource):
    sheet_title = ""  # the sheet to import when the file has several (the portal's template has)
    template_columns: list[Column] = []  # the columns the header is checked against, as the portal's import does

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        if self.sheet_title:
            dataset.title = self.sheet_title
        return dataset

    def before_import(self, dataset, **kwargs):
        sheet = sheet_named(getattr(dataset, "sheets", []), self.sheet_title) if self.sheet_title else None
        if sheet is not None and sheet.title != getattr(dataset, "title", None):
            fill_dataset(dataset, sheet)
        self.sheet = getattr(dataset, "title", "") or ""
        self.row_numbers = getattr(dataset, "row_numbers", None)
        header_row = getattr(dataset, "header_row", 1)
        self.positions = {normalized(header): index + 1 for index, header in enumerate(dataset.headers or [])}
        if self.template_columns:
            _positions, wrong = find_columns(tuple(dataset.headers or ()), self.template_columns)
            if wrong:
                _refuse(dataset, [Problem(message, sheet=self.sheet, row=header_row, column=column, header=header)
                                  for column, header, message in wrong])  # fmt: skip
        # A formula without a computed value reads as an empty cell, which would keep the record's value without a
        # word: it is an error naming the cell, as on the portal (`uploads.skipped.report_formulas`).
        formulas = Problems()
        if getattr(dataset, "sheet", None) is not None:
            headers = {index + 1: header for index, header in enumerate(dataset.headers or [])}
            report_formulas(dataset.sheet, formulas, read=lambda row, column: row > header_row and column in headers,
                            headers=headers)  # fmt: skip
        if formulas:
            _refuse(dataset, formulas)
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        self.row_number = kwargs.get("row_number")
        super().before_import_row(row, **kwargs)

    def problem(self, field, message: str, row=None) -> str:
        """The sentence the portal says about this field's cell of the current row."""
        number = self.row_number
        sheet_row = self.row_numbers[number - 1] if self.row_numbers and number else (number or 0) + 1
        value = row.get(field.column_name) if row is not None else None
        return str(
            Problem(
                message, sheet=self.sheet, row=sheet_row, column=self.positions.get(normalized(field.column_name)),
                header=field.column_name, value=value,
            )
        )  # fmt: skip

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An empty cell keeps the value the record has (a new record keeps the model's default), as on the portal.
        if field.attribute and not field.readonly and field.column_name in row:
            value = field.clean(row, **kwargs)
            if value is None or (value == "" and instance.pk):
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        # The key columns are read first, by the instance loader: a wrong cell there is the row's problem too.
        for field in self.get_import_id_fields():
            try:
                self.fields[field].clean(row)
            except ValueError as error:
                raise ValidationError(self.problem(self.fields[field], str(error), row)) from error
        return super().get_or_init_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = ValidationError(self.problem(field, str(error), row), code="invalid")
        if errors:
            raise ValidationError(errors)


def _refuse(dataset, problems) -> None:
    """Refuse the file with its problems: no row of the dataset is read."""
    headers = list(dataset.headers or [])
    dataset.wipe()
    dataset.headers = headers
    raise UploadRefused(" ".join(str(problem) for problem in problems))


class HeldImportStorage(MediaStorage):
    """The back office's file waiting for its confirmation, beside the portal's: `remove_expired` clears both."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.MEDIA_FOLDER = f"{HOLD_DIR}/back-office"


class CheckedImportForm(ImportForm):
    import_file = XlsxFileField(label="Файл для загрузки")


class CheckedImportMixin:
    """Put before ImportExportModelAdmin in a ModelAdmin's bases."""

    import_formats = [CheckedXLSX]
    export_formats = [CheckedXLSX]
    import_form_class = CheckedImportForm
    tmp_storage_class = HeldImportStorage

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UploadRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)
