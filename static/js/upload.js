// Evidence uploads in the browser (no inline script: the portal runs under a strict Content Security
// Policy). Each evidence input carries data-max-bytes and data-accept (core/evidence.py):
// - a file too large or of a type the portal does not take is refused here, before anything is sent
//   (the server checks again, by content);
// - a form that sends files shows the upload's progress (XMLHttpRequest), then shows the page the
//   portal answered, as a normal submit would; a browser without it simply submits the form.
// Every evidence widget includes this file, so it may run more than once on a page: only the first
// run sets it up.
(function () {
  "use strict";
  if (window.evidenceUpload) {
    return;
  }
  window.evidenceUpload = true;

  var INPUTS = "input[type=file][data-evidence-upload]";

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "") + " MB";
    }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  // What is wrong with the files chosen in one input, in Chinese; [] when nothing is.
  function problems(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var accepted = (input.getAttribute("data-accept") || "").split(/\s+/).filter(Boolean);
    var found = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      var extension = extensionOf(file.name);
      if (limit && file.size > limit) {
        found.push(file.name + ":文件过大(" + formatSize(file.size) + "),单个文件不能超过 " + formatSize(limit) + "。");
      } else if (file.size === 0) {
        found.push(file.name + ":文件是空的。");
      } else if (extension && accepted.length && accepted.indexOf(extension) === -1) {
        // A name without an extension is left to the server, which looks at the content.
        found.push(file.name + ":文件类型不符,只能上传 " + accepted.join(" ") + " 文件。");
      }
    });
    return found;
  }

  function feedbackFor(input) {
    var id = input.id ? input.id + "-browser-check" : "";
    var box = id ? document.getElementById(id) : null;
    if (!box) {
      box = document.createElement("div");
      if (id) {
        box.id = id;
      }
      box.className = "invalid-feedback d-block";
      box.setAttribute("role", "alert");
      box.setAttribute("data-browser-check", "");
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  // Show (or clear) the problems of one input; true when it is fine.
  function check(input) {
    var found = problems(input);
    var box = feedbackFor(input);
    box.textContent = found.join(" ");
    box.hidden = found.length === 0;
    input.classList.toggle("is-invalid", found.length > 0);
    return found.length === 0;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches(INPUTS)) {
      check(input);
    }
  });

  function progressFor(form) {
    var box = form.querySelector(".evidence-upload-progress");
    if (!box) {
      box = document.createElement("div");
      box.className = "evidence-upload-progress my-2";
      box.innerHTML = '<progress max="100" value="0"></progress><div class="small text-muted" aria-live="polite"></div>';
      // Above the buttons, where the eye is after pressing one.
      var button = form.querySelector("button[type=submit], input[type=submit]");
      var row = button ? button.parentNode : null;
      if (row && row !== form && form.contains(row)) {
        row.parentNode.insertBefore(box, row);
      } else {
        form.appendChild(box);
      }
    }
    box.hidden = false;
    return { bar: box.querySelector("progress"), text: box.querySelector("div") };
  }

  // The portal's answer, as after a normal submit. A redirect (the usual answer to a save) comes
  // as an empty 204 naming where to go (portal.middleware.UploadRedirectMiddleware: a script that
  // followed the redirect itself would read the next page's one-time message), and is followed as a
  // real navigation, so the address, the history and the next page's scripts are as a normal submit
  // leaves them. A page answered in place (the form again, with its errors) is written into this
  // document, whose scripts then run afresh.
  function showAnswer(xhr) {
    var next = xhr.getResponseHeader("X-Portal-Location");
    if (xhr.status === 204 && next) {
      window.location.assign(next);
      return true;
    }
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") !== 0) {
      return false;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
    return true;
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.disabled = true;
    });
    var progress = progressFor(form);
    progress.text.textContent = "正在上传……";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Portal-Upload", "1");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        var percent = Math.round((event.loaded / event.total) * 100);
        progress.bar.value = percent;
        progress.text.textContent = "已上传 " + percent + "%(" + formatSize(event.loaded) + " / " + formatSize(event.total) + ")";
      }
    });
    xhr.upload.addEventListener("load", function () {
      progress.bar.value = 100;
      progress.text.textContent = "上传完成,正在检查文件……";
    });
    xhr.addEventListener("load", function () {
      if (!showAnswer(xhr)) {
        // An answer this page cannot show. Never send the form again (the write may have been
        // done): go where the answer came from.
        window.location.assign(xhr.responseURL || window.location.href);
      }
    });
    xhr.addEventListener("error", function () {
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = false;
      });
      progress.bar.value = 0;
      progress.text.textContent = "上传失败,请检查网络后重试。";
    });
    xhr.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = form.querySelectorAll(INPUTS);
    if (!inputs.length) {
      return;
    }
    var fine = true;
    var chosen = false;
    Array.prototype.forEach.call(inputs, function (input) {
      fine = check(input) && fine;
      chosen = chosen || (input.files && input.files.length > 0);
    });
    if (!fine) {
      event.preventDefault();
      var first = form.querySelector(INPUTS + ".is-invalid");
      if (first) {
        first.focus();
      }
      return;
    }
    if (!chosen || !window.FormData || !window.DOMParser || !("upload" in new XMLHttpRequest())) {
      return; // nothing to upload, or an old browser: the ordinary submit
    }
    event.preventDefault();
    send(form, event.submitter);
  });
})();
