"""The procedure designer (issue 12, part 2), at /transactions/designer/; names stay in the
workflow namespace."""

from django.urls import path

from .views import designer

urlpatterns = [
    path("", designer.designer_list, name="designer_list"),
    path("procedures/<int:definition_id>/", designer.designer_definition,
         name="designer_definition"),
    path("procedures/<int:definition_id>/draft/", designer.designer_draft_start,
         name="designer_draft_start"),
    path("drafts/<int:version_id>/", designer.designer_draft, name="designer_draft"),
    path("drafts/<int:version_id>/states/new/", designer.designer_state_save,
         name="designer_state_add"),
    path("drafts/<int:version_id>/states/<int:state_id>/", designer.designer_state_save,
         name="designer_state_save"),
    path("drafts/<int:version_id>/states/<int:state_id>/delete/", designer.designer_state_delete,
         name="designer_state_delete"),
    path("drafts/<int:version_id>/transitions/new/", designer.designer_transition_save,
         name="designer_transition_add"),
    path("drafts/<int:version_id>/transitions/<int:transition_id>/",
         designer.designer_transition_save, name="designer_transition_save"),
    path("drafts/<int:version_id>/transitions/<int:transition_id>/delete/",
         designer.designer_transition_delete, name="designer_transition_delete"),
    path("drafts/<int:version_id>/publish/", designer.designer_publish,
         name="designer_publish"),
    path("drafts/<int:version_id>/discard/", designer.designer_discard,
         name="designer_discard"),
]
