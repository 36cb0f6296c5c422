"""Keep the article search index (a derived copy, like a cache) in step with articles,
whatever saves them: services, the admin, the shell."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from helpdesk.kb import search
from helpdesk.kb.models import Article


@receiver(post_save, sender=Article, dispatch_uid="kb_index_article")
def _index_article(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        search.index_articles([instance])


@receiver(post_delete, sender=Article, dispatch_uid="kb_unindex_article")
def _unindex_article(sender, instance: Article, **kwargs) -> None:
    search.unindex_articles([instance.pk])
