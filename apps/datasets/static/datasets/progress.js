// The data package page while it is being made: refresh its status block every two seconds
// until it is finished. Without JavaScript the page's reload link does the same.
(function () {
  "use strict";
  var status = document.getElementById("package-status");
  if (!status || !status.dataset.running || !window.fetch || !window.DOMParser) { return; }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("package-status");
        if (!fresh) { return; }
        status.innerHTML = fresh.innerHTML;
        if (fresh.dataset.running) { window.setTimeout(poll, 2000); } else { delete status.dataset.running; }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
