"""Run once in the provider's process: its RSA key, the portal's client, a director."""

import sys

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from oidc_provider.models import Client, ResponseType, RSAKey  # noqa: E402

portal_url, client_id, client_secret, password = sys.argv[1:5]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSAKey.objects.create(
    key=key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
)
client = Client.objects.create(
    name="Portail",
    client_type="confidential",
    client_id=client_id,
    client_secret=client_secret,
    jwt_alg="RS256",
    require_consent=False,
    _redirect_uris=f"{portal_url}/connexion/annuaire/retour/",
    _post_logout_redirect_uris=f"{portal_url}/connexion/",
)
client.response_types.add(ResponseType.objects.get(value="code"))
user = User.objects.create_user(
    "claire", "claire.martin@akto.example", password, first_name="Claire", last_name="Martin"
)
for name in ("portail.directeur", "portail-region-28"):
    user.groups.add(Group.objects.create(name=name))
