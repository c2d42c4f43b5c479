from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboard.caching import cached_page_data
from dashboard.periods import dashboard_page
from dashboard.selectors.board_pack import board_pack as board_pack_data


@require_safe
def board_pack(request):
    page = dashboard_page(request)
    return render(
        request,
        "dashboard/board_pack.html",
        {
            "page": page,
            "pack": cached_page_data(
                "board-pack",
                page=page,
                compute=lambda: board_pack_data(page=page),
                today=page.today,  # its overview's overdue returns are judged today
            ),
            "generated_at": timezone.localtime(),
        },
    )
