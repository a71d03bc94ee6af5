"""One pipeline for every upload of a spreadsheet: hold the file, read typed cells, report problems, preview, save.

- `workbook`: the one check of a file (`UPLOAD_MAX_BYTES`, empty, a renamed PDF, an old .xls, a zip bomb) and the
  reading of its sheets — `read_workbook`, `UploadRefused`;
- `cells`: typed readers of cells with Russian messages — `read_text`, `read_count`, `read_decimal`, `read_percent`,
  `read_year`, `read_date`, `choice_reader`, `read_yes_no`… raising `CellError`;
- `tables`: a sheet read by its headers, each cell by its column's reader — `Column`, `read_table`;
- `problems`: what is wrong, said one way everywhere — `Problem` (sheet, row, column, value, message), `Problems`,
  and `CheckedFile`, the base of every import's preview; the template include `uploads/_problems.html` shows them;
- `skipped`: what would not be saved, named cell by cell — `report_formulas` (a formula without a computed value:
  an error), `report_unread` (text outside the template's fields: a warning) and `report_beside_table` (the same
  beside a table's columns; `read_table` does it when given its warnings);
- `holding`: the uploaded file waits for the user's confirmation in Django's storage — `hold`, `held`, `discard`,
  `remove_expired` (and `manage.py remove_expired_uploads`);
- `forms`: `XlsxFileField`, the upload field that runs the check before anything is kept;
- `confirm`: `preview_and_confirm`, the preview page's step every import shares — check the held file again, show
  it, save on confirmation or list why not;
- `backoffice`: django-import-export reading through the same checks, readers and messages.

An import checks the whole file and shows a preview; its save runs in one transaction, or stores nothing. This
package imports no app of the portal: the imports live in their apps and use it.
"""

from .cells import (
    CellError,
    cell_text,
    choice_reader,
    is_blank,
    normalized,
    read_count,
    read_date,
    read_decimal,
    read_digits,
    read_email,
    read_integer,
    read_number,
    read_percent,
    read_text,
    read_year,
    read_yes_no,
    shown,
    text_reader,
)
from .confirm import preview_and_confirm
from .forms import XlsxFileField, upload_limit_label
from .holding import HeldUpload, discard, held, hold, remove_expired
from .problems import CheckedFile, Problem, Problems
from .skipped import report_beside_table, report_formulas, report_unread
from .tables import Column, TableRow, read_table
from .workbook import Sheet, UploadRefused, check_upload, read_workbook, sheet_named, upload_max_bytes

__all__ = [
    "CellError", "CheckedFile", "Column", "HeldUpload", "Problem", "Problems", "Sheet", "TableRow", "UploadRefused",
    "XlsxFileField", "cell_text", "check_upload", "choice_reader", "discard", "held", "hold", "is_blank",
    "normalized", "preview_and_confirm", "read_count", "read_date", "read_decimal", "read_digits", "read_email", "read_integer",
    "read_number", "read_percent", "read_table", "report_beside_table", "report_formulas", "report_unread", "read_text", "read_workbook", "read_year", "read_yes_no",
    "remove_expired", "sheet_named", "shown", "text_reader", "upload_limit_label", "upload_max_bytes",
]  # fmt: skip
