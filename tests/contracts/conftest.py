import datetime
from pathlib import Path

import pytest

from contracts import services

DATA = Path(__file__).parent / "data"
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def write_file(tmp_path):
    """Write `content` (str as UTF-8, or bytes) to a file named `name`; return its path."""

    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def import_contracts():
    def run(path, **kwargs):
        kwargs.setdefault("today", TODAY)
        return services.contract_import(path=path, file_name=Path(path).name, **kwargs)

    return run


@pytest.fixture
def import_market():
    def run(path, **kwargs):
        kwargs.setdefault("today", TODAY)
        return services.market_import(path=path, file_name=Path(path).name, **kwargs)

    return run
