from django.conf import settings


def portal(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "SADAD_BILLER_ID": settings.SADAD_BILLER_ID}
