from . import feeds
from .views import public, workspace

app_name = "news"
urlpatterns = [*public.urlpatterns, *feeds.urlpatterns, *workspace.urlpatterns]
