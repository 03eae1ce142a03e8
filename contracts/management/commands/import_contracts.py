from contracts.management.commands._import import ImportCommand
from contracts.services import contract_import


class Command(ImportCommand):
    help = (
        "Importe un fichier de contrats (nombres agrégés ou une ligne par contrat), "
        "CSV ou XLSX. Tout ou rien : une ligne fausse et rien n'est écrit."
    )
    service = staticmethod(contract_import)
