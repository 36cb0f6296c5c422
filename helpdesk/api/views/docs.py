"""The OpenAPI schema and its Swagger UI page. The UI's assets come from the sidecar
package through our static files; its start-up script is a separate file (the split
view), and the page's little CSS is a static file too, so the site-wide
Content-Security-Policy (scripts and styles from 'self' only) holds unchanged."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api_schema"
