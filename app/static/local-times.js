// Times in the reader's own zone and language. The server writes each time in the site's zone
// (SITE_TIMEZONE, named where it matters), which is what a reader without JavaScript sees, and
// the exact moment in the datetime attribute; this rewrites the text from that moment. Pages
// stay the same for everyone, so they stay cacheable.
(function () {
  "use strict";
  var formats = {
    date: { year: "numeric", month: "long", day: "numeric" },
    datetime: {
      year: "numeric", month: "long", day: "numeric",
      hour: "numeric", minute: "2-digit", timeZoneName: "short"
    },
    time: { hour: "numeric", minute: "2-digit" }
  };
  var times = document.querySelectorAll("time[datetime][data-local]");
  Array.prototype.forEach.call(times, function (time) {
    var moment = new Date(time.getAttribute("datetime"));
    var format = formats[time.getAttribute("data-local")];
    if (isNaN(moment.getTime()) || !format) { return; }
    time.title = time.textContent;  // the site's own wording stays one hover away
    time.textContent = moment.toLocaleString(undefined, format);
  });
})();
