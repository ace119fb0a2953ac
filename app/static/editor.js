// The editor's slug field suggests an address from the title while it is left empty, as its
// placeholder: the server makes the same slug when the field is sent empty.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var slug = document.getElementById("slug");
  if (!title || !slug) { return; }
  function slugify(text) {
    var ascii = text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
    return ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200) || "post";
  }
  function suggest() { slug.placeholder = title.value ? slugify(title.value) : ""; }
  title.addEventListener("input", suggest);
  suggest();
}());
