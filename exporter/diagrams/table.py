"""```csvpreview: the CSV as an HTML table, with HackMD's options (Papa Parse's `header` and `delimiter`)."""
from __future__ import annotations

import csv
import io
from html import escape

DELIMITERS = ",;\t|"
"""What Papa Parse guesses among when no delimiter is given."""


class CsvError(ValueError):
    """The CSV cannot be read (an unterminated quote...): Python's csv message, as Papa Parse reports one."""


def csv_table(source: str, options: dict[str, str]) -> str:
    """A `table.csvpreview`; `header="true"` makes the first row the column headings. Raises CsvError."""
    reader = csv.reader(io.StringIO(source.strip("\n")), delimiter=_delimiter(source, options), strict=True)
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise CsvError(f"CSV error at line {reader.line_num} of the block: {exc}") from exc
    header = options.get("header", "").strip().lower() == "true" and rows
    head = f"<thead>{_row(rows[0], 'th')}</thead>" if header else ""
    body = "".join(_row(row, "td") for row in (rows[1:] if header else rows))
    return f'<table class="csvpreview">{head}<tbody>{body}</tbody></table>'


def _delimiter(source: str, options: dict[str, str]) -> str:
    given = options.get("delimiter", "")
    if len(given) == 1:
        return given
    first = source.strip("\n").split("\n", 1)[0]
    return max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","


def _row(cells: list[str], tag: str) -> str:
    scope = ' scope="col"' if tag == "th" else ""
    return "<tr>" + "".join(f"<{tag}{scope}>{escape(cell.strip())}</{tag}>" for cell in cells) + "</tr>"
