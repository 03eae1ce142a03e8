from django.contrib import admin

from contracts.models import ContractCount, ContractTarget, MarketStat


@admin.register(ContractCount)
class ContractCountAdmin(admin.ModelAdmin):
    list_display = [
        "region",
        "year",
        "month",
        "branch",
        "contract_type",
        "public",
        "count",
        "source",
    ]
    list_filter = ["year", "contract_type", "public", "source__kind", "region"]
    search_fields = ["region__name", "branch__name", "branch__idcc"]
    autocomplete_fields = ["region", "branch", "source"]
    list_select_related = ["region", "branch", "source"]
    show_full_result_count = False


@admin.register(ContractTarget)
class ContractTargetAdmin(admin.ModelAdmin):
    list_display = ["year", "region", "contract_type", "public", "value", "source"]
    list_filter = ["year", "region", "source__kind"]
    autocomplete_fields = ["region", "source"]
    list_select_related = ["region", "source"]


@admin.register(MarketStat)
class MarketStatAdmin(admin.ModelAdmin):
    list_display = ["year", "month", "region", "measure", "value", "source"]
    list_filter = ["year", "measure", "region"]
    autocomplete_fields = ["region", "source"]
    list_select_related = ["region", "source"]
