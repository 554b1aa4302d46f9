from .views import confirmation, ip, profile, public, qualification

app_name = "institutions"
urlpatterns = [
    *public.urlpatterns,
    *profile.urlpatterns,
    *qualification.urlpatterns,
    *ip.urlpatterns,
    *confirmation.urlpatterns,
]
