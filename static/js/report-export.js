// The progress bar of a background report job: polls the job's status URL (data-export-status)
// until the job is done or failed, then shows the download link. No inline script: the portal runs
// under a strict Content Security Policy.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box) {
    return;
  }
  var bar = box.querySelector("[data-export-bar]");
  var label = box.querySelector("[data-export-label]");
  var count = box.querySelector("[data-export-count]");
  var error = box.querySelector("[data-export-error]");
  var link = box.querySelector("[data-export-download]");
  var delay = 1000;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + "%";
    label.textContent = status.label;
    count.textContent = status.done + " / " + status.total;
    error.textContent = status.error ? " · " + status.error : "";
    box.setAttribute("data-state", status.state);
    if (status.download) {
      link.href = status.download;
      link.hidden = false;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-export-status"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.state === "queued" || status.state === "running") {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A network hiccup: try again a little later, more slowly.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  var state = box.getAttribute("data-state");
  if (state === "queued" || state === "running") {
    poll();
  }
})();
