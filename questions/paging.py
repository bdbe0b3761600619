"""Pages of questions that never count more than they must.

A list whose size is kept (questions.counts) is paged with that count; a search is paged
without one: it reads the rows of the page and one more, to know whether a next page exists."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import QuerySet


class KnownCountPaginator(Paginator):
    """A Paginator told its count (a kept one) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property


@dataclass
class _Uncounted:
    count: int | None = None
    num_pages: int | None = None


@dataclass
class UncountedPage:
    """A page of results read in order from several querysets, one after the other."""

    number: int
    object_list: list
    has_more: bool
    per_page: int
    paginator: _Uncounted = field(default_factory=_Uncounted)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.has_more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(value) -> int:
    """The page asked for: a positive whole number, else the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def _count_upto(rows, limit: int) -> int:
    """How many rows there are, counted no further than `limit`."""
    if isinstance(rows, QuerySet):
        return rows[:limit].count()
    return min(len(rows), limit)


def uncounted_page(tiers: list[Callable], per_page: int, number) -> UncountedPage:
    """Page `number` of the rows of `tiers` read one after the other.

    Each tier is a function returning a queryset or a sized sequence of rows (sliceable), called
    only when the page reaches it. A tier is read for at most the page's rows plus one; one
    that ends before the page starts is counted only up to that start (a bounded count). The
    page knows the total when every tier was a sequence, or the whole result is on it."""
    number = page_number(number)
    skip = (number - 1) * per_page  # rows before the page, still to pass over
    rows: list = []
    total: int | None = 0
    for tier in tiers:
        wanted = per_page + 1 - len(rows)
        if wanted <= 0:
            total = None  # a tier never read
            break
        found = tier()
        total = (
            total + len(found) if total is not None and not isinstance(found, QuerySet) else None
        )
        if skip:
            passed = _count_upto(found, skip)
            if passed == skip:
                chunk = list(found[skip : skip + wanted])
                skip = 0
            else:
                skip -= passed
                continue
        else:
            chunk = list(found[:wanted])
        rows += chunk
    page = UncountedPage(
        number=number, object_list=rows[:per_page], has_more=len(rows) > per_page, per_page=per_page
    )
    if number == 1 and not page.has_more:
        total = len(page.object_list)  # all of it is on the page
    page.paginator.count = total
    page.paginator.num_pages = -(-total // per_page) if total else None
    return page
