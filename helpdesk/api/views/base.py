"""What every API view shares: conditional reads (ETag / If-None-Match) and the helpers
that turn a request's validated input into one service or selector call."""

import hashlib
from typing import Any

from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from helpdesk.api.permissions import TokenScopeAllows


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


class ConditionalReads:
    """A successful read carries a strong ETag of its body; a client sending it back in
    If-None-Match gets 304 and no body. The body depends on who asks and in which
    language, so the answer is private and varies with those."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = _etag(response.content)
        patch_vary_headers(response, ("Accept-Language", "Authorization", "Cookie"))
        response["Cache-Control"] = "private, no-cache"
        response["ETag"] = etag
        if _matches(request.headers.get("If-None-Match", ""), etag):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Cache-Control"):
                not_modified[header] = response[header]
            return not_modified
        return response


class ValidatedInput:
    def get_permissions(self) -> list[Any]:
        """A view's own permissions come after the token's scope, which every view has."""
        own = super().get_permissions()  # type: ignore[misc]
        return [TokenScopeAllows(), *own]

    def validated(self, serializer_class: type[BaseSerializer], request: Request) -> dict[str, Any]:
        """The request's JSON body through a strict serializer (400 on any problem)."""
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def query(self, serializer_class: type[BaseSerializer], request: Request) -> dict[str, Any]:
        """The query parameters through a serializer (400 on any problem)."""
        serializer = serializer_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ApiView(ConditionalReads, ValidatedInput, generics.GenericAPIView):
    """Base of the API's single-item and action views."""


class ListView(ConditionalReads, ValidatedInput, generics.ListAPIView):
    """A paginated list (cursor pagination) with conditional reads."""
