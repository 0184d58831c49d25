"""Violations pages: /<lang>/violations/… — each part keeps its own URL module."""

from .views import urls_approval, urls_inspections, urls_objections, urls_offender, urls_reports

app_name = "violations"
urlpatterns = [
    *urls_inspections.urlpatterns,  # the inspector's day, recording an inspection
    *urls_approval.urlpatterns,  # the approver's queue, the notice PDF, public verification
    *urls_objections.urlpatterns,  # filing an objection, the legal department's decision
    *urls_offender.urlpatterns,  # "my violations", evidence photos, compliance points
    *urls_reports.urlpatterns,  # reports and their chart
]
