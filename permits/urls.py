"""The permits app's pages: each module of permits/views/ lists its own."""

from .licences import urls as licences_urls
from .views import apply, catalogue, excavation, parties, permits, staff

app_name = "permits"
urlpatterns = [
    *catalogue.urlpatterns,
    *apply.urlpatterns,
    *parties.urlpatterns,
    *staff.urlpatterns,
    *permits.urlpatterns,
    *excavation.urlpatterns,
    *licences_urls.urlpatterns,
]
