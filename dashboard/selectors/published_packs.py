"""The published versions of a quarter's board pack (never their PDFs' bytes)."""

from governance.models import PublishedPack
from localities.models import Quarter


def published_packs_of(quarter: Quarter) -> list[PublishedPack]:
    """Every version of the quarter's packs, each board's latest first: one query."""
    return list(
        PublishedPack.objects.without_pdf()
        .filter(quarter=quarter)
        .select_related("body", "requested_by", "quarter__financial_year")
        .order_by("body__name", "-number")
    )


def downloadable_pack(pk: int) -> PublishedPack:
    """A published pack with its PDF (one query); DoesNotExist if not published."""
    return (
        PublishedPack.objects.published()
        .select_related("quarter__financial_year", "body")
        .get(pk=pk)
    )
