// Draw every chart of the page: each <div class="chart" data-figure="ID"> takes its
// figure from the JSON <script id="ID"> written by Django's json_script filter.
// Also: filter forms marked data-autosubmit submit when a select changes, and
// buttons marked data-print open the browser's print dialog (no inline script).
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
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  // Redraw charts at the paper's width before printing.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".chart[data-drawn]").forEach(function (el) {
      if (window.Plotly) { window.Plotly.Plots.resize(el); }
    });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
