app_name = "payments_api"
urlpatterns = []
