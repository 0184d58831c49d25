"""Numbered pages for lists that may hold a million rows.

Django's Paginator counts every matching row (a full `COUNT(*)`, 0.1–0.4 s at a million) to
say "page 3 of 40,000". Nobody pages that far: a clerk works the top of a queue sorted by
urgency, finance staff the newest bills, and both narrow a long list with its filters. So
rows are counted only up to a cap, and past it the list says "more than 10,000" and offers
the pages of the first 10,000. The count and each page are then bounded index walks, however
big the table grows."""

import math
from functools import cached_property

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops at `cap` + 1 (one query, `LIMIT cap + 1` under the
    count) and whose pages cover only the first `cap` rows when there are more."""

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            # Order and joined columns do not change how many rows there are; dropping them
            # lets the count read the filter's index alone.
            return rows.order_by().values("pk")[:self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def is_count_capped(self) -> bool:
        """More rows than the cap: `count` is then cap + 1, not the true number."""
        return self.count > self.cap

    def page(self, number):
        page = super().page(number)
        if self.is_count_capped:
            # count is cap + 1: the last page would otherwise show the row past the cap.
            page.object_list = page.object_list[:self.cap - (page.number - 1) * self.per_page]
        return page

    @cached_property
    def num_pages(self) -> int:
        if self.is_count_capped:
            return math.ceil(self.cap / self.per_page)
        return super().num_pages


class CappedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination on a CappedPaginator: `count` is exact up to the cap and
    `count_is_capped` says when there are more (then `count` is cap + 1)."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data) -> Response:
        return Response({
            "count": self.page.paginator.count,
            "count_is_capped": self.page.paginator.is_count_capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })
