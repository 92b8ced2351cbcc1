/* exporter preview: reload the page when the course was rebuilt, keeping the scroll position; dismissible
   diagnostics banner; the PDF built in the background on request. Served by the preview only. */
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = script ? script.getAttribute("data-generation") : "0";
  var scrollKey = "exporter-preview-scroll:" + location.pathname;
  var dismissKey = "exporter-preview-dismissed";

  function restoreScroll() {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved === null) { return; }
    sessionStorage.removeItem(scrollKey);
    var position = JSON.parse(saved);
    window.scrollTo(position.x, position.y);
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
    location.reload();
  }

  function listen() {
    var events = new EventSource("/__preview/events?generation=" + encodeURIComponent(generation));
    events.addEventListener("reload", function () { events.close(); reload(); });
    // When the server stops, EventSource retries by itself; the page reloads once it is back.
  }

  function banner() {
    var box = document.querySelector(".preview-banner");
    if (!box) { return; }
    if (sessionStorage.getItem(dismissKey) === box.getAttribute("data-key")) { box.hidden = true; return; }
    box.querySelector(".preview-dismiss").addEventListener("click", function () {
      sessionStorage.setItem(dismissKey, box.getAttribute("data-key"));
      box.hidden = true;
    });
  }

  function pdfLink() {
    var link = document.querySelector(".preview-pdf");
    if (!link || !window.fetch) { return; }
    var label = link.textContent;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (link.getAttribute("aria-busy") === "true") { return; }
      link.setAttribute("aria-busy", "true");
      link.textContent = link.getAttribute("data-building") || "Building the PDF…";
      fetch(link.href).then(function (response) {
        if (!response.ok) { return response.text().then(function (text) { throw new Error(text); }); }
        var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
        return response.blob().then(function (blob) { save(blob, match ? match[1] : "course.pdf"); });
      }).then(function () { link.textContent = label; }, function (error) {
        link.textContent = label;
        window.alert(error.message);
      }).then(function () { link.removeAttribute("aria-busy"); });
    });
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  restoreScroll();
  window.addEventListener("load", restoreScroll);  // again once images have their size
  banner();
  pdfLink();
  listen();
})();
