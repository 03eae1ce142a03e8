// Draw every chart of the page: each <div class="chart" data-figure="ID"> takes its
// figure from the JSON <script id="ID"> written by Django's json_script filter.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true, displaylogo: false, locale: "fr",
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      }).then(function () { el.dataset.drawn = "true"; });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
