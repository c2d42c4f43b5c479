"""The API's documentation for signed-in readers: Swagger UI over the generated schema,
served from our own static files (drf-spectacular-sidecar) with its start-up script as
a file of its own, so the Content-Security-Policy needs no CDN and nothing inline."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import authentication, permissions
from rest_framework.exceptions import PermissionDenied

from localities import access


class ReadsDashboards(permissions.BasePermission):
    def has_permission(self, request, view):
        if not access.can_view_dashboards(request.user):
            raise PermissionDenied("The API's documentation is for people who read the dashboards.")
        return True


@extend_schema(exclude=True)
class ApiDocsView(SpectacularSwaggerSplitView):
    authentication_classes = [authentication.SessionAuthentication]
    permission_classes = [ReadsDashboards]
    template_name = "api/docs.html"
    url_name = "api:schema"
    title = "Kent and Medway Local Care data API"
    throttle_classes = []
