from .views import confirmation, ip, profile, public, public_profile, qualification

app_name = "institutions"
urlpatterns = [
    *public.urlpatterns,
    *public_profile.urlpatterns,
    *profile.urlpatterns,
    *qualification.urlpatterns,
    *ip.urlpatterns,
    *confirmation.urlpatterns,
]
