// The replay origin's embed page: start ReplayWeb.page only once its service worker is active.
//
// ReplayWeb.page registers the worker itself and frames its own page at once; while the worker
// is still installing, that first load reaches the server instead, and ReplayWeb.page retries
// only a few times, 100 ms apart: on a slow machine the replay never starts. So the player
// waits in a <template> while this registers the same worker (same script URL and scope:
// ReplayWeb.page's own registration then changes nothing) and it is activated. Whatever
// happens, the player is then started, so a browser that refuses service workers gets
// ReplayWeb.page's explanation.
(function () {
  "use strict";
  var template = document.getElementById("replay");

  function start() {
    document.body.appendChild(template.content.cloneNode(true));
  }

  function activated(registration) {
    var worker = registration.installing || registration.waiting || registration.active;
    if (!worker || worker.state === "activated") {
      return Promise.resolve();
    }
    return new Promise(function (resolve) {
      worker.addEventListener("statechange", function () {
        if (worker.state === "activated" || worker.state === "redundant") {
          resolve();
        }
      });
    });
  }

  if (!("serviceWorker" in navigator)) {
    start();
    return;
  }
  var scope = template.content.querySelector("replay-web-page").getAttribute("replayBase");
  navigator.serviceWorker
    .register(scope + "sw.js?serveIndex=1", { scope: scope })
    .then(activated)
    .catch(function () {})
    .then(start);
})();
