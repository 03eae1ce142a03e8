"""What an import found: shared by the command, the upload page and the service."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contracts.models import ImportBatch

MAX_ERRORS_KEPT = 200


@dataclass
class LineError:
    line: int | None  # None: about the file or a figure, not one line
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}" if self.line else self.message


@dataclass
class ImportReport:
    layout: str = ""
    layout_label: str = ""
    file_name: str = ""
    checksum: str = ""
    size: int = 0
    file_format: str = ""
    rows_read: int = 0
    rows_ignored: int = 0
    ignored_note: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    # Figures the file gives, ready to be written (model-specific dicts).
    facts: dict = field(default_factory=dict)
    # First line of the file that fed each fact (to name it in a conflict).
    fact_lines: dict = field(default_factory=dict)
    scope: list = field(default_factory=list)
    scope_label: str = ""
    # Rows the file gives, summed for the preview: [(label, value), ...]
    summary: list = field(default_factory=list)
    rows_to_replace: int = 0
    # Every figure the write changes (contracts.statements): the first ones, and how many.
    changes: list = field(default_factory=list)
    change_count: int = 0
    already_imported: "ImportBatch | None" = None  # the import of the same file, if any
    # An earlier import of the same file some of whose figures were replaced since.
    previous_import: dict | None = None
    batch: "ImportBatch | None" = None  # the import written (None: a dry run, or errors)
    dry_run: bool = False

    def error(self, line: int | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(LineError(line, message))

    @property
    def ok(self) -> bool:
        return not self.error_count and self.already_imported is None

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def as_dict(self) -> dict:
        """What the preview page shows, as JSON (kept with the ImportJob)."""
        already = self.already_imported
        return {
            "layout_label": self.layout_label,
            "file_format": self.file_format,
            "rows_read": self.rows_read,
            "rows_ignored": self.rows_ignored,
            "ignored_note": self.ignored_note,
            "ignored_columns": self.ignored_columns,
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
            "error_count": self.error_count,
            "facts": len(self.facts),
            "summary": [
                {
                    "region": row["region"],
                    "year": row["year"],
                    "detail": row.get("contract_type") or row.get("period"),
                    "count": int(row["count"]),
                }
                for row in self.summary
            ],
            "scope_label": self.scope_label,
            "rows_to_replace": self.rows_to_replace,
            "changes": self.changes,
            "change_count": self.change_count,
            "already_imported": (
                {"pk": already.pk, "created_at": already.created_at.isoformat()}
                if already
                else None
            ),
            "previous_import": self.previous_import,
            "ok": self.ok,
        }
