"""django-import-export's admin export formats with the portal's formula guard
(akto_portal.formulas): the library's own option only drops a leading "=" and turns every
cell into text; ours prefixes `=`, `+`, `-`, `@` with `'` and keeps numbers."""

from typing import Any

from import_export.formats import base_formats
from tablib import Dataset

from akto_portal.formulas import neutralise


def _neutralise_dataset(dataset: Dataset) -> None:
    for _ in range(len(dataset)):
        row = dataset.lpop()
        dataset.append([neutralise(cell) if isinstance(cell, str) else cell for cell in row])


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset: Dataset, **kwargs: Any) -> Any:
        _neutralise_dataset(dataset)
        return super().export_data(dataset, **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset: Dataset, **kwargs: Any) -> Any:
        _neutralise_dataset(dataset)
        return super().export_data(dataset, **kwargs)
