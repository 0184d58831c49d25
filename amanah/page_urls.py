from django.urls import include, path

from amanah import views

app_name = "amanah"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("account/", include("amanah.auth.urls")),
    # Back office (issue 12): search and counter, configuration, rollout and scorecards,
    # notification texts. Each module is one part's; the names stay in "amanah:".
    path("staff/", include("amanah.urls_search")),
    path("staff/config/", include("amanah.urls_config")),
    path("staff/rollout/", include("amanah.urls_rollout")),
    path("staff/notifications/", include("amanah.urls_notifications")),
]
