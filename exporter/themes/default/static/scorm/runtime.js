/* exporter SCORM runtime: finds the LMS API, tracks reading, bookmarks, completion. No framework.
 * Never uses unload handlers or synchronous XHR; with no LMS at all the pages work as a plain preview. */
(function () {
  "use strict";
  var body = document.body;
  var cfg = {
    version: body.getAttribute("data-scorm-version"),
    mode: body.getAttribute("data-mode"),
    rule: body.getAttribute("data-completion"),
    fingerprint: body.getAttribute("data-fingerprint"),
    commitSeconds: parseInt(body.getAttribute("data-commit-seconds") || "0", 10),
    closePopup: body.getAttribute("data-close-popup") === "true"
  };
  var v2004 = cfg.version === "2004";
  var FN = v2004
    ? { init: "Initialize", fin: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit" }
    : { init: "LMSInitialize", fin: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit" };
  var F = v2004
    ? { location: "cmi.location", status: "cmi.completion_status", exit: "cmi.exit", entry: "cmi.entry",
        session: "cmi.session_time", mode: "cmi.mode" }
    : { location: "cmi.core.lesson_location", status: "cmi.core.lesson_status", exit: "cmi.core.exit",
        entry: "cmi.core.entry", session: "cmi.core.session_time", mode: "cmi.core.lesson_mode" };
  var DIGITS = "0123456789abcdefghijklmnopqrstuv";
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.lesson"));
  var state = { api: null, viaOpener: false, live: false, done: false, started: 0, current: 0,
                reached: sections.map(function () { return false; }), completed: false, review: false };

  // --- API discovery (SCORM RTE: walk parent frames, then the opener's) -------------------------------
  function search(win) {
    var name = v2004 ? "API_1484_11" : "API";
    for (var hops = 0; win && hops < 64; hops++) {
      try { if (win[name]) { return win[name]; } } catch (e) { return null; }  // cross-origin frame: stop
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }
  function discover() {
    var api = search(window);
    if (!api && window.top && window.top.opener) { api = search(window.top.opener); state.viaOpener = !!api; }
    return api;
  }
  function call(fn, a, b) {
    if (!state.api) { return ""; }
    try {
      var f = state.api[FN[fn]];
      var r = arguments.length > 2 ? f.call(state.api, a, b) : f.call(state.api, arguments.length > 1 ? a : "");
      return r === undefined || r === null ? "" : String(r);
    } catch (e) { return ""; }
  }
  function get(field) { return state.live ? call("get", field) : ""; }
  function set(field, value) { if (state.live && !state.review) { call("set", field, String(value)); } }

  // --- compact bookmark: "1.<fingerprint>.<one base-32 digit per 5 lessons>", lesson "N@permille" ---------
  function encodeReached() {
    var out = "";
    for (var i = 0; i < state.reached.length; i += 5) {
      var n = 0;
      for (var j = 0; j < 5; j++) { if (state.reached[i + j]) { n |= 1 << j; } }
      out += DIGITS.charAt(n);
    }
    return "1." + cfg.fingerprint + "." + out;
  }
  function decodeReached(text) {
    var parts = String(text || "").split(".");
    if (parts.length !== 3 || parts[0] !== "1" || parts[1] !== cfg.fingerprint) { return; }  // other course version
    for (var i = 0; i < parts[2].length; i++) {
      var n = DIGITS.indexOf(parts[2].charAt(i));
      for (var j = 0; j < 5 && n > 0; j++) { if ((n >> j) & 1 && i * 5 + j < state.reached.length) { state.reached[i * 5 + j] = true; } }
    }
  }
  function location() {
    var doc = document.documentElement;
    var max = Math.max(1, doc.scrollHeight - window.innerHeight);
    return (state.current + 1) + "@" + Math.min(1000, Math.round(1000 * window.scrollY / max));
  }
  function parseLocation(text) {
    var m = /^(\d+)(?:@(\d+))?$/.exec(String(text || ""));
    if (!m) { return null; }
    return { index: Math.min(sections.length, Math.max(1, parseInt(m[1], 10))) - 1, permille: parseInt(m[2] || "0", 10) };
  }

  // --- reading: a lesson counts as read once its end has been on screen ----------------------------------
  function endVisible(section) {
    var marker = section.querySelector(".lesson-end");
    if (!marker || section.offsetParent === null && section.getClientRects().length === 0) { return false; }
    return marker.getBoundingClientRect().top <= window.innerHeight + 2;
  }
  function checkReached() {
    var section = sections[state.current];
    if (section && !state.reached[state.current] && endVisible(section)) {
      state.reached[state.current] = true;
      save();
      evaluate();
    }
  }
  function ruleMet() {
    if (cfg.rule === "each-lesson" && cfg.mode === "single") { return state.reached[state.reached.length - 1]; }
    return state.reached.every(Boolean);
  }
  function evaluate() {
    var read = state.reached.filter(Boolean).length;
    var text = document.querySelector(".progress-text");
    if (text) { text.textContent = read + " of " + sections.length + " read"; }
    var bar = document.querySelector("progress.progress");
    if (bar) { bar.value = read; }
    if (v2004) { set("cmi.progress_measure", (read / Math.max(1, sections.length)).toFixed(2)); }
    if (!state.completed && ruleMet()) {
      state.completed = true;
      set(F.status, "completed");
      commit();
    }
  }
  function save() { set(F.location, location()); set("cmi.suspend_data", encodeReached()); }
  function commit() { if (state.live && !state.review) { call("commit"); } }

  // --- in-package navigation (single SCO): one lesson on screen at a time ------------------------------
  function show(index, permille) {
    if (index < 0 || index >= sections.length) { return; }
    state.current = index;
    sections.forEach(function (s, i) { s.classList.toggle("current", i === index); });
    document.querySelectorAll("nav.contents a").forEach(function (a, i) {
      if (i === index) { a.setAttribute("aria-current", "page"); } else { a.removeAttribute("aria-current"); }
    });
    var max = Math.max(0, document.documentElement.scrollHeight - window.innerHeight);
    window.scrollTo(0, permille ? Math.round(max * permille / 1000) : 0);
    if (!permille) { var h = sections[index].querySelector("h1"); if (h) { h.focus({ preventScroll: true }); } }
    updatePager(index);
    save();
    commit();
    window.requestAnimationFrame(checkReached);
  }
  function updatePager(index) {
    var last = index === sections.length - 1;
    pagerLink(".pager a.prev", index > 0 ? sections[index - 1] : null);
    pagerLink(".pager a.next", last ? null : sections[index + 1]);
    var finishEnd = document.querySelector(".pager .finish-end");
    if (finishEnd) { finishEnd.hidden = !last; }
  }
  function pagerLink(selector, section) {
    var link = document.querySelector(selector);
    if (!link) { return; }
    link.hidden = !section;
    if (!section) { return; }
    link.setAttribute("href", "#" + section.id);
    var heading = section.querySelector("h1");
    link.querySelector(".pager-title").textContent = ": " + (heading ? heading.textContent : "");
  }
  function onClick(event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) {
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      var index = sections.indexOf(target);
      if (index >= 0) { event.preventDefault(); collapseContentsOnPhones(); show(index, 0); return; }
      // a heading in another lesson: open that lesson first, then let the browser scroll to the heading
      var holder = target && target.closest ? target.closest("section.lesson") : null;
      if (holder && sections.indexOf(holder) !== state.current) { show(sections.indexOf(holder), 0); }
      return;
    }
    var button = event.target.closest ? event.target.closest("[data-action]") : null;
    if (button && button.getAttribute("data-action") === "finish") { finish(true); }
    if (button && button.getAttribute("data-action") === "continue") { continueToNext(); }
    if (button && button.getAttribute("data-action") === "play") { playVideo(button); }
  }

  // Only the players exporter itself writes (exporter/embeds.py): anything else in data-player, whatever put
  // it there, is never loaded into a frame.
  var PLAYERS = [/^https:\/\/www\.youtube-nocookie\.com\/embed\/[\w-]{6,20}$/,
                 /^https:\/\/player\.vimeo\.com\/video\/\d{1,12}\?dnt=1$/];
  function allowedPlayer(url) {
    return PLAYERS.some(function (pattern) { return pattern.test(url); });
  }

  // Videos load only when asked for: the button becomes the privacy-friendly player, already playing.
  function playVideo(button) {
    var url = button.getAttribute("data-player") || "";
    if (!allowedPlayer(url)) { return; }
    var frame = document.createElement("iframe");
    frame.src = url + (url.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
    frame.title = button.getAttribute("data-title") || "Video";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.setAttribute("allowfullscreen", "");
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    button.parentNode.replaceChild(frame, button);
    frame.focus();
  }

  function collapseContentsOnPhones() {
    var contents = document.querySelector("nav.contents details");
    if (contents && window.matchMedia && window.matchMedia("(max-width: 59.99rem)").matches) { contents.open = false; }
  }

  // --- session ---------------------------------------------------------------------------------------
  function duration(ms) {
    var s = Math.max(0, ms) / 1000, h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    if (v2004) { return "PT" + h + "H" + m + "M" + sec.toFixed(2) + "S"; }
    function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
    return pad(Math.min(h, 9999), 4) + ":" + pad(m, 2) + ":" + pad(sec.toFixed(2), 5);
  }
  function start() {
    state.api = discover();
    state.live = !!state.api && call("init") === "true";
    state.started = Date.now();
    if (state.live) {
      var mode = get(F.mode);
      state.review = mode === "review" || mode === "browse";  // unset (some LMSes never set it) = normal
      get(F.entry);  // read for LMSes that log it; an empty value is treated like "ab-initio"
      decodeReached(get("cmi.suspend_data"));
      var status = get(F.status);
      state.completed = status === "completed" || status === "passed";
      if (!state.completed) { set(F.status, "incomplete"); }
    }
    var at = parseLocation(get(F.location));
    document.addEventListener("click", onClick);
    window.addEventListener("scroll", checkReached, { passive: true });
    window.addEventListener("resize", checkReached, { passive: true });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(); commit(); }
    });
    window.addEventListener("pagehide", function () { finish(false); });
    if (cfg.commitSeconds > 0) { window.setInterval(function () { if (!state.done) { save(); commit(); } }, cfg.commitSeconds * 1000); }
    document.documentElement.classList.add("js");
    collapseContentsOnPhones();
    if (state.live) { document.documentElement.classList.add("lms"); }
    show(at ? at.index : 0, at ? at.permille : 0);
    evaluate();
    offerContinue();
  }
  function finish(byLearner) {
    if (state.done) { return; }
    state.done = true;
    var tracked = state.live;
    if (state.live) {
      save();
      // keep the bookmark unless the learner finished a completed course on purpose
      set(F.exit, byLearner && state.completed ? (v2004 ? "normal" : "") : "suspend");
      set(F.session, duration(Date.now() - state.started));
      commit();
      call("fin");
      state.live = false;  // no API call may follow Terminate (visibilitychange fires after pagehide)
    }
    if (byLearner) {
      var note = document.querySelector(".status");
      if (note) { note.textContent = tracked ? "Your progress is saved. You can close this window." : "Preview: no LMS is tracking this session."; }
      if (cfg.closePopup && state.viaOpener) { window.setTimeout(function () { window.top.close(); }, 300); }
    }
  }
  // SCORM 2004, one SCO per lesson: ask the LMS for the next activity when it says that is possible
  function continueToNext() {
    if (!state.live || !v2004) { return; }
    set("adl.nav.request", "continue");
    finish(false);
  }
  function offerContinue() {
    var button = document.querySelector("[data-action='continue']");
    if (button && state.live && v2004 && get("adl.nav.request_valid.continue") === "true") { button.hidden = false; }
  }

  window.exporterScorm = { state: state, finish: finish };  // read by the project's browser test
  start();
})();
