"""Partner organisations: the 18 regional councils, Agefiph and its 14 regional delegations."""

from django.db import migrations

REGIONAL_COUNCILS = {
    "01": "Région Guadeloupe",
    "02": "Collectivité territoriale de Martinique",
    "03": "Collectivité territoriale de Guyane",
    "04": "Région Réunion",
    "06": "Département de Mayotte",
    "11": "Région Île-de-France",
    "24": "Région Centre-Val de Loire",
    "27": "Région Bourgogne-Franche-Comté",
    "28": "Région Normandie",
    "32": "Région Hauts-de-France",
    "44": "Région Grand Est",
    "52": "Région Pays de la Loire",
    "53": "Région Bretagne",
    "75": "Région Nouvelle-Aquitaine",
    "76": "Région Occitanie",
    "84": "Région Auvergne-Rhône-Alpes",
    "93": "Région Provence-Alpes-Côte d'Azur",
    "94": "Collectivité de Corse",
}

# Agefiph's 14 regional delegations and the regions each covers.
AGEFIPH_DELEGATIONS = {
    "Agefiph Antilles-Guyane": ["01", "02", "03"],
    "Agefiph Réunion-Mayotte": ["04", "06"],
    "Agefiph Île-de-France": ["11"],
    "Agefiph Centre-Val de Loire": ["24"],
    "Agefiph Bourgogne-Franche-Comté": ["27"],
    "Agefiph Normandie": ["28"],
    "Agefiph Hauts-de-France": ["32"],
    "Agefiph Grand Est": ["44"],
    "Agefiph Pays de la Loire": ["52"],
    "Agefiph Bretagne": ["53"],
    "Agefiph Nouvelle-Aquitaine": ["75"],
    "Agefiph Occitanie": ["76"],
    "Agefiph Auvergne-Rhône-Alpes": ["84"],
    "Agefiph Provence-Alpes-Côte d'Azur et Corse": ["93", "94"],
}


def load(apps, schema_editor):
    Region = apps.get_model("akto_portal", "Region")
    Partner = apps.get_model("conventions", "Partner")
    regions = {r.code: r for r in Region.objects.all()}
    for code, name in REGIONAL_COUNCILS.items():
        partner, _ = Partner.objects.update_or_create(
            name=name, defaults={"kind": "regional_council"}
        )
        partner.regions.set([regions[code]])
    Partner.objects.update_or_create(name="Agefiph", defaults={"kind": "agefiph"})
    for name, codes in AGEFIPH_DELEGATIONS.items():
        partner, _ = Partner.objects.update_or_create(name=name, defaults={"kind": "agefiph"})
        partner.regions.set([regions[c] for c in codes])


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0001_initial"),
        ("akto_portal", "0002_reference_data"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
