app_name = "amanah_api"
urlpatterns = []
