"""The floor of the yearly report: the same number of cells in sheets of the same shape, written by openpyxl
write-only with no styles. `python bench/report_floor.py shapes.json out.xlsx`, shapes = [[title, rows, columns]]."""

import json
import sys

import openpyxl


def main() -> None:
    shapes, target = json.loads(open(sys.argv[1]).read()), sys.argv[2]
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows, columns in shapes:
        sheet = workbook.create_sheet(title=title)
        for number in range(rows):
            sheet.append([(f"Школа {number}", number, number / 7)[column % 3] for column in range(columns)])
    workbook.save(target)


if __name__ == "__main__":
    main()
