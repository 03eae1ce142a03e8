"""Serve plotly.js from the copy shipped inside the installed `plotly` package.

Only that one file is exposed, as `vendor/plotly.min.js`; nothing is fetched from a CDN.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_STATIC_PATH = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=PLOTLY_DIR)
    storage.prefix = "vendor"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # No match is [] in both modes, as Django's finders answer: `finders.find()` turns
        # a None into [None], a "match" that made every missing /static/ file a 500.
        if path != PLOTLY_STATIC_PATH:
            return []
        match = str(PLOTLY_DIR / "plotly.min.js")
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
