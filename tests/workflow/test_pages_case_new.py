"""A citizen submits general correspondence or a complaint from the tracker."""


from tests import samples
from workflow.enums import StatusCategory
from workflow.models import Case, CaseCounter


def test_a_citizen_submits_a_complaint_with_a_photo(client, world,
                                                    django_capture_on_commit_callbacks):
    client.force_login(world.applicant.user)
    # the kinds offered are those published for the citizen's municipality (by fallback)
    form = client.get("/ar/transactions/mine/new/").context["form"]
    assert [code for code, _label in form.fields["kind"].choices] == [
        "complaint", "general_correspondence"]
    # when they submit a complaint with a photo
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/ar/transactions/mine/new/", {
            "kind": "complaint", "subject": "تسرب مياه في الشارع",
            "description": "أمام المنزل رقم ١٢",
            "document": samples.upload("leak.jpg", samples.jpeg())})
    # then it is numbered in their branch, routed, and shown to them
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ar/transactions/mine/{case.pk}/"
    assert case.number.startswith("KHB-") and case.applicant_person == world.applicant
    # the routing task after the commit, and the applicant told it was received (SMS, email)
    assert sorted(callback.task_name for callback in callbacks) == [
        "amanah.notification_send", "amanah.notification_send", "workflow.case_route"]
    assert case.routed_at is not None
    assert case.category == StatusCategory.IN_REVIEW
    assert list(case.attachments.values_list("original_name", flat=True)) == ["leak.jpg"]


def test_a_submission_without_subject_creates_nothing(client, world,
                                                      django_capture_on_commit_callbacks):
    client.force_login(world.applicant.user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/en/transactions/mine/new/", {"kind": "complaint",
                                                               "subject": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["subject"] == ["This field is required."]
    assert (Case.objects.count(), CaseCounter.objects.count(), callbacks) == (0, 0, [])


def test_a_kind_not_offered_is_refused(client, world):
    client.force_login(world.applicant.user)
    response = client.post("/en/transactions/mine/new/", {"kind": "building_permit",
                                                          "subject": "x"})
    assert response.status_code == 400
    assert Case.objects.count() == 0
