"""django-import-export resource of contract targets (admin import/export)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from akto_portal.models import Department, Region, Source
from contracts.models import ContractTarget


class ContractTargetResource(resources.ModelResource):
    region = fields.Field(
        attribute="region", column_name="region", widget=ForeignKeyWidget(Region, "code")
    )
    department = fields.Field(
        attribute="department",
        column_name="department",
        widget=ForeignKeyWidget(Department, "code"),
    )
    source = fields.Field(
        attribute="source", column_name="source", widget=ForeignKeyWidget(Source, "title")
    )

    class Meta:
        model = ContractTarget
        fields = (
            "id",
            "year",
            "region",
            "department",
            "contract_type",
            "public",
            "value",
            "source",
        )
        # A year is a label, not a quantity: "2026", never "2 026".
        widgets = {"year": {"coerce_to_string": False}}
        skip_unchanged = True
        report_skipped = True
