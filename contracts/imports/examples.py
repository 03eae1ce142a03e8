"""The downloadable template file of each contract layout: header and example rows."""

import csv
import io
from typing import Any

from openpyxl import Workbook

EXAMPLES: dict[str, dict[str, Any]] = {
    "counts": {
        "title": "nombres de contrats",
        "header": ["region", "branche", "annee", "mois", "type_contrat", "public", "nombre"],
        "rows": [
            ["28", "1979", 2024, 3, "apprentissage", "all", 42],
            ["28", "1979", 2024, 3, "apprentissage", "rqth", 2],
            ["28", "", 2023, "", "professionnalisation", "all", 310],
        ],
    },
    "contract_lines": {
        "title": "lignes de contrats",
        "header": [
            "numero_contrat",
            "date_debut",
            "departement",
            "idcc",
            "type_contrat",
            "rqth",
            "uai_cfa",
            "niveau_diplome",
            "date_rupture",
        ],
        "rows": [
            [
                "A-2024-000001",
                "04/03/2024",
                "14",
                "1979",
                "apprentissage",
                "non",
                "0141234A",
                3,
                "",
            ],
            ["A-2024-000002", "11/03/2024", "76", "1501", "apprentissage", "oui", "", 4, ""],
            ["P-2024-000003", "02/04/2024", "50", "3043", "professionnalisation", "non", "", 5, ""],
        ],
    },
}


def example_csv(layout: str) -> bytes:
    """UTF-8 with BOM and `;`, as a spreadsheet in French opens it."""
    spec = EXAMPLES[layout]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(spec["header"])
    writer.writerows(spec["rows"])
    return "\ufeff".encode() + out.getvalue().encode()


def example_xlsx(layout: str) -> bytes:
    spec = EXAMPLES[layout]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec["title"])
    sheet.append(spec["header"])
    for row in spec["rows"]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
