"""Capped counts: a list counts its rows only up to a cap, and pages only through it."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah.pagination import CappedPaginator


@pytest.mark.django_db
def test_a_list_under_the_cap_is_counted_exactly():
    # given 3 users
    users = get_user_model().objects
    for n in range(3):
        users.create(username=f"pager-{n}")
    # when they are paged 2 a page under a cap of 100
    paginator = CappedPaginator(users.filter(username__startswith="pager-").order_by("pk"), 2,
                                cap=100)
    # then the count is exact and nothing is capped
    assert paginator.count == 3
    assert paginator.is_count_capped is False
    assert paginator.num_pages == 2


@pytest.mark.django_db
def test_a_list_over_the_cap_counts_cap_plus_one_in_one_query_and_pages_through_the_cap():
    # given more users than a cap of 4
    users = get_user_model().objects
    for n in range(6):
        users.create(username=f"pager-{n}")
    paginator = CappedPaginator(users.filter(username__startswith="pager-").order_by("pk"), 3,
                                cap=4)
    # when it is counted
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    # then one query counted at most cap + 1 rows, and the pages cover the first 4 rows
    assert len(queries) == 1
    assert "LIMIT 5" in queries[0]["sql"]
    assert count == 5
    assert paginator.is_count_capped is True
    assert paginator.num_pages == 2
    assert len(paginator.page(2).object_list) == 1
