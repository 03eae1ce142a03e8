"""The claims → role and region mapping, with Entra ID-like and ProConnect-like claims."""

import pytest

from sign_on.claims import Assignment, ClaimMapping, Refused, assignment_from_claims

ENTRA_ROLES = ClaimMapping(
    role_claim="roles",
    admin_values=frozenset({"Portail.Administrateur"}),
    director_values=frozenset({"Portail.Directeur"}),
    staff_values=frozenset({"Portail.Equipe"}),
    region_claim="extn.region",
)
ENTRA_GROUPS = ClaimMapping(
    role_claim="groups",
    admin_values=frozenset({"9b0e6c1a-admin"}),
    director_values=frozenset({"5f2d-directeurs"}),
    staff_values=frozenset({"77aa-equipes"}),
    region_prefix="portail-region-",
)
# ProConnect-like: identity claims (sub, email, given_name, usual_name, siret) and no
# groups; the role and the region come from claims the federated provider adds, named
# by OIDC_ROLE_CLAIM and OIDC_REGION_CLAIM.
PROCONNECT = ClaimMapping(
    role_claim="belonging_population",
    director_values=frozenset({"directeur-regional"}),
    staff_values=frozenset({"agent"}),
    region_claim="region",
)


@pytest.mark.parametrize(
    ("claims", "mapping", "expected"),
    [
        (
            {"roles": ["Portail.Directeur"], "extn.region": "28"},
            ENTRA_ROLES,
            Assignment("director", "28"),
        ),
        (
            {"roles": ["Portail.Equipe", "Portail.Directeur"], "extn.region": "53"},
            ENTRA_ROLES,
            Assignment("director", "53"),
        ),
        ({"roles": ["Portail.Administrateur"]}, ENTRA_ROLES, Assignment("admin", None)),
        (
            {"roles": "Portail.Administrateur", "extn.region": "28"},
            ENTRA_ROLES,
            Assignment("admin", None),
        ),
        (
            {"groups": ["77aa-equipes", "portail-region-76", "tous"]},
            ENTRA_GROUPS,
            Assignment("staff", "76"),
        ),
        (
            {"sub": "abc", "email": "a@b.fr", "belonging_population": "agent", "region": "11"},
            PROCONNECT,
            Assignment("staff", "11"),
        ),
    ],
)
def test_claims_give_the_strongest_role_and_the_region(claims, mapping, expected):
    assert assignment_from_claims(claims, mapping=mapping) == expected


@pytest.mark.parametrize(
    ("claims", "mapping", "reason"),
    [
        ({"roles": ["Comptable"], "extn.region": "28"}, ENTRA_ROLES, "aucun rôle"),
        ({"extn.region": "28"}, ENTRA_ROLES, "aucun rôle"),
        ({"roles": {"Portail.Directeur": True}}, ENTRA_ROLES, "aucun rôle"),
        ({"roles": ["Portail.Directeur"]}, ENTRA_ROLES, "aucune région"),
        ({"roles": ["Portail.Directeur"], "extn.region": " "}, ENTRA_ROLES, "aucune région"),
        (
            {"groups": ["5f2d-directeurs", "portail-region-28", "portail-region-53"]},
            ENTRA_GROUPS,
            "plusieurs régions",
        ),
        ({"email": "a@b.fr", "region": "11"}, PROCONNECT, "aucun rôle"),
    ],
)
def test_claims_giving_no_place_are_refused_with_a_french_reason(claims, mapping, reason):
    with pytest.raises(Refused) as refused:
        assignment_from_claims(claims, mapping=mapping)
    assert reason in refused.value.reason
