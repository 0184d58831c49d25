app_name = "sadad"
urlpatterns = []
