"""SIRET / UAI checks and the parsing of pasted or uploaded attendee lists."""

import pytest
from django.core.exceptions import ValidationError

from events.identifiers import parse_identifier
from events.imports import decode_upload, parse_attendee_list
from tests.events.conftest import bad_key, make_siret


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("732 829 320 00074", ("company", "73282932000074")),
        ("732.829.320.00074", ("company", "73282932000074")),
        ("35600000000048", ("company", "35600000000048")),  # La Poste head office (Luhn)
        ("35600000049837", ("company", "35600000049837")),  # La Poste: digit sum % 5
        ("0750654D", ("training_body", "0750654D")),
        ("0750654d", ("training_body", "0750654D")),
    ],
)
def test_valid_identifiers(raw, expected):
    assert parse_identifier(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("73282932000075", "clé de contrôle fausse"),
        ("35600000049838", "clé de contrôle fausse"),  # La Poste rule broken
        ("7328293200007", "un SIRET compte 14 chiffres, celui-ci en a 13"),
        ("0750654E", "la lettre clé devrait être D"),
        ("1,23457E+13", "formatez la colonne en texte"),
        ("ACME", "ni un SIRET"),
        ("", "identifiant manquant"),
    ],
)
def test_invalid_identifiers_say_why(raw, message):
    with pytest.raises(ValidationError) as error:
        parse_identifier(raw)
    assert message in error.value.messages[0]


def test_bad_rows_are_reported_by_line_number():
    good, other = make_siret(1), make_siret(2)
    text = (
        f"SIRET;Raison sociale\n{good};Alpha\n\n{bad_key(other)};Beta\n"
        f"{good};Alpha bis\n0750654D;Lycée"
    )
    listing = parse_attendee_list(text)
    assert [(r.line, r.error != "") for r in listing.rows] == [
        (2, False),
        (4, True),
        (5, True),
        (6, False),
    ]
    assert "clé de contrôle" in listing.rows[1].error
    assert listing.rows[2].error == f"{good} déjà présent ligne 2"
    assert not listing.is_valid
    assert listing.rows[0].name == "Alpha"


def test_comma_separated_without_header_and_header_in_any_order():
    a, b = make_siret(1), make_siret(2)
    listing = parse_attendee_list(f"{a},Alpha\n{b},Beta\n")
    assert [(r.identifier, r.name) for r in listing.rows] == [(a, "Alpha"), (b, "Beta")]
    listing = parse_attendee_list(f"Nom\tSIRET\nAlpha\t{a}\n")
    assert [(r.identifier, r.name) for r in listing.rows] == [(a, "Alpha")]


def test_windows_1252_and_utf8_bom_uploads_decode_the_same():
    text = f"siret;nom\n{make_siret(1)};Société Générale d'Évreux\n"
    for data in (text.encode("cp1252"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        listing = parse_attendee_list(decode_upload(data))
        assert listing.rows[0].name == "Société Générale d'Évreux"
        assert listing.is_valid


def test_known_identifiers_are_flagged_not_refused():
    a = make_siret(1)
    listing = parse_attendee_list(f"{a};Alpha", known_identifiers={a})
    assert listing.is_valid
    assert listing.rows[0].already_recorded
    assert listing.new_rows == []
