"""Recovery: an undone or fully replaced import no longer blocks its file; undoing an
import puts back in force the figures it had replaced, and says so."""

import pytest

from contracts.models import ContractCount, ImportBatch
from contracts.services import import_batch_undo, import_batch_undo_note

pytestmark = pytest.mark.django_db

HEADER = "region;branche;annee;mois;type_contrat;public;nombre\n"
CHANGELIST = "/admin/contracts/importbatch/"


def figure(month, idcc="1979"):
    return list(
        ContractCount.objects.filter(
            region__code="28", year=2024, month=month, branch__idcc=idcc, public="all"
        ).values_list("count", flat=True)
    )


@pytest.fixture
def march(write_file):
    return write_file("mars.csv", HEADER + "28;1979;2024;3;apprentissage;all;12\n")


@pytest.fixture
def march_corrected(write_file):
    return write_file("mars-corrige.csv", HEADER + "28;1979;2024;3;apprentissage;all;13\n")


def test_a_file_whose_figures_were_all_replaced_may_be_imported_again(
    import_contracts, march, march_corrected
):
    """It stayed refused as « déjà importé » though none of its figures remained."""
    first = import_contracts(march).batch
    second = import_contracts(march_corrected).batch
    first.refresh_from_db()
    assert (first.replaced_by, first.in_force) == (second, False)

    again = import_contracts(march)  # replaced: its file may be imported again

    assert again.ok and again.already_imported is None
    assert figure(3) == [12]
    assert ImportBatch.objects.filter(replaced_at__isnull=True, undone_at__isnull=True).get() == (
        again.batch
    )


def test_undo_puts_back_what_the_import_replaced(import_contracts, march, march_corrected):
    first = import_contracts(march).batch
    second = import_contracts(march_corrected).batch
    assert figure(3) == [13]

    import_batch_undo(batch=second)

    assert figure(3) == [12]  # the correction undone: March is 12 again
    first.refresh_from_db()
    assert (first.replaced_by, first.in_force) == (None, True)
    assert import_contracts(march).already_imported == first


def test_undo_says_what_it_restores(
    client_for, admin_user, import_contracts, march, march_corrected
):
    first = import_contracts(march).batch
    second = import_contracts(march_corrected).batch

    response = client_for(admin_user).post(
        CHANGELIST, {"action": "undo", "_selected_action": [second.pk]}, follow=True
    )

    page = response.content.decode().replace("&#x27;", "'")
    assert (
        f"Import n° {second.pk} annulé : 1 chiffre(s) retiré(s) ; son fichier peut de nouveau "
        f"être importé. Les 1 chiffre(s) qu'il avait remplacés sont rétablis (dont ceux de "
        f"l'import n° {first.pk} « mars.csv », de nouveau en vigueur)." in page
    )


def test_a_partly_replaced_file_may_be_imported_again_to_restore_its_figures(
    import_contracts, write_file
):
    spring = write_file(
        "printemps.csv",
        HEADER + "28;1979;2024;3;apprentissage;all;12\n28;1979;2024;4;apprentissage;all;15\n",
    )
    first = import_contracts(spring).batch
    import_contracts(write_file("avril.csv", HEADER + "28;1979;2024;4;apprentissage;all;20\n"))
    assert figure(4) == [20]

    again = import_contracts(spring)

    assert again.ok
    assert again.previous_import == {"pk": first.pk, "rows_left": 1}
    assert (figure(3), figure(4)) == ([12], [15])
    first.refresh_from_db()
    assert first.replaced_by == again.batch


def test_a_file_all_of_whose_figures_remain_is_still_refused(import_contracts, march):
    first = import_contracts(march).batch

    again = import_contracts(march)

    assert again.already_imported == first and again.batch is None


def test_the_note_without_replaced_figures(import_contracts, march):
    batch = import_contracts(march).batch

    assert import_batch_undo_note(batch) == (
        "Il n'avait remplacé aucun chiffre : rien d'autre n'est à rétablir."
    )
