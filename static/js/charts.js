// Draw every chart of the page: each <div class="chart" data-figure="ID"> takes its
// figure from the JSON <script id="ID"> written by Django's json_script filter.
// A chart fills its container: the container takes the figure's height (its CSS gives a
// height per kind before drawing), the figure takes the container's width, and is drawn
// again whenever the container changes size (window resized, print, a <details> opened).
// Also: filter forms marked data-autosubmit submit when a select changes (a change of
// region leaves the department), and
// buttons marked data-print open the browser's print dialog (no inline script).
(function () {
  "use strict";
  var CONFIG = {
    responsive: true, displaylogo: false, locale: "fr",
    modeBarButtonsToRemove: ["select2d", "lasso2d"]
  };

  function resize(el) {
    if (window.Plotly && el.dataset.drawn === "true") { window.Plotly.Plots.resize(el); }
  }

  var observer = window.ResizeObserver ? new window.ResizeObserver(function (entries) {
    window.requestAnimationFrame(function () {
      entries.forEach(function (entry) { resize(entry.target); });
    });
  }) : null;

  function drawOne(el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    if (layout.height) {
      el.style.height = layout.height + "px";  // CSSOM, allowed by the CSP
      delete layout.height;
    }
    layout.autosize = true;
    window.Plotly.newPlot(el, figure.data, layout, CONFIG).then(function () {
      el.dataset.drawn = "true";
      if (observer) { observer.observe(el); }
    });
  }

  function draw() {
    document.querySelectorAll(".chart[data-figure]").forEach(drawOne);
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () {
        // Another region: its whole territory, not the department chosen before.
        var department = select.form.elements.department;
        if (select.name === "region" && department) { department.disabled = true; }
        select.form.submit();
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function resizeAll() {
    document.querySelectorAll(".chart[data-drawn]").forEach(resize);
  }
  // Redraw charts at the paper's width before printing, and back after.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) { print.addEventListener("change", resizeAll); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
