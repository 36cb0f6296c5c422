"""Cursor pagination: stable pages while new items arrive (no offsets), with `next` and
`previous` links; `page_size` up to `max_page_size`."""

from typing import Any

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # OpenAPI 3.1 (JSON Schema): DRF's own schema says "nullable", which is 3.0's.
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


class ArticleCursorPagination(ApiCursorPagination):
    ordering = ("title", "id")
