from django.urls import path

from conventions import views

urlpatterns = [
    path("<int:pk>/", views.convention_detail, name="convention-detail"),
]
