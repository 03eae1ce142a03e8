from contracts.management.commands._import import ImportCommand
from contracts.services import market_import


class Command(ImportCommand):
    help = (
        "Importe les statistiques publiques du marché de l'apprentissage (baromètre de "
        "l'action publique ou IND-313), CSV ou XLSX. Tout ou rien."
    )
    service = staticmethod(market_import)
