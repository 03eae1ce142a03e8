"""django-import-export resources: the columns of the admin's import/export files.

Related objects are named the way people know them (a region by its INSEE code, a
partner or a source by its name/title); rows are matched on `id` when given.
"""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from akto_portal.models import Region, Source
from conventions.models import Convention, Indicator, IndicatorValue, Partner


def _source_field(attribute: str = "source", column: str = "source") -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=column, widget=ForeignKeyWidget(Source, "title")
    )


class PartnerResource(resources.ModelResource):
    regions = fields.Field(
        attribute="regions",
        column_name="regions",
        widget=ManyToManyWidget(Region, field="code", separator="|"),
    )

    class Meta:
        model = Partner
        fields = ("id", "name", "kind", "regions")
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True


class ConventionResource(resources.ModelResource):
    region = fields.Field(
        attribute="region", column_name="region", widget=ForeignKeyWidget(Region, "code")
    )
    partners = fields.Field(
        attribute="partners",
        column_name="partners",
        widget=ManyToManyWidget(Partner, field="name", separator="|"),
    )
    source = _source_field()

    class Meta:
        model = Convention
        fields = (
            "id",
            "title",
            "kind",
            "status",
            "region",
            "partners",
            "parent",
            "renews",
            "start_on",
            "end_on",
            "signed_on",
            "signed_on_precision",
            "summary",
            "source",
        )
        skip_unchanged = True
        report_skipped = True


class IndicatorResource(resources.ModelResource):
    target_source = _source_field("target_source", "target_source")

    class Meta:
        model = Indicator
        fields = (
            "id",
            "convention",
            "axis",
            "position",
            "name",
            "unit",
            "computation",
            "baseline",
            "target",
            "target_source",
        )
        skip_unchanged = True
        report_skipped = True


class IndicatorValueResource(resources.ModelResource):
    source = _source_field()

    class Meta:
        model = IndicatorValue
        fields = ("id", "indicator", "as_of", "value", "qualifier", "source")
        skip_unchanged = True
        report_skipped = True
