"""Reference data every installation needs: the 18 regions and the OPCO's branches."""

from django.db import migrations

# INSEE code, name, overseas, tile-map column, tile-map row.
REGIONS = [
    ("01", "Guadeloupe", True, 0, 6),
    ("02", "Martinique", True, 1, 6),
    ("03", "Guyane", True, 2, 6),
    ("04", "La Réunion", True, 3, 6),
    ("06", "Mayotte", True, 4, 6),
    ("11", "Île-de-France", False, 2, 1),
    ("24", "Centre-Val de Loire", False, 2, 2),
    ("27", "Bourgogne-Franche-Comté", False, 3, 2),
    ("28", "Normandie", False, 1, 1),
    ("32", "Hauts-de-France", False, 2, 0),
    ("44", "Grand Est", False, 3, 1),
    ("52", "Pays de la Loire", False, 1, 2),
    ("53", "Bretagne", False, 0, 2),
    ("75", "Nouvelle-Aquitaine", False, 1, 3),
    ("76", "Occitanie", False, 2, 4),
    ("84", "Auvergne-Rhône-Alpes", False, 3, 3),
    ("93", "Provence-Alpes-Côte d'Azur", False, 3, 4),
    ("94", "Corse", False, 4, 5),
]

# Branches covered by an OPCO of the services sector such as AKTO (name, IDCC).
BRANCHES = [
    ("Hôtels, cafés, restaurants", "1979"),
    ("Restauration rapide", "1501"),
    ("Restauration collective", "1266"),
    ("Chaînes de cafétérias", "2060"),
    ("Propreté et services associés", "3043"),
    ("Prévention et sécurité", "1351"),
    ("Travail temporaire (salariés permanents)", "2378"),
    ("Entreprises de services à la personne", "3127"),
    ("Hôtellerie de plein air", "1631"),
    ("Casinos", "2257"),
    ("Organismes de tourisme", "1909"),
    ("Thermalisme", "2104"),
    ("Golf", "2021"),
    ("Portage salarial", "3219"),
    ("Activités du déchet", "2149"),
    ("Manutention ferroviaire", "0538"),
    ("Agences de mannequins", "2397"),
    ("Entreprises hors branche", ""),
]


def load(apps, schema_editor):
    Region = apps.get_model("akto_portal", "Region")
    Branch = apps.get_model("akto_portal", "Branch")
    for code, name, overseas, col, row in REGIONS:
        Region.objects.update_or_create(
            code=code, defaults={"name": name, "overseas": overseas, "map_col": col, "map_row": row}
        )
    for name, idcc in BRANCHES:
        Branch.objects.update_or_create(name=name, defaults={"idcc": idcc})


class Migration(migrations.Migration):
    dependencies = [("akto_portal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
