// The comment queue without page reloads. Every action is an ordinary POST form, which is what
// works without JavaScript; here the same form is sent with fetch, and the server answers with
// what changed (the rows of the current page in order, the HTML of new or changed ones, the
// counts and the notice), which this script puts in place. Keys: see the legend in queue.html.
(function () {
  "use strict";
  var list = document.querySelector(".mod-list");
  var notice = document.getElementById("queue-notice");
  if (!list || !notice) { return; }
  var bulkForm = document.getElementById("bulk-form");
  var legend = document.getElementById("legend");
  var selectAll = document.getElementById("select-all");
  var selectedCount = document.querySelector(".selected-count");
  var emptyNote = document.querySelector(".empty-queue");
  var ACTION_KEYS = { a: "approve", u: "unapprove", s: "spam", t: "trash", d: "delete" };
  var BULK_KEYS = { A: "approve", S: "spam", T: "trash" };
  var busy = false;
  var current = null;
  var anchor = null;

  function rows() { return Array.prototype.slice.call(list.querySelectorAll(":scope > .mod-comment")); }

  function setCurrent(row) {
    if (current && current !== row) { current.removeAttribute("aria-current"); }
    current = row || null;
    if (!current) { return; }
    current.setAttribute("aria-current", "true");
    current.focus({ preventScroll: true });
    current.scrollIntoView({ block: "nearest" });
  }

  function move(delta) {
    var all = rows();
    if (!all.length) { return null; }
    var index = current ? all.indexOf(current) : -1;
    var next = index < 0 ? 0 : Math.min(Math.max(index + delta, 0), all.length - 1);
    setCurrent(all[next]);
    return all[next];
  }

  // Selection: x, shift+j/k, the checkboxes, shift-click and the select-all box.
  function checkbox(row) { return row.querySelector(".mod-select input[type=checkbox]"); }

  function select(row, on) {
    var box = checkbox(row);
    if (box) { box.checked = on; }
  }

  function updateSelection() {
    var all = rows();
    var chosen = all.filter(function (row) { return checkbox(row).checked; });
    all.forEach(function (row) { row.classList.toggle("is-selected", checkbox(row).checked); });
    if (selectedCount) { selectedCount.textContent = chosen.length ? chosen.length + " selected" : ""; }
    if (selectAll) {
      selectAll.checked = all.length > 0 && chosen.length === all.length;
      selectAll.indeterminate = chosen.length > 0 && chosen.length < all.length;
    }
    return chosen;
  }

  function selectedRows() { return rows().filter(function (row) { return checkbox(row).checked; }); }

  if (selectAll) {
    selectAll.closest(".select-all").hidden = false;
    selectAll.addEventListener("change", function () {
      rows().forEach(function (row) { select(row, selectAll.checked); });
      updateSelection();
    });
  }

  list.addEventListener("click", function (event) {
    var box = event.target.closest(".mod-select input[type=checkbox]");
    if (!box) { return; }
    var row = box.closest(".mod-comment");
    if (event.shiftKey && anchor && anchor !== row && list.contains(anchor)) {
      var all = rows();
      var from = all.indexOf(anchor);
      var to = all.indexOf(row);
      all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (r) { select(r, box.checked); });
    }
    anchor = row;
    updateSelection();
  });

  // Talking to the server.
  function showNotice(html) {
    notice.innerHTML = html;
  }

  function showError(message) {
    notice.textContent = "";
    var p = document.createElement("p");
    p.className = "notice-message notice-error";
    p.textContent = message;
    notice.appendChild(p);
  }

  function problem(response) {
    if (response.redirected) {
      return "Your login has expired: log in again (in another tab), then repeat the action. Nothing was changed.";
    }
    if (response.status === 400) {
      return "This page has expired (its security token is stale): reload it and try again. Nothing was changed.";
    }
    if (response.status === 403) { return "That is not allowed (403). Nothing was changed."; }
    if (response.status === 404) { return "That was not found (404): it may have been deleted. Reload the page."; }
    if (response.status === 429) { return "Too many requests at once: wait a moment and try again."; }
    return "The server could not do that (error " + response.status + "). The row is as it was; try again.";
  }

  function rowFrom(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function send(form, extra, acting) {
    if (busy) { return; }
    busy = true;
    var body = new FormData(form);
    Object.keys(extra || {}).forEach(function (name) { body.set(name, extra[name]); });
    body.set("shown", rows().map(function (row) { return row.dataset.id; }).join(","));
    var token = body.get("csrf_token") || "";
    (acting || []).forEach(function (row) { row.classList.add("is-busy"); });
    // getAttribute: the bulk form has a field named "action", which shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || response.redirected || type.indexOf("application/json") === -1) {
        throw new Error(problem(response));
      }
      return response.json();
    }).then(apply, function (error) {
      var offline = error instanceof TypeError;
      showError(offline ? "Could not reach the server: check the connection and try again. Nothing was changed." : error.message);
    }).finally(function () {
      busy = false;
      (acting || []).forEach(function (row) { row.classList.remove("is-busy"); });
    });
  }

  // Put the server's rows in its order: new ones appear, changed ones are replaced, rows that
  // left the view go, and the row at the same place becomes current.
  function apply(data) {
    var before = rows();
    var index = current ? before.indexOf(current) : -1;
    var currentId = current ? current.dataset.id : null;
    var byId = {};
    before.forEach(function (row) { byId[row.dataset.id] = row; });
    var kept = {};
    var previous = null;
    data.order.forEach(function (number) {
      var id = String(number);
      var row = byId[id];
      if (data.rows[id]) {
        var fresh = rowFrom(data.rows[id]);
        if (row) { select(fresh, checkbox(row).checked); row.remove(); }
        row = fresh;
      }
      if (!row) { return; }
      kept[id] = row;
      if (previous) { previous.after(row); } else { list.prepend(row); }
      previous = row;
    });
    before.forEach(function (row) { if (!kept[row.dataset.id] && row.parentNode) { row.remove(); } });
    var after = rows();
    if (currentId !== null) {
      current = null;
      setCurrent(kept[currentId] || after[Math.min(index, after.length - 1)] || null);
    }
    Object.keys(data.counts).forEach(function (name) {
      var link = document.querySelector('.filters a[data-filter="' + name + '"]');
      if (link) { link.textContent = name.charAt(0).toUpperCase() + name.slice(1) + " (" + data.counts[name] + ")"; }
    });
    var badge = document.querySelector(".admin-bar .pending-count");
    if (badge) { badge.textContent = data.counts.pending; }
    if (emptyNote) { emptyNote.hidden = after.length > 0; }
    var pages = document.getElementById("queue-pages");
    if (pages) { pages.innerHTML = data.pages; }
    showNotice(data.notice);
    updateSelection();
  }

  function confirmDelete(count) {
    return window.confirm("Delete " + (count === 1 ? "this comment" : count + " comments") +
      " permanently? This cannot be undone.");
  }

  function actOn(row, action) {
    var button = row.querySelector('.row-actions button[data-key="' + action + '"]');
    if (!button) { return false; }
    if (action === "delete" && !confirmDelete(1)) { return true; }
    send(button.form, action === "delete" ? { confirmed: "yes" } : {}, [row]);
    return true;
  }

  function actOnSelection(action) {
    var chosen = selectedRows();
    if (!bulkForm || !chosen.length) { return; }
    // The form is read at once: the menu goes back to what the instructor had chosen.
    var menu = bulkForm.querySelector("select[name=action]");
    var chosenBefore = menu.value;
    menu.value = action;
    send(bulkForm, {}, chosen);
    menu.value = chosenBefore;
  }

  // Edit and Reply in place: the same forms, sent the same way; Escape closes them.
  function openReply(row) {
    var details = row.querySelector("details.reply-box");
    if (!details) { return false; }
    details.open = true;
    details.querySelector("textarea").focus();
    return true;
  }

  function closeEditors(row) {
    var editor = row.querySelector(".edit-in-place");
    if (editor) { editor.remove(); }
    row.querySelectorAll("details.reply-box, details.return-box").forEach(function (details) {
      details.open = false;
    });
    setCurrent(row);
  }

  function openEdit(row) {
    var link = row.querySelector('a[data-key="edit"]');
    if (!link) { return false; }
    if (row.querySelector(".edit-in-place")) { row.querySelector(".edit-in-place textarea").focus(); return true; }
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error(problem(response)); }
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var form = page.querySelector("main form[method=post]");
      if (!form) { throw new Error("The edit form could not be loaded; use the Edit link instead."); }
      var editor = document.createElement("div");
      editor.className = "edit-in-place";
      editor.appendChild(document.adoptNode(form));
      row.appendChild(editor);
      var cancel = editor.querySelector("a");
      if (cancel) {
        cancel.addEventListener("click", function (event) { event.preventDefault(); closeEditors(row); });
      }
      editor.querySelector("textarea").focus();
    }).catch(function (error) {
      showError(error instanceof TypeError ? "Could not reach the server: try again." : error.message);
    });
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var row = form.closest(".mod-comment");
    var ours = row || form === bulkForm || notice.contains(form);
    if (!ours || !window.fetch) { return; }
    event.preventDefault();
    if (form === bulkForm) {
      var action = form.querySelector("select[name=action]").value;
      var chosen = selectedRows();
      if (!action) { showError("Choose a bulk action first."); return; }
      if (!chosen.length) { showError("No comments are selected: tick them, or press x on a row."); return; }
      if (action === "delete" && !confirmDelete(chosen.length)) { return; }
      send(form, action === "delete" ? { confirmed: "yes" } : {}, chosen);
      return;
    }
    var button = event.submitter || form.querySelector("button");
    if (button && button.dataset.key === "delete" && !confirmDelete(1)) { return; }
    if (row) { setCurrent(row); }
    send(form, button && button.dataset.key === "delete" ? { confirmed: "yes" } : {}, row ? [row] : []);
  });

  list.addEventListener("click", function (event) {
    var link = event.target.closest('a[data-key="edit"]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    var row = link.closest(".mod-comment");
    setCurrent(row);
    openEdit(row);
  });

  function typing(target) {
    return target.closest && target.closest(
      "input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (key === "Escape") {
      var row = event.target.closest && event.target.closest(".mod-comment");
      if (row && (row.querySelector(".edit-in-place") || row.querySelector("details.reply-box[open], details.return-box[open]"))) {
        event.preventDefault();
        closeEditors(row);
      } else if (legend && legend.open) {
        legend.open = false;
      }
      return;
    }
    // A held-down key moves (j/k) but never repeats an action.
    if (typing(event.target) || (event.repeat && key !== "j" && key !== "k")) { return; }
    var handled = true;
    if (key === "j" || key === "k") {
      move(key === "j" ? 1 : -1);
    } else if (key === "J" || key === "K") {
      if (current) { select(current, true); }
      var next = move(key === "J" ? 1 : -1);
      if (next) { select(next, true); anchor = next; }
      updateSelection();
    } else if (key === "x") {
      if (current) { select(current, !checkbox(current).checked); anchor = current; updateSelection(); }
    } else if (key === "?") {
      if (legend) { legend.open = !legend.open; }
    } else if (key === "z") {
      var undo = notice.querySelector('button[data-key="undo"]');
      if (undo) { send(undo.form, {}, []); }
    } else if (BULK_KEYS[key]) {
      actOnSelection(BULK_KEYS[key]);
    } else if (current && ACTION_KEYS[key]) {
      actOn(current, ACTION_KEYS[key]);
    } else if (current && key === "n") {
      if (!actOn(current, "not-spam")) { actOn(current, "restore"); }
    } else if (current && key === "e") {
      openEdit(current);
    } else if (current && key === "r") {
      openReply(current);
    } else {
      handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  var fromHash = rows().filter(function (row) { return "#" + row.id === window.location.hash; })[0];
  if (fromHash) { setCurrent(fromHash); }
  updateSelection();
})();
