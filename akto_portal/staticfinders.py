"""Serve plotly.js as `vendor/plotly.min.js`, from our static files; never from a CDN.

`make install` (and the Dockerfile) build a partial bundle with only the trace types we
draw into `static/vendor/` (frontend/build-plotly.mjs, with its licences beside it), which
the ordinary FileSystemFinder serves. Without it (no Node.js on the machine), this finder
falls back to the full bundle shipped inside the installed `plotly` package.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import plotly
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_STATIC_PATH = "vendor/plotly.min.js"


def custom_bundle() -> Path:
    """Where frontend/build-plotly.mjs writes the partial bundle."""
    return Path(settings.BASE_DIR) / "static" / PLOTLY_STATIC_PATH


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=PLOTLY_DIR)
    storage.prefix = "vendor"  # type: ignore[attr-defined]  # read by collectstatic

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return []

    def find(  # type: ignore[override]  # the stub says None for no match; Django's finders answer []
        self, path: str, find_all: bool = False, **kwargs: Any
    ) -> str | list[str]:
        # No match is [] in both modes, as Django's finders answer: `finders.find()` turns
        # a None into [None], a "match" that made every missing /static/ file a 500.
        if path != PLOTLY_STATIC_PATH or custom_bundle().exists():
            return []
        match = str(PLOTLY_DIR / "plotly.min.js")
        return [match] if find_all else match

    def list(
        self, ignore_patterns: Iterable[str] | None
    ) -> Iterator[tuple[str, FileSystemStorage]]:
        if not custom_bundle().exists():
            yield "plotly.min.js", self.storage
