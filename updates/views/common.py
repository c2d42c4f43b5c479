"""What every quarterly-update view does first: find the update and check who is asking."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.urls import reverse

from localities import access
from localities.models import Locality, Quarter
from updates.models import QuarterlyUpdate


@dataclass
class UpdateTarget:
    """The locality and quarter a URL names, and their update if it has been started."""

    locality: Locality
    quarter: Quarter
    update: QuarterlyUpdate

    @property
    def is_started(self) -> bool:
        return self.update.pk is not None

    @property
    def quarter_slug(self) -> str:
        return self.quarter.slug

    def url(self, name: str, **kwargs) -> str:
        return reverse(
            f"updates:{name}",
            kwargs={"locality": self.locality.slug, "quarter": self.quarter_slug, **kwargs},
        )


def find_update(locality_slug: str, quarter_text: str) -> UpdateTarget:
    """The update the URL names (unsaved if not yet started); 404 for an unknown locality or quarter."""
    locality = get_object_or_404(Locality, slug=locality_slug)
    quarter = get_object_or_404(
        Quarter.objects.select_related("financial_year").with_slug(quarter_text)
    )
    update = (
        QuarterlyUpdate.objects.select_related("submitted_by", "reviewed_by")
        .filter(locality=locality, quarter=quarter)
        .first()
    ) or QuarterlyUpdate(locality=locality, quarter=quarter, version=0)
    update.locality, update.quarter = locality, quarter
    return UpdateTarget(locality=locality, quarter=quarter, update=update)


def require_can_read(request, target: UpdateTarget) -> None:
    if not access.can_read_update(request.user, target.update):
        raise access.refuse(
            "reading this update",
            target.update,
            message="Board members read a quarterly update once the programme office has approved it.",
        )


def require_can_edit(request, target: UpdateTarget) -> None:
    if not access.can_work_on_return(request.user, target.locality, target.quarter):
        raise access.refuse(
            "editing this locality's update",
            target.locality,
            message=(
                f"Only the lead for {target.locality} at the end of {target.quarter} "
                "can change its update."
            ),
        )


def require_reviewer(request) -> None:
    if not access.can_review_updates(request.user):
        raise access.refuse(
            "reviewing quarterly updates",
            message="Only the programme office reviews quarterly updates.",
        )
