"""Writes on events: atomic, validated, recorded in the audit history."""

from akto_portal.models import Source


def manual_entry_source():
    """The source of everything typed into the portal by its users."""
    source, _ = Source.objects.get_or_create(
        kind=Source.Kind.MANUAL,
        title="Saisie dans le portail",
        defaults={"reference": "Formulaires du portail"},
    )
    return source
