// A refused comment: move focus to the summary of what went wrong (the GOV.UK error summary
// pattern), so a screen reader announces it and the page shows it; the form posted to #respond,
// so without this script the browser already scrolls there. A link in the summary moves focus
// to its field rather than only scrolling to it.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  summary.focus();
  // Chromium, landing on the #respond fragment once the page has loaded, clears the focus (the
  // target is not focusable): focus again after that.
  window.addEventListener("load", function () {
    window.requestAnimationFrame(function () {
      window.setTimeout(function () {
        if (document.activeElement === document.body) { summary.focus(); }
      }, 0);
    });
  });
  summary.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
