from django.urls import path

from helpdesk.csat import views

urlpatterns = [
    path("r/<str:token>/", views.survey_link, name="csat_link"),
    path("<str:kind>/<int:item_id>/", views.survey_rate, name="csat_rate"),
]
