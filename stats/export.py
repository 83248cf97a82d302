"""A published table as CSV: what the page shows, hidden cells as "<5"."""

import csv
import io

from stats.tables import Table

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(text: str) -> str:
    """Keep a cell from being read as a formula (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def table_csv(table: Table) -> str:
    """The table as CSV text, numbers in plain digits with a dot for decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe(str(heading)) for heading in table.columns])
    for row in table.rows:
        cells = [cell.text if cell.value is None else str(cell.value) for cell in row.cells]
        writer.writerow([safe(str(row.label)), *map(safe, cells)])
    # A byte-order mark, so that spreadsheets read Cyrillic labels as UTF-8.
    return "\ufeff" + out.getvalue()
