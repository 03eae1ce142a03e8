// Import pages. The upload form is sent with XMLHttpRequest to show the upload
// progress (and refuses a file over the size limit before sending it); the job page
// polls the job's JSON status while the background worker checks or writes the file,
// and reloads itself when a step ends. Without JavaScript the form posts normally and
// the job page has a link to refresh it.
(function () {
  "use strict";

  function setupUpload(form) {
    var box = form.querySelector(".import-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector(".import-progress-label");
    var input = form.querySelector("input[type=file]");
    var maxBytes = parseInt(form.dataset.maxBytes || "0", 10);
    form.addEventListener("submit", function (event) {
      var file = input && input.files && input.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        event.preventDefault();
        box.hidden = false;
        bar.hidden = true;
        label.textContent = form.dataset.tooLarge;
        label.classList.add("error");
        return;
      }
      if (!window.XMLHttpRequest || !window.FormData) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      box.hidden = false;
      bar.hidden = false;
      label.classList.remove("error");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded * 100) / e.total);
          label.textContent = "Envoi du fichier : " + bar.value + " %";
        }
      });
      xhr.upload.addEventListener("load", function () {
        label.textContent = "Fichier reçu, mise en file d'attente…";
      });
      xhr.addEventListener("load", function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (xhr.status === 200 && type.indexOf("application/json") === 0) {
          window.location.assign(JSON.parse(xhr.responseText).redirect);
        } else {
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        label.textContent = "L'envoi a échoué ; réessayez.";
      });
      xhr.send(new FormData(form));
    });
  }

  function followJob(section) {
    var bar = section.querySelector("progress");
    var label = section.querySelector(".import-progress-label");
    var waiting = section.querySelector(".import-waiting");
    var shownStep = section.dataset.state.split("-")[0];
    function poll() {
      fetch(section.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (!s.busy || s.step !== shownStep) {
            window.location.reload();
            return;
          }
          bar.value = s.percent;
          label.textContent = s.label;
          if (waiting) waiting.hidden = !s.waiting;
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 500);
  }

  document.querySelectorAll("form.import-form").forEach(setupUpload);
  document.querySelectorAll(".import-status[data-status-url]").forEach(followJob);
})();
