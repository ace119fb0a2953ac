// Progressive enhancement for "Reply" links: move the form under the comment being answered
// instead of reloading the page. Without this script the links still work (?replytocom=<id>).
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) { return; }
  var parentField = document.getElementById("comment_parent");
  var title = document.getElementById("reply-title");
  var home = document.createElement("div");
  respond.parentNode.insertBefore(home, respond);
  var originalTitle = title.innerHTML;

  function cancelLink() {
    var small = document.createElement("small");
    var link = document.createElement("a");
    link.href = "#respond";
    link.id = "cancel-comment-reply-link";
    link.textContent = "Cancel reply";
    link.addEventListener("click", function (event) {
      event.preventDefault();
      parentField.value = "";
      title.innerHTML = originalTitle;
      var existing = document.getElementById("cancel-comment-reply-link");
      if (existing) { existing.parentNode.remove(); }
      home.parentNode.insertBefore(respond, home.nextSibling);
      respond.scrollIntoView({ block: "start" });
    });
    small.appendChild(link);
    return small;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".comment-reply-link");
    if (!link) { return; }
    event.preventDefault();
    var article = link.closest(".comment-body");
    parentField.value = link.getAttribute("data-comment-id");
    title.textContent = "Leave a Reply to " + link.getAttribute("data-author") + " ";
    title.appendChild(cancelLink());
    article.parentNode.insertBefore(respond, article.nextSibling);
    document.getElementById("body").focus();
  });
})();
