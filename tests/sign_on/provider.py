"""An OpenID Connect provider in memory, answering the portal's HTTP calls (token and
JWKS endpoints) in place of `requests`: it issues one-time codes bound to the client,
the redirect URI and the PKCE challenge, and ID tokens signed with its own RSA key.
Tests use it to play the provider's part, including its misbehaviours (another key,
another issuer)."""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://annuaire.example.org"
CLIENT_ID = "portail-alternance"
CLIENT_SECRET = "secret-du-portail"
AUTHORIZATION = f"{ISSUER}/authorize"
TOKEN = f"{ISSUER}/token"
JWKS = f"{ISSUER}/jwks"
END_SESSION = f"{ISSUER}/logout"

OIDC_SETTINGS = {
    "OIDC_ISSUER": ISSUER,
    "OIDC_ENABLED": True,
    "OIDC_PROVIDER_NAME": "Annuaire AKTO",
    "OIDC_SUPPORT_CONTACT": "support-portail@akto.example",
    "OIDC_RP_CLIENT_ID": CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
    "OIDC_OP_AUTHORIZATION_ENDPOINT": AUTHORIZATION,
    "OIDC_OP_TOKEN_ENDPOINT": TOKEN,
    "OIDC_OP_USER_ENDPOINT": "",
    "OIDC_OP_JWKS_ENDPOINT": JWKS,
    "OIDC_OP_LOGOUT_ENDPOINT": END_SESSION,
    "OIDC_USERNAME_CLAIM": "email",
    "OIDC_ROLE_CLAIM": "roles",
    "OIDC_ADMIN_VALUES": ["portail.administrateur"],
    "OIDC_DIRECTOR_VALUES": ["portail.directeur"],
    "OIDC_STAFF_VALUES": ["portail.equipe"],
    "OIDC_REGION_CLAIM": "region",
    "OIDC_REGION_PREFIX": "",
}


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Response:
    def __init__(self, payload: dict[str, Any], status: int = 200):
        self._payload = payload
        self.status_code = status
        self.url = TOKEN
        self.text = str(payload)

    def json(self):
        return self._payload

    def raise_for_status(self):
        if self.status_code >= 400:
            import requests

            raise requests.HTTPError(f"{self.status_code}: {self._payload}")


@dataclass
class Provider:
    key: Any = field(default_factory=_new_key)
    kid: str = "cle-1"
    issuer: str = ISSUER
    audience: str = CLIENT_ID
    signing_key: Any = None  # another key than the published one, to forge tokens
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0
    code_lifetime: float = 60.0  # seconds a code may be exchanged after it was given
    token_lifetime: int = 300  # seconds an ID token is valid (negative: already expired)

    def authorize(self, location: str, claims: dict[str, Any]) -> str:
        """The user signed in at the provider: the code for the authorization request
        at `location` (the portal's redirect)."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert location.startswith(AUTHORIZATION + "?")
        assert params["response_type"] == "code"
        assert params["client_id"] == CLIENT_ID
        assert params["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "params": params,
            "claims": claims,
            "used": False,
            "given": time.monotonic(),
        }
        return code

    # requests.get / requests.post, as mozilla_django_oidc.auth calls them
    def get(self, url, **kwargs):
        assert url == JWKS, url
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return _Response({"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]})

    def post(self, url, data=None, **kwargs):
        assert url == TOKEN, url
        self.token_requests += 1
        grant = self.codes.get(data.get("code"))
        if grant is None or grant["used"]:
            return _Response({"error": "invalid_grant"}, status=400)
        if time.monotonic() - grant["given"] > self.code_lifetime:
            return _Response({"error": "invalid_grant", "error_description": "expired"}, 400)
        grant["used"] = True
        params = grant["params"]
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(data["code_verifier"].encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            data["client_id"] != CLIENT_ID
            or data["client_secret"] != CLIENT_SECRET
            or data["redirect_uri"] != params["redirect_uri"]
            or challenge != params["code_challenge"]
        ):
            return _Response({"error": "invalid_grant"}, status=400)
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": self.audience,
                "iat": now,
                "exp": now + self.token_lifetime,
                "sub": grant["claims"].get("email", "sub"),
                "nonce": params["nonce"],
                **grant["claims"],
            },
            self.signing_key or self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )
        return _Response({"access_token": "jeton-d-acces", "id_token": id_token})
