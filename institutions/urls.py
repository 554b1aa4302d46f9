from .views import public

app_name = "institutions"
urlpatterns = [
    *public.urlpatterns,
]
