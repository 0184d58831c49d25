from django.urls import include, path

from . import views

app_name = "workflow"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/<int:department_id>/", views.queue, name="queue"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("documents/<int:attachment_id>/", views.document_download, name="document"),
    path("mine/", views.my_cases, name="my_cases"),
    path("mine/new/", views.case_new, name="case_new"),
    path("mine/<int:case_id>/", views.my_case, name="my_case"),
    path("status/", views.status_check, name="status_check"),
    path("analytics/", views.analytics, name="analytics"),
    path("designer/", include("workflow.urls_designer")),
    path("holidays/", include("workflow.urls_holidays")),
    path("exports/", include("workflow.urls_exports")),
    path("counter/", include("workflow.urls_counter")),
]
