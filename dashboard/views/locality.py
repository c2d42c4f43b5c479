from django.shortcuts import get_object_or_404, render

from dashboard.periods import dashboard_page
from localities.models import Locality


def locality_detail(request, slug):
    page = dashboard_page(request)
    locality = get_object_or_404(Locality.objects.select_related("sub_system"), slug=slug)
    return render(request, "dashboard/locality.html", {"page": page, "locality": locality})
