// Keyboard shortcuts for the moderation queue: a small enhancement; every action is also a
// plain form button that works without JavaScript.
//   j / k  next / previous entry     x  select it for a bulk action
//   a      approve it                r  type a reason and reject (Enter submits)
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".queue-row")); }
  function current() { return document.querySelector(".queue-row.is-current"); }
  function focusRow(row) {
    rows().forEach(function (r) { r.classList.remove("is-current"); });
    if (!row) { return; }
    row.classList.add("is-current");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    focusRow(all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0]);
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.matches && target.matches("input[type=text], textarea, select")) { return; }
    var row = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x": if (row) { var box = row.querySelector("input[type=checkbox]"); box.checked = !box.checked; } break;
      case "a": if (row) { row.querySelector("[data-key=approve]").click(); } break;
      case "r": if (row) { row.querySelector("[data-key=reason]").focus(); } break;
      default: return;
    }
    event.preventDefault();
  });
})();

// A bulk action's progress page: while the job runs, fetch the page every two seconds and swap
// in its status block (without JavaScript, the page's reload link does the same).
(function () {
  "use strict";
  var status = document.getElementById("job-status");
  if (!status || !status.dataset.running || !window.fetch || !window.DOMParser) { return; }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-status");
        if (!fresh) { return; }
        status.innerHTML = fresh.innerHTML;
        if (fresh.dataset.running) { window.setTimeout(poll, 2000); } else { delete status.dataset.running; }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
