// Keyboard moderation for the queue: j/k move between comments, a/u/s/t act on the focused one,
// r opens its reply box. Every action is an ordinary POST button, so this is only a shortcut.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".mod-comment"));
  if (!rows.length) { return; }
  var current = -1;
  var keys = { a: "approve", u: "unapprove", s: "spam", t: "trash" };

  function focusRow(index) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("is-current"); }
    current = index;
    rows[current].classList.add("is-current");
    rows[current].focus({ preventScroll: false });
  }

  var fromHash = rows.findIndex(function (row) { return "#" + row.id === window.location.hash; });
  if (fromHash >= 0) { focusRow(fromHash); }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var key = event.key.toLowerCase();
    if (key === "j") { focusRow(current + 1); event.preventDefault(); return; }
    if (key === "k") { focusRow(Math.max(current - 1, 0)); event.preventDefault(); return; }
    if (current < 0) { return; }
    var row = rows[current];
    if (keys[key]) {
      var button = row.querySelector('button[data-key="' + keys[key] + '"]');
      if (button) { event.preventDefault(); button.click(); }
    } else if (key === "r") {
      var details = row.querySelector("details.reply-box");
      if (details) {
        event.preventDefault();
        details.open = true;
        details.querySelector("textarea").focus();
      }
    }
  });
})();
