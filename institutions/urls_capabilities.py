"""/capabilities/: 谁能检, the capability search across institutions, and its open data; its own
namespace under a top-level prefix."""

from .views import capability_search, open_data

app_name = "capabilities"
urlpatterns = [*capability_search.urlpatterns, *open_data.capability_urlpatterns]
