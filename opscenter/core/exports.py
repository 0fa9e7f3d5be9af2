"""Table exports shared by every list in the web UI: CSV (UTF-8 with BOM, so Excel reads Vietnamese) or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
ALIASES = {"excel": "xlsx", "xls": "xlsx"}


def export_format(request: HttpRequest) -> str | None:
    """The `?format=` asked for (csv or xlsx), or None when the page itself is wanted."""
    fmt = request.GET.get("format", "").lower()
    fmt = ALIASES.get(fmt, fmt)
    return fmt if fmt in FORMATS else None


def _plain(value: Any) -> Any:
    """A cell value both writers understand: local naive datetimes, text for the rest."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool | int | float | dt.date):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _csv_text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_response(filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: str) -> HttpResponse:
    """A download of one table. `filename` without extension; `fmt` is "csv" or "xlsx"."""
    fmt = ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        return HttpResponseBadRequest("format must be csv or xlsx")
    content_type, extension = FORMATS[fmt]
    headers = [str(h) for h in headers]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_text(v) for v in row])
        body: bytes = buffer.getvalue().encode("utf-8-sig")
    else:
        body = _xlsx(headers, rows)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def _xlsx(headers: list[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F2A37")
    heading = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = bold, fill
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_plain(value))
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
