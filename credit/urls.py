"""Module 05's workspace URLs, gathered from its view modules."""

from .views import applications, commitment, results

app_name = "credit"

urlpatterns = [*results.urlpatterns, *commitment.urlpatterns, *applications.urlpatterns]
