from django.shortcuts import render
from django.utils import timezone

from dashboard.caching import cached_page_data
from dashboard.selectors.board_pack import PACK_LIST_ITEMS, cover_sheet
from dashboard.selectors.board_pack import board_pack as board_pack_data
from dashboard.views.base import board_view
from dashboard.views.published_packs import published_packs_context
from governance.selectors import actions_from_previous_meetings

BOARD_PARAMETER = "board"


@board_view
def board_pack(request, page):
    # Read afresh, not cached with the pack: an approved report shows at once.
    cover = cover_sheet(quarter=page.quarter, board=request.GET.get(BOARD_PARAMETER, "").strip())
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
            "cover": cover,
            # The board's own action log (the pack's cache is not per board): one query.
            "actions": actions_from_previous_meetings(
                day=page.as_at, body=cover.body, limit=PACK_LIST_ITEMS
            ),
            "generated_at": timezone.localtime(),
            **published_packs_context(request, page),
        },
    )
