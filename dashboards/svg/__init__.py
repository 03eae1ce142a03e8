"""The one server-side renderer of the portal's charts: the same figure dicts plotly.js
draws on the page (dashboards/charts.py), drawn as SVG on the server.

- `fluid.chart_svg`: the first paint of the page's first charts, filling its box at any
  width (then plotly.js takes over);
- `sized.sized_svg`: a chart at a fixed size, for paper (the PDF report, which
  WeasyPrint draws from the SVG) and for mail (`sized.png`, the SVG rasterised).

Both read the figures alike (`common`): categories, values, colours, hatching of
synthetic figures, dashes, ticks, French numbers.
"""
