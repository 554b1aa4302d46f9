from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from sujt.core.richtext import editor_upload_refused

urlpatterns = [
    path("", include("sujt.portal.urls")),
    path("accounts/", include("sujt.accounts.urls")),
    path("files/", include("sujt.core.urls")),
    path("institutions/", include("institutions.urls")),
    path("rectification/", include("rectification.urls")),
    path("centers/", include("centers.urls")),
    path("reports/", include("reporting.urls")),
    path("credit/", include("credit.urls")),
    path("verify/", include("institutions.urls_verify")),
    path("capabilities/", include("institutions.urls_capabilities")),
    path("", include("news.urls")),
    # The editor widget links to an upload URL by this name; no feature uploads through it.
    path("ckeditor5/image_upload/", editor_upload_refused, name="ck_editor_5_upload_file"),
    # Regulators change their password on the same page as everyone (policy, history, change time).
    path("admin/password_change/", RedirectView.as_view(pattern_name="accounts:password_change")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
