"""CSV for `?format=csv`: a page of records as a spreadsheet, made as the dashboard's
downloads are (common.exports.csv_content: the UTF-8 byte-order mark, formulas
neutralised)."""

from rest_framework import renderers

from common.exports import csv_content


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            records = data["results"]
        else:
            # An error's JSON body ({"detail": …} or {"errors": …}) as one row.
            records = [data] if isinstance(data, dict) else list(data or [])
        headers = list(records[0]) if records else _field_names(renderer_context)
        rows = [[_cell(record.get(name)) for name in headers] for record in records]
        return csv_content(headers=headers, rows=rows)


def _cell(value):
    return "; ".join(map(str, value)) if isinstance(value, list | tuple) else value


def _field_names(renderer_context) -> list[str]:
    view = (renderer_context or {}).get("view")
    serializer_class = getattr(view, "serializer_class", None)
    return list(serializer_class().fields) if serializer_class else []
