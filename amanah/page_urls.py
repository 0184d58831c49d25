from django.urls import include, path

from amanah import views

app_name = "amanah"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("account/", include("amanah.auth.urls")),
]
