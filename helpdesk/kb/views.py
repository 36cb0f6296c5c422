"""Knowledge-base pages and the help dialog's JSON endpoints."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from helpdesk.kb import selectors, services
from helpdesk.kb.forms import ArticleFeedbackForm, HelpKeyForm
from helpdesk.kb.markdown import render_markdown
from helpdesk.kb.permissions import can_give_article_feedback
from helpdesk.ratelimit import client_address

QUESTION_MAX_CHARS = 1000


def _suggestion_client(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"addr:{client_address(request)}"


def _key(value: str | None) -> uuid.UUID | None:
    form = HelpKeyForm({"key": value or ""})
    return form.cleaned_data["key"] if form.is_valid() else None


@require_GET
@never_cache
def article_suggest(request: HttpRequest) -> JsonResponse:
    """Suggestions for the help dialog's "Ask a question" field, as JSON."""
    if not services.suggestion_allowance_take(client=_suggestion_client(request)):
        # Nothing searched, nothing recorded for the deflection report.
        response = JsonResponse(
            {
                "results": [],
                "announcement": str(services.SUGGESTIONS_RATE_LIMITED),
                "retry": True,
            },
            status=429,
        )
        response["Retry-After"] = str(services.SUGGESTION_WINDOW_SECONDS)
        return response
    query = request.GET.get("q", "")[:QUESTION_MAX_CHARS]
    language = get_language()
    articles = selectors.article_suggestions(query=query, language=language)
    key = _key(request.GET.get("key"))
    if key and len(query.strip()) >= 3:
        services.help_question_record(
            key=key, question=query, language=language, result_count=len(articles)
        )
    params = f"?{urlencode({'hq': key})}" if key else ""
    results = [
        {
            "title": article.title,
            "summary": article.summary,
            "language": article.language,
            "url": article.get_absolute_url() + params,
        }
        for article in articles
    ]
    if not query.strip():
        announcement = ""
    elif results:
        announcement = ngettext(
            "%(count)d article suggested. Use the up and down arrows to choose one.",
            "%(count)d articles suggested. Use the up and down arrows to choose one.",
            len(results),
        ) % {"count": len(results)}
    else:
        announcement = _("No article matches your question yet. Try other words, or contact us.")
    return JsonResponse({"results": results, "announcement": announcement})


@require_POST
def help_contact_reached(request: HttpRequest) -> HttpResponse:
    """The dialog reached Contact us (counted for the deflection report)."""
    key = _key(request.POST.get("key"))
    if key is None:
        return JsonResponse({"error": "bad key"}, status=400)
    services.help_question_contact_reached(key=key, language=get_language())
    return HttpResponse(status=204)


def kb_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:QUESTION_MAX_CHARS].strip()
    language = get_language()
    context = {"query": query, "language": language}
    if query:
        context["results"] = selectors.article_suggestions(query=query, language=language, limit=20)
    else:
        context["groups"] = [
            (code, articles)
            for code, articles in selectors.article_list(language=language).items()
            if articles
        ]
    return render(request, "helpdesk/kb/index.html", context)


def _not_found(request: HttpRequest, slug: str) -> HttpResponse:
    words = slug.replace("-", " ").replace("_", " ")[:200]
    similar = selectors.article_suggestions(query=words, language=get_language(), limit=5)
    return render(
        request, "helpdesk/kb/not_found.html", {"slug": slug, "similar": similar}, status=404
    )


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_for_reading(slug=slug, user=request.user)
    if article is None:
        return _not_found(request, slug)
    key = _key(request.GET.get("hq"))
    if key:
        services.help_question_article_opened(key=key, article=article)
        # Drop the key from the address bar, so a shared link does not carry it.
        return redirect(article.get_absolute_url())
    feedback = selectors.article_feedback_for(article=article, user=request.user)
    return render(
        request,
        "helpdesk/kb/article_detail.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            "feedback": feedback,
            "can_give_feedback": can_give_article_feedback(request.user),
            "form": ArticleFeedbackForm(initial={"comment": feedback.comment if feedback else ""}),
        },
    )


@require_POST
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_for_reading(slug=slug, user=request.user)
    if article is None:
        return _not_found(request, slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': article.get_absolute_url()})}")
    form = ArticleFeedbackForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "helpdesk/kb/article_detail.html",
            {
                "article": article,
                "body_html": render_markdown(article.body),
                "feedback": selectors.article_feedback_for(article=article, user=request.user),
                "can_give_feedback": can_give_article_feedback(request.user),
                "form": form,
            },
            status=400,
        )
    try:
        services.article_feedback_record(
            article=article,
            user=request.user,
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
    except PermissionDenied:
        return HttpResponse(_("Only customer users can rate articles."), status=403)
    except ValidationError:
        return _not_found(request, slug)
    messages.success(request, _("Thank you. Your feedback helps us improve this article."))
    return redirect(f"{article.get_absolute_url()}#feedback")
