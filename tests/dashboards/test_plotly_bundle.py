"""plotly.js is a partial bundle (frontend/plotly-entry.js) of the trace types we draw,
served from our static files with its licences; without it (no Node.js where the
portal was installed), the full bundle of the plotly package is served."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from akto_portal import staticfinders

pytestmark = pytest.mark.django_db
ENTRY = Path(settings.BASE_DIR) / "frontend" / "plotly-entry.js"


def bundled_trace_types() -> set[str]:
    """The trace modules the entry registers, and scatter, which plotly's core holds."""
    return {"scatter", *re.findall(r'require\("plotly\.js/lib/(\w+)"\)', ENTRY.read_text())}


def test_every_trace_type_we_draw_is_in_the_bundle(client_for, director, monthly):
    response = client_for(director).get(reverse("overview"), {"region": "", "year": 2022})
    names = ["cumulative", "years", "regions", "map", "branches", "months", "events", "attendance"]
    figures = [response.context[f"chart_{name}"]() for name in names]
    conventions = client_for(director).get(reverse("overview"), {"region": "", "year": 2026})
    figures += [item["chart"] for item in conventions.context["progress"]()]
    assert len(figures) > len(names)  # the indicators' charts are among them
    drawn = {trace["type"] for figure in figures if figure for trace in figure["data"]}
    assert drawn == {"bar", "scatter", "heatmap"}
    assert drawn <= bundled_trace_types()


def test_the_partial_bundle_is_served_with_its_licences_when_built():
    if not staticfinders.custom_bundle().exists():
        pytest.skip("not built here (no npm): the full bundle is served, see the next test")
    assert finders.find("vendor/plotly.min.js") == str(staticfinders.custom_bundle())
    licences = staticfinders.custom_bundle().with_name("plotly.min.js.LICENSE.txt").read_text()
    assert "plotly.js 4.1.1 (MIT)" in licences
    assert "@plotly/d3" in licences


def test_without_the_partial_bundle_the_plotly_package_one_is_served(monkeypatch, tmp_path):
    monkeypatch.setattr(staticfinders, "custom_bundle", lambda: tmp_path / "absent.js")
    found = staticfinders.PlotlyFinder().find("vendor/plotly.min.js")
    assert found == str(staticfinders.PLOTLY_DIR / "plotly.min.js")
    listed = [path for path, _storage in staticfinders.PlotlyFinder().list([])]
    assert listed == ["plotly.min.js"]
