from django.urls import path

from . import api

app_name = "workflow_api"
urlpatterns = [
    path("workflow/cases/", api.CaseListApi.as_view(), name="case_list"),
    path("workflow/cases/<int:case_id>/", api.CaseDetailApi.as_view(), name="case_detail"),
    path("workflow/cases/<int:case_id>/transitions/", api.CaseTransitionApi.as_view(),
         name="case_transition"),
    path("workflow/cases/<int:case_id>/claim/", api.CaseClaimApi.as_view(), name="case_claim"),
    path("workflow/cases/<int:case_id>/assign/", api.CaseAssignApi.as_view(),
         name="case_assign"),
    path("workflow/cases/<int:case_id>/transfer/", api.CaseTransferApi.as_view(),
         name="case_transfer"),
    path("workflow/cases/<int:case_id>/comments/", api.CaseCommentApi.as_view(),
         name="case_comment"),
    path("workflow/status/", api.CaseStatusPublicApi.as_view(), name="case_status_public"),
]
