"""Identifiers of the organisations that attend events: SIRET for companies, UAI for
training bodies (CFA, lycées, organismes de formation).

- SIRET: 14 digits with a Luhn key; La Poste's establishments (SIREN 356 000 000)
  use another rule (sum of the digits a multiple of 5). Checked by python-stdnum.
- UAI (ex-RNE): 7 digits and a key letter, the remainder of the 7-digit number
  divided by 23 taken in the alphabet without I, O and Q ("0750654D").
"""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

from events.models import OrganisationKind

UAI_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_SEPARATORS = re.compile(r"[\s\u00a0\u202f.\-]")
_UAI = re.compile(r"^[0-9]{7}[A-Z]$")
_EXCEL_NUMBER = re.compile(r"^[0-9],[0-9]+E\+?[0-9]+$|^[0-9]\.[0-9]+E\+?[0-9]+$", re.IGNORECASE)


def uai_key(digits: str) -> str:
    return UAI_KEYS[int(digits) % 23]


def parse_identifier(raw: str | None) -> tuple[OrganisationKind, str]:
    """(kind, normalised identifier) of a SIRET or UAI typed by a person, or a
    ValidationError saying what is wrong, in French."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("identifiant manquant (SIRET ou UAI)")
    if _EXCEL_NUMBER.match(text.replace(" ", "")):
        raise ValidationError(
            f"« {text} » : nombre abrégé par le tableur, formatez la colonne en texte"
        )
    value = _SEPARATORS.sub("", text).upper()
    if value.isdigit():
        if len(value) != 14:
            raise ValidationError(
                f"« {text} » : un SIRET compte 14 chiffres, celui-ci en a {len(value)}"
            )
        try:
            siret.validate(value)
        except InvalidChecksum:
            raise ValidationError(
                f"« {text} » : SIRET invalide (clé de contrôle fausse, vérifiez les chiffres)"
            ) from None
        except StdnumError:
            raise ValidationError(f"« {text} » : SIRET invalide") from None
        return OrganisationKind.COMPANY, value
    if _UAI.match(value):
        if uai_key(value[:7]) != value[7]:
            raise ValidationError(
                f"« {text} » : UAI invalide (la lettre clé devrait être {uai_key(value[:7])})"
            )
        return OrganisationKind.TRAINING_BODY, value
    raise ValidationError(
        f"« {text} » : ni un SIRET (14 chiffres) ni un UAI (7 chiffres et une lettre)"
    )
