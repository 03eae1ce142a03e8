from django.contrib.auth.decorators import login_not_required
from django.urls import path

from sign_on import views

app_name = "sign_on"
urlpatterns = [
    path("", login_not_required(views.authenticate), name="authenticate"),
    path("retour/", login_not_required(views.callback), name="callback"),
]
