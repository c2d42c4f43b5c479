"""The data API's query parameters: what each endpoint accepts, and the 400 that names
one it does not, or a value it cannot read (decision 0025)."""

import datetime

from rest_framework import status
from rest_framework.exceptions import APIException

QUARTER = "quarter"
LOCALITY = "locality"
FROM = "from"
TO = "to"
PAGE = "page"
PAGE_SIZE = "page_size"
FORMAT = "format"
# Every endpoint takes these; each adds its filters.
ALWAYS = (QUARTER, PAGE, PAGE_SIZE, FORMAT)


class BadParameter(APIException):
    """400 with a JSON body naming the parameter: {"parameter": …, "detail": …}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_parameter"

    def __init__(self, parameter: str, message: str):
        super().__init__({"parameter": parameter, "detail": message})


def check_names(query, allowed) -> None:
    for name in query:
        if name not in allowed:
            raise BadParameter(
                name, f"Unknown parameter {name!r}; this endpoint takes {', '.join(allowed)}."
            )
    for name in query:
        if len(query.getlist(name)) > 1:
            raise BadParameter(name, f"Give {name!r} once.")


def date_value(query, name: str) -> datetime.date | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, f"{name!r} must be a date, YYYY-MM-DD.") from None
