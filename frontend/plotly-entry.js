// The plotly.js we ship: its core (which always holds the scatter trace) and the other
// trace types dashboards/charts.py draws (bar, heatmap). A chart with another type
// would not draw: add its module here (tests/dashboards/test_plotly_bundle.py checks).
"use strict";

var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/bar"), require("plotly.js/lib/heatmap")]);

module.exports = Plotly;
