"""/verify/: the public certificate check (证书核验), its own namespace under a top-level prefix."""

from .views import verify

app_name = "verify"
urlpatterns = verify.urlpatterns
