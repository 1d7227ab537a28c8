// A search box above long selects: typing narrows the options to those whose text contains what was
// typed (民政办 names, towns, counties). Applied to every single-choice select with more than 15
// options, and to any select marked data-search (data-search="off" turns it off). Without script the
// select is the ordinary one, so nothing depends on this file.
//
// The portal runs under a strict Content Security Policy: no inline script or style, so this file
// only moves <option> elements and toggles Bootstrap classes. Options are taken out of the select
// and put back in their original places (hiding an option is not honoured by every browser); the
// chosen option and the empty "please choose" option always stay, so narrowing never changes what
// the form sends.
(function () {
  "use strict";

  var THRESHOLD = 15;
  var counter = 0;

  function wanted(select) {
    if (select.multiple || select.dataset.searchReady) return false;
    var mark = select.dataset.search;
    if (mark === "off") return false;
    return mark !== undefined || select.options.length > THRESHOLD;
  }

  function labelText(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var text = label ? label.textContent : select.getAttribute("aria-label") || "";
    return text.replace(/\s*\*\s*$/, "").trim();
  }

  function enhance(select) {
    if (!wanted(select)) return;
    select.dataset.searchReady = "1";
    if (!select.id) select.id = "select-search-" + ++counter;

    // The select's children as they were: each option with the group it belongs to (or none).
    var entries = [];
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        Array.prototype.forEach.call(child.children, function (option) {
          entries.push({ option: option, group: child });
        });
      } else {
        entries.push({ option: child, group: null });
      }
    });

    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 select-search";
    box.placeholder = "输入文字筛选选项";
    box.autocomplete = "off";
    box.setAttribute("aria-controls", select.id);
    var name = labelText(select);
    box.setAttribute("aria-label", name ? "筛选“" + name + "”的选项" : "筛选选项");

    var status = document.createElement("div");
    status.className = "form-text mt-0 mb-1 d-none";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.id = select.id + "-search-status";
    box.setAttribute("aria-describedby", status.id);

    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select);

    function matches(option, words) {
      var text = option.textContent.toLowerCase();
      return words.every(function (word) {
        return text.indexOf(word) !== -1;
      });
    }

    var firstMatch = null;

    function narrow() {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var chosen = select.value;
      var matching = 0;
      var lastGroup = null;
      firstMatch = null;
      // Rebuild the select in the original order from what is kept.
      entries.forEach(function (entry) {
        entry.option.remove();
        if (entry.group) entry.group.remove();
      });
      entries.forEach(function (entry) {
        var option = entry.option;
        var hit = option.value !== "" && matches(option, words);
        if (!hit && option.value !== "" && option.value !== chosen) return;
        if (hit) {
          matching += 1;
          if (!firstMatch && !option.disabled) firstMatch = option;
        }
        if (entry.group) {
          if (entry.group !== lastGroup) select.appendChild(entry.group);
          entry.group.appendChild(option);
        } else {
          select.appendChild(option);
        }
        lastGroup = entry.group;
      });
      select.value = chosen;
      if (words.length) {
        status.textContent = matching ? "找到 " + matching + " 项" : "没有符合的选项";
        status.classList.remove("d-none");
      } else {
        status.textContent = "";
        status.classList.add("d-none");
      }
    }

    box.addEventListener("input", narrow);
    // Enter picks the first match instead of sending the form half filled in.
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      if (box.value && firstMatch && select.value !== firstMatch.value) {
        select.value = firstMatch.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      select.focus();
    });
    // A form reset brings every option back.
    if (select.form) {
      select.form.addEventListener("reset", function () {
        box.value = "";
        window.setTimeout(narrow, 0);
      });
    }
  }

  function enhanceWithin(root) {
    if (root.tagName === "SELECT") {
      enhance(root);
      return;
    }
    if (root.querySelectorAll) Array.prototype.forEach.call(root.querySelectorAll("select"), enhance);
  }

  enhanceWithin(document);
  // Parts of pages htmx swaps in.
  document.addEventListener("htmx:load", function (event) {
    enhanceWithin(event.target);
  });
})();
