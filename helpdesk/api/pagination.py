"""Cursor pagination: stable pages while new items arrive (no offsets), with `next` and
`previous` links; `page_size` up to MAX_PAGE_SIZE."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")


class ArticleCursorPagination(ApiCursorPagination):
    ordering = ("title", "id")
