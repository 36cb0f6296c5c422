from django.urls import path

from helpdesk.kb import views

urlpatterns = [
    path("help/suggestions/", views.article_suggest, name="article_suggest"),
    path("help/contact-us/", views.help_contact_reached, name="help_contact_reached"),
    path("help/opened/", views.help_article_opened, name="help_article_opened"),
    path("help/conversations/", views.help_conversations, name="help_conversations"),
    path("help/articles/<str:slug>/", views.help_article, name="help_article"),
    path("kb/", views.kb_index, name="kb_index"),
    path("kb/<str:slug>/", views.article_detail, name="article_detail"),
    path("kb/<str:slug>/feedback/", views.article_feedback, name="article_feedback"),
]
