app_name = "workflow_api"
urlpatterns = []
