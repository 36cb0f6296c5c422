"""Knowledge-base articles: everyone reads published ones; leads write them (the
admin's service, `article_save`, so the input rule and the search index follow)."""

from typing import Any

from django.http import Http404
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api.pagination import ArticleCursorPagination
from helpdesk.api.permissions import CanWriteArticlesOrReadOnly
from helpdesk.api.serializers.others import (
    ArticleDetailSerializer,
    ArticleQuerySerializer,
    ArticleSerializer,
    ArticleWriteSerializer,
)
from helpdesk.api.views.base import ApiView, ListView
from helpdesk.kb import selectors, services


class ArticleList(ListView):
    """Published articles, by title; `language` narrows to one language."""

    permission_classes = [AllowAny]
    serializer_class = ArticleSerializer
    pagination_class = ArticleCursorPagination

    @extend_schema(parameters=[ArticleQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        language = self.query(ArticleQuerySerializer, self.request).get("language")
        return selectors.article_published_list(language=language)


class ArticleDetail(ApiView):
    """Read an article; leads create or replace one at its slug (PUT)."""

    permission_classes = [CanWriteArticlesOrReadOnly]
    serializer_class = ArticleDetailSerializer

    def get(self, request: Request, slug: str) -> Response:
        article = selectors.article_for_reading(slug=slug, user=request.user)
        if article is None:
            raise Http404("No such article.")
        return Response(ArticleDetailSerializer(article).data)

    @extend_schema(
        request=ArticleWriteSerializer,
        responses={200: ArticleDetailSerializer, 201: ArticleDetailSerializer},
    )
    def put(self, request: Request, slug: str) -> Response:
        data = self.validated(ArticleWriteSerializer, request)
        existing = selectors.article_for_reading(slug=slug, user=request.user)
        article = services.article_save(
            slug=slug,
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            language=data["language"] or translation.get_language() or "en",
            is_published=data["is_published"],
        )
        return Response(
            ArticleDetailSerializer(article).data,
            status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED,
        )
