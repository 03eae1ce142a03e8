"""Contract files in both layouts, CSV and XLSX, and the traps: encodings, separators,
bad lines, duplicates, re-imports, corrected files, protected figures, undo."""

import datetime

import pytest
from django.db.models import Sum
from openpyxl import Workbook

from akto_portal.models import Branch, Region, Source
from contracts import selectors
from contracts.models import ContractCount, ImportBatch
from contracts.services import import_batch_undo
from tests.contracts.conftest import DATA
from tests.factories import ContractCountFactory, SourceFactory

pytestmark = pytest.mark.django_db

HEADER = "region;branche;annee;mois;type_contrat;public;nombre\n"


def counts(region_code, year, *, month=None, branch_idcc=None, public="all", ctype=None):
    qs = ContractCount.objects.filter(
        region__code=region_code, year=year, month=month, public=public
    )
    qs = qs.filter(branch__idcc=branch_idcc) if branch_idcc else qs.filter(branch=None)
    if ctype:
        qs = qs.filter(contract_type=ctype)
    # A cell's figure, whether stored for the whole region or department by department.
    cells = qs.values("branch", "contract_type", "source").annotate(n=Sum("count")).order_by()
    return sorted(cell["n"] for cell in cells)


def test_counts_with_bom_and_semicolons(import_contracts, admin_user):
    report = import_contracts(DATA / "counts_bom_semicolon.csv", user=admin_user)

    assert report.ok, report.errors
    assert report.file_format == "CSV UTF-8 avec BOM, séparateur « ; »"
    assert report.layout == "counts"
    assert counts("28", 2024, month=3, branch_idcc="1979") == [12]
    assert counts("28", 2024, month=3, branch_idcc="1979", public="rqth") == [2]
    assert counts("28", 2024, month=4, branch_idcc="1501") == [7]  # given by branch name
    assert counts("53", 2023, ctype="professionnalisation") == [310]
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.rows_read, batch.rows_written) == (
        "counts_bom_semicolon.csv",
        4,
        4,
    )
    assert batch.created_by == admin_user
    assert batch.source.kind == Source.Kind.IMPORT
    assert "Normandie : mars 2024, avr. 2024" in batch.scope_label
    assert (
        selectors.yearly_totals(years=[2023], region=Region.objects.get(code="53"))[
            (Region.objects.get(code="53").pk, 2023)
        ].value
        == 310
    )


def test_counts_in_windows_1252_with_commas_and_region_names(import_contracts):
    report = import_contracts(DATA / "counts_cp1252_comma.csv")

    assert report.ok, report.errors
    assert report.file_format == "CSV Windows-1252, séparateur « , »"
    assert counts("11", 2024, month=3, branch_idcc="1979") == [1204]
    assert counts("93", 2024, month=3, branch_idcc="3043") == [55]


def test_contract_lines_are_aggregated_by_month_and_branch(import_contracts):
    report = import_contracts(DATA / "lines.csv")

    assert report.ok, report.errors
    assert report.layout == "contract_lines"
    assert report.rows_read == 7
    # Calvados, Seine-Maritime, Manche: three Normandie contracts of March in HCR (1979).
    assert counts("28", 2024, month=3, branch_idcc="1979") == [3]
    assert counts("28", 2024, month=3, branch_idcc="1979", public="rqth") == [1]
    # Orne (61) and Eure (27), April, Restauration rapide: one of each contract type.
    assert counts("28", 2024, month=4, branch_idcc="1501", ctype="apprentissage") == [1]
    assert counts("28", 2024, month=4, branch_idcc="1501", ctype="professionnalisation") == [1]
    assert counts("94", 2024, month=5, branch_idcc="3043") == [1]  # 2A is Corse
    assert counts("01", 2024, month=5, branch_idcc="3043") == [1]  # 971 is Guadeloupe
    months, unbroken = selectors.monthly_breakdown(
        year=2024, region=Region.objects.get(code="28"), contract_type="apprentissage"
    )
    assert [months[m].value for m in (3, 4, 5)] == [3, 1, 0]
    assert not unbroken.known


def test_no_contract_data_is_kept_beyond_the_counts(import_contracts):
    import_contracts(DATA / "lines.csv")

    batch = ImportBatch.objects.get()
    stored = " ".join(
        [batch.scope_label, str(batch.scope), batch.source.title, batch.source.reference]
    )
    assert "A-0001" not in stored and "0141234A" not in stored
    # 7 cells for all publics (March in HCR: Calvados, Seine-Maritime, Manche) + 2 for RQTH
    assert ContractCount.objects.count() == 9


def test_an_xlsx_file_imports_like_a_csv(import_contracts, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Numéro de contrat", "Date début", "Région", "IDCC", "Type contrat", "RQTH"])
    sheet.append(["X1", datetime.datetime(2024, 6, 3), 28, 1979, "Apprentissage", "Oui"])
    sheet.append(["X2", datetime.datetime(2024, 6, 4), "28", "1979", "apprentissage", None])
    sheet.append(["X3", "05/06/2024", "Normandie", "1979", "A", "non"])
    path = tmp_path / "contrats.xlsx"
    workbook.save(path)

    report = import_contracts(path)

    assert report.ok, report.errors
    assert report.file_format == "XLSX"
    assert counts("28", 2024, month=6, branch_idcc="1979") == [3]
    assert counts("28", 2024, month=6, branch_idcc="1979", public="rqth") == [1]


def test_one_bad_line_writes_nothing_and_names_the_line(import_contracts, write_file):
    path = write_file(
        "bad.csv",
        HEADER + "28;1979;2024;3;apprentissage;all;12\n99;1979;2024;3;apprentissage;all;5\n",
    )
    before = (ContractCount.objects.count(), Source.objects.count())

    report = import_contracts(path)

    assert not report.ok
    assert [str(e) for e in report.errors] == ["ligne 3 : code région inconnu « 99 »"]
    assert (ContractCount.objects.count(), Source.objects.count()) == before
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("28;1979;2024;3;apprentissage;all;-4", "nombre négatif (-4)"),
        ("28;1979;2027;1;apprentissage;all;4", "période future (janv. 2027)"),
        ("28;1979;2026;12;apprentissage;all;4", "période future (déc. 2026)"),
        ("28;1979;2024;13;apprentissage;all;4", "mois invalide « 13 » (1 à 12)"),
        ("28;9999;2024;3;apprentissage;all;4", "branche ou IDCC inconnu « 9999 »"),
        ("28;1979;2024;3;stage;all;4", "type de contrat inconnu « stage »"),
        ("28;1979;2024;3;apprentissage;all", "6 colonnes au lieu de 7"),
        ("28;1979;2024;3;apprentissage;all;4;9", "8 colonnes au lieu de 7"),
        ("28;1979;2024;3;apprentissage;all;12", "ligne en double : même chiffre que la ligne 2"),
    ],
)
def test_each_bad_line_is_reported_with_its_reason(import_contracts, write_file, line, reason):
    path = write_file("bad.csv", HEADER + "28;1979;2024;3;apprentissage;all;12\n" + line + "\n")

    report = import_contracts(path)

    assert [str(e) for e in report.errors] == [f"ligne 3 : {reason}"]
    assert not ContractCount.objects.exists()


def test_a_wrong_header_is_reported_on_line_1(import_contracts, write_file):
    path = write_file("bad.csv", "region;annee;nombre\n28;2024;3\n")

    report = import_contracts(path)

    assert [str(e) for e in report.errors] == [
        "ligne 1 : colonne(s) obligatoire(s) absente(s) : type_contrat"
    ]


def test_contract_line_errors(import_contracts, write_file):
    header = "numero_contrat;date_debut;departement;idcc;type_contrat;rqth;date_rupture\n"
    path = write_file(
        "lines.csv",
        header
        + "C1;01/03/2024;14;1979;apprentissage;non;\n"
        + "C2;01/12/2026;14;1979;apprentissage;non;\n"
        + "C3;01/03/2024;20;1979;apprentissage;non;\n"
        + "C1;05/03/2024;14;1979;apprentissage;non;\n"
        + "C4;01/03/2024;14;1979;apprentissage;peut-être;\n"
        + "C5;01/03/2024;14;1979;apprentissage;non;01/02/2024\n",
    )

    report = import_contracts(path)

    assert [str(e) for e in report.errors] == [
        "ligne 3 : date de début dans le futur (01/12/2026)",
        "ligne 4 : code département inconnu « 20 »",
        "ligne 5 : contrat n° C1 en double (déjà ligne 2)",
        "ligne 6 : indicateur RQTH invalide « peut-être » (oui ou non)",
        "ligne 7 : date de rupture avant la date de début",
    ]
    assert not ContractCount.objects.exists()


def test_a_value_seen_again_gets_the_same_problems_each_with_its_line(import_contracts, write_file):
    """Each column's distinct values are checked once and remembered: a bad value met
    again is named again, with every other problem of its own line."""
    header = "numero_contrat;date_debut;departement;idcc;type_contrat;rqth;date_rupture\n"
    good = "".join(f"G{i};01/03/2024;14;1979;apprentissage;non;\n" for i in range(50))
    bad = "B{n};01/12/2026;14;1979;apprentissage;{rqth};01/02/2024\n"
    path = write_file(
        "lines.csv",
        header
        + bad.format(n=1, rqth="non")
        + good
        + bad.format(n=2, rqth="peut-être")
        + " B3 ;01/12/2026; 20 ;1979;apprentissage;non;\n",
    )

    report = import_contracts(path, dry_run=True)

    future = "date de début dans le futur (01/12/2026)"
    assert [str(e) for e in report.errors] == [
        f"ligne 2 : {future} ; date de rupture avant la date de début",
        f"ligne 53 : {future} ; indicateur RQTH invalide « peut-être » (oui ou non) ; "
        "date de rupture avant la date de début",
        f"ligne 54 : {future} ; code département inconnu « 20 »",
    ]
    assert report.rows_read == 53


def test_reimporting_the_same_file_changes_nothing(import_contracts):
    import_contracts(DATA / "lines.csv")
    normandie = Region.objects.get(code="28")
    before = selectors.yearly_totals(years=[2024], region=normandie)

    again = import_contracts(DATA / "lines.csv")

    assert again.already_imported == ImportBatch.objects.get()
    assert not again.ok
    assert selectors.yearly_totals(years=[2024], region=normandie) == before
    assert before[(normandie.pk, 2024)].value == 5
    assert ImportBatch.objects.count() == 1


def test_a_corrected_file_replaces_the_cells_it_states_and_nothing_else(
    import_contracts, write_file
):
    first = write_file(
        "mars-avril.csv",
        HEADER
        + "28;1979;2024;3;apprentissage;all;12\n"
        + "28;1979;2024;4;apprentissage;all;15\n"
        + "53;1979;2024;3;apprentissage;all;9\n",
    )
    corrected = write_file(
        "mars-corrige.csv",
        HEADER + "28;1979;2024;3;apprentissage;all;13\n28;1501;2024;3;apprentissage;all;4\n",
    )
    import_contracts(first)

    report = import_contracts(corrected)

    assert report.ok
    assert report.rows_to_replace == 1
    assert report.batch.rows_replaced == 1
    assert counts("28", 2024, month=3, branch_idcc="1979") == [13]  # replaced
    assert counts("28", 2024, month=3, branch_idcc="1501") == [4]  # added
    assert counts("28", 2024, month=4, branch_idcc="1979") == [15]  # other month: kept
    assert counts("53", 2024, month=3, branch_idcc="1979") == [9]  # other region: kept


def test_imports_replace_synthetic_figures_but_never_published_ones(
    import_contracts, write_file, documents
):
    synthetic = SourceFactory(kind=Source.Kind.SYNTHETIC, title="Démo")
    ContractCountFactory(
        year=2024, month=3, branch=Branch.objects.get(idcc="1979"), count=99, source=synthetic
    )
    path = write_file("f.csv", HEADER + "28;1979;2024;3;apprentissage;all;12\n")
    assert import_contracts(path).ok
    assert counts("28", 2024, month=3, branch_idcc="1979") == [12]

    published = write_file("g.csv", HEADER + "28;;2021;;apprentissage;all;3000\n")
    report = import_contracts(published)

    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith(
        "ligne 2 : Normandie 2021 (apprentissage) : ce chiffre vient de « "
    )
    assert counts("28", 2021) == [3071]


def test_undo_removes_exactly_the_rows_of_the_import(import_contracts, write_file, admin_user):
    kept = ContractCountFactory(year=2022, count=50)
    report = import_contracts(DATA / "lines.csv")

    removed = import_batch_undo(batch=report.batch, user=admin_user)

    assert removed == 9  # the cells of lines.csv, department by department
    assert list(ContractCount.objects.all()) == [kept]
    batch = ImportBatch.objects.get()
    assert batch.undone_by == admin_user and batch.undone_at is not None
    # Undone, the same file may be imported again.
    assert import_contracts(DATA / "lines.csv").ok
    assert ContractCount.objects.count() == 10  # kept + the 9 cells of lines.csv


def test_repeated_numbers_are_confirmed_exactly_despite_bloom_false_positives(
    import_contracts, write_file, monkeypatch
):
    from contracts.imports import contracts as contract_files

    # A 16-bit filter: most of 300 distinct numbers look like possible repeats.
    monkeypatch.setattr(contract_files, "BLOOM_BITS", 4)
    monkeypatch.setattr(contract_files, "BLOOM_MASK", 15)
    header = "numero_contrat;date_debut;region;idcc;type_contrat\n"
    lines = [f"N{i:05d};0{1 + i % 9}/03/2024;28;1979;apprentissage\n" for i in range(300)]
    distinct = write_file("distinct.csv", header + "".join(lines))

    report = import_contracts(distinct, dry_run=True)

    assert report.error_count == 0
    assert list(report.facts.values()) == [300]  # one cell: Normandie, March, HCR

    repeated = write_file("repeated.csv", header + "".join(lines) + lines[7])
    report = import_contracts(repeated)

    assert [str(e) for e in report.errors] == [
        "ligne 302 : contrat n° N00007 en double (déjà ligne 9)"
    ]
    assert not ContractCount.objects.exists()


def test_the_scope_reads_as_month_ranges(import_contracts, write_file):
    rows = "".join(f"28;1979;2024;{m};apprentissage;all;1\n" for m in (1, 2, 3, 4, 7, 9, 10))
    report = import_contracts(write_file("f.csv", HEADER + rows), dry_run=True)

    assert report.scope_label == "Normandie : janv. à avr. 2024, juil. 2024, sept. 2024, oct. 2024"


def test_windows_1252_with_semicolons_and_crlf(import_contracts, write_file):
    content = (
        "Région;Branche;Année;Mois;Type de contrat;Public;Nombre\r\n"
        "Île-de-France;Hôtels, cafés, restaurants;2024;5;apprentissage;rqth;3\r\n"
    ).encode("cp1252")

    report = import_contracts(write_file("export.csv", content))

    assert report.ok, report.errors
    assert report.file_format == "CSV Windows-1252, séparateur « ; »"
    assert counts("11", 2024, month=5, branch_idcc="1979", public="rqth") == [3]


def test_a_file_of_the_other_family_or_of_no_known_layout(import_contracts, write_file):
    report = import_contracts(DATA / "ind313.csv")
    assert [str(e) for e in report.errors] == [
        "ligne 1 : ce fichier est au format « Marché : indicateur IND-313 » : importez-le par "
        "import_public_stats ou « Statistiques publiques »"
    ]

    report = import_contracts(write_file("x.csv", "nom;prenom\nDupont;Jean\n"))
    assert str(report.errors[0]).startswith(
        "ligne 1 : format non reconnu : en-têtes « nom, prenom » ; colonnes attendues : "
        "numero_contrat, date_debut, region, departement, idcc, type_contrat, rqth"
    )
