from django.urls import path

from amanah import views

app_name = "amanah"
urlpatterns = [
    path("", views.home, name="home"),
]
