// Draw every chart of the page: each <div class="chart" data-figure="ID"> takes its
// figure from the JSON <script id="ID"> written by Django's json_script filter.
// The topmost chart is drawn as soon as the page is parsed; the others one at a time
// when the browser is idle (so the page stays responsive while they are drawn), those
// scrolled near the screen first, and all of them before printing. A chart the server
// drew as SVG (data-static, dashboards/chart_svg.py) is shown from the first paint and
// replaced here by the interactive one. `data-drawn="true"`: a chart is on screen
// (static or interactive); `data-interactive="true"`: plotly.js drew it.
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
  var waiting = [];  // charts not drawn yet, those to draw first at the front
  var scheduled = false;

  function resize(el) {
    if (window.Plotly && el.dataset.interactive === "true") { window.Plotly.Plots.resize(el); }
  }

  var observer = window.ResizeObserver ? new window.ResizeObserver(function (entries) {
    window.requestAnimationFrame(function () {
      entries.forEach(function (entry) { resize(entry.target); });
    });
  }) : null;

  // Charts coming into view jump the queue.
  var nearScreen = window.IntersectionObserver ? new window.IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var at = waiting.indexOf(entry.target);
      if (entry.isIntersecting && at > 0) {
        waiting.splice(at, 1);
        waiting.unshift(entry.target);
      }
    });
  }, { rootMargin: "200px 0px" }) : null;

  function drawOne(el) {
    var at = waiting.indexOf(el);
    if (at >= 0) { waiting.splice(at, 1); }
    if (nearScreen) { nearScreen.unobserve(el); }
    var source = document.getElementById(el.dataset.figure);
    if (!source || !window.Plotly || el.dataset.interactive) { return; }
    el.dataset.interactive = "drawing";
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    if (layout.height) {
      el.style.height = layout.height + "px";  // CSSOM, allowed by the CSP
      delete layout.height;
    }
    layout.autosize = true;
    if (el.dataset.static) {
      el.replaceChildren();  // the server's SVG makes way (in the same task: no flash)
      delete el.dataset.static;
    }
    window.Plotly.newPlot(el, figure.data, layout, CONFIG).then(function () {
      el.dataset.drawn = "true";
      el.dataset.interactive = "true";
      if (observer) { observer.observe(el); }
    });
  }

  function later(callback) {
    if (window.requestIdleCallback) {
      window.requestIdleCallback(callback, { timeout: 300 });
    } else {
      window.setTimeout(callback, 16);
    }
  }

  function drawNext() {
    scheduled = false;
    if (waiting.length) { drawOne(waiting[0]); }
    if (waiting.length) {
      scheduled = true;
      later(drawNext);
    } else if (nearScreen) {
      nearScreen.disconnect();
    }
  }

  function drawAll() {
    while (waiting.length) { drawOne(waiting[0]); }
  }

  function draw() {
    waiting = Array.prototype.slice.call(document.querySelectorAll(".chart[data-figure]"));
    if (waiting.length) {
      drawOne(waiting[0]);
      if (nearScreen) { waiting.forEach(function (el) { nearScreen.observe(el); }); }
      if (waiting.length && !scheduled) {
        scheduled = true;
        later(drawNext);
      }
    }
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
    drawAll();
    document.querySelectorAll(".chart[data-interactive]").forEach(resize);
  }
  // Draw what is left, and redraw charts at the paper's width, before printing; back after.
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
