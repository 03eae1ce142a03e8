"""The four layouts the portal reads, recognised by their header row.

Each layout maps the (normalised) column names it accepts to the field they carry.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    key: str
    columns: dict  # normalised column name -> field
    required: tuple  # fields, or tuples of alternative fields ("region" or "department")
    signature: str  # the field whose presence identifies the layout

    @property
    def canonical(self) -> list[str]:
        """One name per field, the first the layout accepts: the header to write."""
        return list({f: name for name, f in reversed(self.columns.items())}.values())[::-1]

    def resolve(self, normalized: Sequence[str]) -> tuple[dict[str, int], list[str], list[str]]:
        """({field: column index}, [ignored column names], [missing field labels])."""
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for index, name in enumerate(normalized):
            name_field = self.columns.get(name)
            if name_field is None or name_field in positions:
                ignored.append(name or f"colonne {index + 1}")
            else:
                positions[name_field] = index
        missing = []
        for need in self.required:
            options = need if isinstance(need, tuple) else (need,)
            if not any(option in positions for option in options):
                missing.append(" ou ".join(COLUMN_LABELS.get(o) or o for o in options))
        return positions, ignored, missing


COLUMN_LABELS = {
    "region": "region",
    "department": "departement",
    "branch": "branche (ou idcc)",
    "year": "annee",
    "count": "nombre",
    "contract_type": "type_contrat",
    "contract_number": "numero_contrat",
    "start_date": "date_debut",
}

_TYPE = {
    "type_contrat": "contract_type",
    "type_de_contrat": "contract_type",
    "type": "contract_type",
}

COUNTS = Layout(
    key="counts",
    columns={
        "region": "region",
        "code_region": "region",
        "departement": "department",
        "code_departement": "department",
        "branche": "branch",
        "idcc": "branch",
        "annee": "year",
        "mois": "month",
        **_TYPE,
        "public": "public",
        "nombre": "count",
        "nombre_contrats": "count",
        "nombre_de_contrats": "count",
    },
    required=("region", "year", "contract_type", "count"),
    signature="count",
)

CONTRACT_LINES = Layout(
    key="contract_lines",
    columns={
        "numero_contrat": "contract_number",
        "numero_de_contrat": "contract_number",
        "n_contrat": "contract_number",
        "date_debut": "start_date",
        "date_de_debut": "start_date",
        "date_debut_contrat": "start_date",
        "region": "region",
        "code_region": "region",
        "region_lieu_travail": "region",
        "departement": "department",
        "code_departement": "department",
        "departement_lieu_travail": "department",
        "idcc": "branch",
        "branche": "branch",
        **_TYPE,
        "rqth": "rqth",
        "handicap": "rqth",
        "uai_cfa": "uai",
        "uai": "uai",
        "niveau_diplome": "diploma_level",
        "niveau_de_diplome": "diploma_level",
        "date_rupture": "break_off_date",
        "date_de_rupture": "break_off_date",
    },
    required=("contract_number", "start_date", ("region", "department"), "branch", "contract_type"),
    signature="contract_number",
)

BAROMETRE = Layout(
    key="barometre",
    columns={
        name: name
        for name in (
            "mesure",
            "indicateur",
            "id_indicateur",
            "code_region",
            "libelle_region",
            "date",
            "valeur",
            "unite",
        )
    },
    required=("id_indicateur", "code_region", "date", "valeur"),
    signature="id_indicateur",
)

IND313 = Layout(
    key="ind313",
    columns={
        name: name
        for name in (
            "indic_id",
            "enforce_zone_id",
            "metric_enforce_date",
            "maille",
            "indic_vi",
            "indic_va",
            "indic_vc",
            "indic_ta",
        )
    },
    required=("enforce_zone_id", "metric_enforce_date", "maille", "indic_va"),
    signature="indic_va",
)

CONTRACT_LAYOUTS = (CONTRACT_LINES, COUNTS)
PUBLIC_LAYOUTS = (BAROMETRE, IND313)


def detect(normalized: Iterable[str], layouts: Iterable[Layout]) -> Layout | None:
    """The first layout whose signature column the header has, else None."""
    for layout in layouts:
        if any(layout.columns.get(name) == layout.signature for name in normalized):
            return layout
    return None
