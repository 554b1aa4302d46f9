from .views import confirmation, ip, open_data, profile, public, public_profile, qualification

app_name = "institutions"
urlpatterns = [
    *public.urlpatterns,
    *open_data.directory_urlpatterns,
    *public_profile.urlpatterns,
    *profile.urlpatterns,
    *qualification.urlpatterns,
    *ip.urlpatterns,
    *confirmation.urlpatterns,
]
