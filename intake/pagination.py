"""Pages of cases that never count more than a person could read."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Count at most `cap` matches.

    Nobody pages through 25,000 cases; counting them all costs more than
    reading the page. Beyond the cap the list says so and asks for a filter.
    """

    cap = 1000

    @cached_property
    def _found(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()  # order is no matter to a count

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)

    @property
    def capped(self) -> bool:
        return self._found > self.cap
