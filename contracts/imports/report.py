"""What an import found: shared by the command, the upload page and the service."""

from dataclasses import dataclass, field

MAX_ERRORS_KEPT = 200


@dataclass
class LineError:
    line: int | None  # None: about the file or a figure, not one line
    message: str

    def __str__(self):
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
    already_imported: object = None  # the ImportBatch of the same file, if any
    batch: object = None  # the ImportBatch written (None for a dry run or on errors)
    dry_run: bool = False

    def error(self, line, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(LineError(line, message))

    @property
    def ok(self):
        return not self.error_count and self.already_imported is None

    @property
    def errors_truncated(self):
        return self.error_count > len(self.errors)
