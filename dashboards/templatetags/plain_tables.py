"""`row|cells`: a dashboard table row's cells (dashboards.tables.BaseTable.cells)."""

from collections.abc import Iterator
from typing import Any

from django import template
from django_tables2.rows import BoundRow

register = template.Library()


@register.filter
def cells(row: BoundRow) -> Iterator[tuple[str, Any]]:
    return row.table.cells(row)
