import importlib

import pytest
from django.urls import Resolver404, get_resolver

import amanah.urls


def test_media_files_are_never_served_by_url_even_with_debug_on(settings):
    # given the development setting that used to add a /media/ route
    settings.DEBUG = True
    urls = importlib.reload(amanah.urls)

    # when a receipt's file path is asked for directly
    # then nothing answers: private files go out only through permission-checked views
    with pytest.raises(Resolver404):
        get_resolver(urls).resolve("/media/private/receipts/RC-20261130-00000001.pdf")
