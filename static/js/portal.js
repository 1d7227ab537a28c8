// Small behaviours without inline scripts (the portal runs under a strict Content Security Policy).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]")) {
    el.form.submit();
  }
});
