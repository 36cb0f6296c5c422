from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Counting a million rows on every page load is what makes peers' agent lists slow.
# Count at most this many: beyond that the pager stops growing, and the page stays fast.
COUNT_CAP = 1_000


# Generic in the stubs only: Django's Paginator cannot be subscripted at run time.
class CappedCountPaginator(Paginator):  # type: ignore[type-arg]
    object_list: QuerySet[Any]  # the admin changelists page querysets only

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()
