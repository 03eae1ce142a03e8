"""The PDF report's running header stays readable with a branch filter: the scope, the
date and the filters on their own lines (it read "2023Filtres…publicsArrêté")."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from akto_portal.models import Branch

pytestmark = pytest.mark.django_db


def test_the_header_with_a_branch_filter_does_not_run_together(client_for, director, demo):
    hcr = Branch.objects.get(idcc="1979")
    response = client_for(director).get(
        reverse("dashboard-report"), {"region": "28", "year": 2023, "branch": hcr.pk}
    )

    assert response.wsgi_request.user == director
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    for page in pages:
        text = re.sub(r"[\xa0\u202f\u2009]", " ", page.extract_text())
        lines = text.splitlines()
        scope = next(line for line in lines if line.startswith("Rapport de pilotage"))
        assert scope == (
            f"Rapport de pilotage · Normandie · {hcr.name} · 2023 · Arrêté au 31 décembre 2023"
            " · année 2023"
        )
        filters = next(line for line in lines if line.startswith("Filtres : "))
        assert filters == (f"Filtres : Branche : {hcr.name}, tous types de contrat, tous publics")
        assert "2023Filtres" not in text and "publicsArrêté" not in text
