// Import forms: send with XMLHttpRequest to show the upload progress, then poll the
// server for the reading progress of the file; follow the server's redirect at the end.
// Without JavaScript the forms post normally.
(function () {
  "use strict";
  function setup(form) {
    var box = form.querySelector(".import-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector(".import-progress-label");
    var keyInput = form.querySelector("input[name=progress_key]");
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.crypto || !crypto.randomUUID) return;
      event.preventDefault();
      var key = crypto.randomUUID();
      if (keyInput) keyInput.value = key;
      var pollUrl = form.dataset.progressUrl.replace("00000000-0000-0000-0000-000000000000", key);
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      box.hidden = false;
      var timer = null;
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
        bar.value = 0;
        label.textContent = "Lecture et vérification du fichier…";
        timer = window.setInterval(function () {
          fetch(pollUrl, { credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (p) {
              if (p.total) {
                bar.value = Math.round((p.done * 100) / p.total);
                label.textContent = "Lecture et vérification : " + bar.value + " %";
              }
            })
            .catch(function () {});
        }, 700);
      });
      xhr.addEventListener("load", function () {
        if (timer) window.clearInterval(timer);
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
        if (timer) window.clearInterval(timer);
        button.disabled = false;
        label.textContent = "L'envoi a échoué ; réessayez.";
      });
      xhr.send(new FormData(form));
    });
  }
  document.querySelectorAll("form.import-form").forEach(setup);
})();
