from django.contrib.auth import views as auth_views
from django.urls import include, path


def userinfo(claims, user):
    claims["email"] = user.email
    claims["preferred_username"] = user.username
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    return claims


def groups_in_id_token(id_token, user, **kwargs):
    id_token["groups"] = sorted(user.groups.values_list("name", flat=True))
    return id_token


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
]
