from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Counting a million rows on every page load is what makes peers' agent lists slow.
# Count at most this many: beyond that the pager stops growing, and the page stays fast.
COUNT_CAP = 1_000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()
