"""The admin refuses a contract figure that would contradict its series, as imports do:
a department above its region, branches adding up to more than the whole."""

import pytest

from akto_portal.models import Department, Region, Source
from contracts.models import ContractCount

pytestmark = pytest.mark.django_db
ADD = "/admin/contracts/contractcount/add/"


def form(**fields):
    manual = Source.objects.get_or_create(kind=Source.Kind.MANUAL, title="Saisie de test")[0]
    return {
        "region": Region.objects.get(code="28").pk,
        "branch": "",
        "department": "",
        "year": 2021,
        "month": "",
        "contract_type": "apprentissage",
        "public": "all",
        "count": 1,
        "source": manual.pk,
        **fields,
    }


def test_a_department_above_its_region_is_refused(client_for, admin_user, documents):
    calvados = Department.objects.get(code="14")
    client = client_for(admin_user)
    before = ContractCount.statements.count()

    response = client.post(ADD, form(department=calvados.pk, count=3100))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Normandie 2021 (apprentissage) : ses départements totaliseraient" in page
    assert "3\xa0100 contrats, plus que son chiffre (3\xa0071)" in page
    assert ContractCount.statements.count() == before

    response = client.post(ADD, form(department=calvados.pk, count=700))
    assert response.status_code == 302
    assert ContractCount.objects.get(department=calvados, year=2021).count == 700
