"""Pages of records: `?page=` and `?page_size=` (100 by default, 1,000 at most). Two
queries whatever the page size: the count and the page."""

from django.core.paginator import InvalidPage
from rest_framework.pagination import PageNumberPagination

from api.params import PAGE, PAGE_SIZE, BadParameter

DEFAULT_PAGE_SIZE = 100
LARGEST_PAGE_SIZE = 1000


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_query_param = PAGE
    page_size_query_param = PAGE_SIZE
    max_page_size = LARGEST_PAGE_SIZE

    def get_page_size(self, request):
        value = request.query_params.get(PAGE_SIZE)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= LARGEST_PAGE_SIZE:
            raise BadParameter(
                PAGE_SIZE, f"'page_size' must be a whole number from 1 to {LARGEST_PAGE_SIZE}."
            )
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        number = request.query_params.get(PAGE, "1")
        try:
            self.page = paginator.page(int(number) if number.isdigit() else number)
        except (InvalidPage, ValueError):
            raise BadParameter(
                PAGE, f"There is no page {number!r}; there are {paginator.num_pages}."
            ) from None
        self.request = request
        return list(self.page)
