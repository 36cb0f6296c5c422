"""Knowledge-base pages and the help dialog's JSON endpoints."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.conversations import conversations_for
from helpdesk.core.ratelimit import client_address
from helpdesk.kb import selectors, services
from helpdesk.kb.forms import ArticleFeedbackForm, HelpKeyForm, QuestionForm
from helpdesk.kb.markdown import render_markdown
from helpdesk.kb.models import Article
from helpdesk.kb.permissions import can_give_article_feedback

FEEDBACK_THANKS = gettext_lazy("Thank you. Your feedback helps us improve this article.")
FEEDBACK_THANKS_NOT_HELPFUL = gettext_lazy(
    "Thank you for telling us. We will use it to improve this article. "
    "If you still need help, contact us."
)


def _suggestion_client(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"addr:{client_address(request)}"


def _key(value: str | None) -> uuid.UUID | None:
    form = HelpKeyForm({"key": value or ""})
    return form.cleaned_data["key"] if form.is_valid() else None


@require_http_methods(["GET", "POST"])
@never_cache
def article_suggest(request: HttpRequest) -> JsonResponse:
    """Suggestions for the help dialog's "Ask a question" field, as JSON.

    GET only reads. The dialog POSTs (with its CSRF token) to have the question counted
    for the deflection report too, so no link or prefetch can fill that report."""
    data = request.POST if request.method == "POST" else request.GET
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
    question = QuestionForm({"q": data.get("q", "")})
    if not question.is_valid():
        # Nothing searched, nothing recorded; the announcement says why.
        return JsonResponse(
            {"results": [], "announcement": " ".join(map(str, question.errors["q"]))}, status=400
        )
    query = question.cleaned_data["q"]
    language = get_language()
    articles = selectors.article_suggestions(query=query, language=language)
    key = _key(data.get("key")) if request.method == "POST" else None
    if key and len(query.strip()) >= 3:
        services.help_question_record(
            key=key, question=query, language=language, result_count=len(articles)
        )
    results = [
        {
            "title": article.title,
            "summary": article.summary,
            "language": article.language,
            "slug": article.slug,
            "url": article.get_absolute_url(),
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


@require_POST
def help_article_opened(request: HttpRequest) -> HttpResponse:
    """The dialog opened a suggested article (sent with navigator.sendBeacon as the page
    changes; counted for the deflection report)."""
    key = _key(request.POST.get("key"))
    if key is None:
        return JsonResponse({"error": "bad key"}, status=400)
    article = selectors.article_for_reading(
        slug=request.POST.get("slug", "")[:200], user=request.user
    )
    if article is not None:
        services.help_question_article_opened(key=key, article=article)
    return HttpResponse(status=204)


@require_GET
@never_cache
def help_conversations(request: HttpRequest) -> JsonResponse:
    """The dialog's home: the customer's own open and recent tickets, chats and
    callbacks (nothing for anyone else)."""
    items = conversations_for(user=request.user) if request.user.is_authenticated else []
    return JsonResponse({"items": [item.as_json() for item in items]})


@require_GET
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    """An article inside the help dialog (a fragment; the article keeps its own page)."""
    article = selectors.article_for_reading(slug=slug, user=request.user)
    if article is None:
        return HttpResponse(status=404)
    return render(request, "kb/_article_in_dialog.html", _article_context(request, article))


def _article_context(
    request: HttpRequest, article: Article, form: ArticleFeedbackForm | None = None
) -> dict[str, Any]:
    feedback = selectors.article_feedback_for(article=article, user=request.user)
    return {
        "article": article,
        "body_html": render_markdown(article.body),
        "feedback": feedback,
        "can_give_feedback": can_give_article_feedback(request.user),
        "form": form
        or ArticleFeedbackForm(initial={"comment": feedback.comment if feedback else ""}),
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def kb_index(request: HttpRequest) -> HttpResponse:
    question = QuestionForm({"q": request.GET.get("q", "")})
    valid = question.is_valid()
    query = question.cleaned_data["q"] if valid else ""
    language = get_language()
    context = {"query": query, "language": language, "question_errors": question.errors.get("q")}
    if query:
        context["results"] = selectors.article_suggestions(query=query, language=language, limit=20)
    else:
        context["groups"] = [
            (code, articles)
            for code, articles in selectors.article_list(language=language).items()
            if articles
        ]
    # A refused question gets the list of articles and the reason.
    return render(request, "kb/index.html", context, status=200 if valid else 400)


def _not_found(request: HttpRequest, slug: str) -> HttpResponse:
    words = slug.replace("-", " ").replace("_", " ")[:200]
    similar = selectors.article_suggestions(query=words, language=get_language(), limit=5)
    return render(request, "kb/not_found.html", {"slug": slug, "similar": similar}, status=404)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_for_reading(slug=slug, user=request.user)
    if article is None:
        return _not_found(request, slug)
    if "hq" in request.GET:
        # Links of older dialogs carried the visit key; reading never records anything,
        # and the key is dropped from the address bar so a shared link does not carry it.
        return redirect(article.get_absolute_url())
    return render(request, "kb/article_detail.html", _article_context(request, article))


@require_POST
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_for_reading(slug=slug, user=request.user)
    if article is None:
        return _not_found(request, slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': article.get_absolute_url()})}")
    form = ArticleFeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_invalid(request, article, form)
    try:
        services.article_feedback_record(
            article=article,
            user=request.user,
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
    except PermissionDenied:
        if _wants_json(request):
            return JsonResponse(
                {"errors": [_("Only customer users can rate articles.")]}, status=403
            )
        return HttpResponse(_("Only customer users can rate articles."), status=403)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _not_found(request, slug)  # unpublished meanwhile
        form.add_error(None, exc)
        return _feedback_invalid(request, article, form)
    helpful = form.cleaned_data["helpful"]
    # Neutral, not a success: "not helpful" is no achievement; it offers Contact us.
    acknowledgement = FEEDBACK_THANKS if helpful else FEEDBACK_THANKS_NOT_HELPFUL
    if _wants_json(request):
        return JsonResponse({"message": str(acknowledgement), "helpful": helpful})
    messages.info(request, acknowledgement)
    return redirect(f"{article.get_absolute_url()}#feedback")


def _feedback_invalid(
    request: HttpRequest, article: Article, form: ArticleFeedbackForm
) -> HttpResponse:
    if _wants_json(request):
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return JsonResponse({"errors": errors}, status=400)
    return render(
        request, "kb/article_detail.html", _article_context(request, article, form), status=400
    )
