import factory
from factory.django import DjangoModelFactory

from helpdesk.kb.models import Article


class ArticleFactory(DjangoModelFactory[Article]):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary."
    body = "Some body text."
    language = "en"
    is_published = True
