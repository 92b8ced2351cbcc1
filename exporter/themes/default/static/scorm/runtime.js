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
    closePopup: body.getAttribute("data-close-popup") === "true",
    passMark: body.getAttribute("data-quiz-pass") ? parseFloat(body.getAttribute("data-quiz-pass")) : null,
    attempts: Math.max(1, parseInt(body.getAttribute("data-quiz-attempts") || "1", 10)),
    retry: body.getAttribute("data-quiz-retry") === "quiz" ? "quiz" : "question"
  };
  // exporter's words in the course's language (exporter/i18n/runtime.py); English if a theme's page lacks them
  var words = {
    progress: "{read} of {total} read", typeFirst: "Type an answer first.", chooseFirst: "Choose an answer first.",
    correct: "Correct.", wrong: "Not quite.", wrongFinal: "Not quite: the right answer is marked.", video: "Video",
    wrongRetry: null, retake: "Retry the quiz", score: "Your score: {score} %.", passed: "Pass mark {mark} %: passed.",
    notPassed: "Pass mark {mark} %: not passed.", retakeLeft: null,
    gateTitle: "Answer the questions before this lesson first",
    gateNote: "Answer and check each question first: the next lessons open once they are answered.",
    saved: "Your progress is saved. You can close this window.", untracked: "Preview: no LMS is tracking this session."
  };
  try {
    var given = JSON.parse(body.getAttribute("data-words") || "{}");
    Object.keys(given).forEach(function (key) { words[key] = given[key]; });
  } catch (e) { /* the English words above */ }
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
                reached: sections.map(function () { return false; }), completed: false, review: false,
                success: "", attempt: 1 };
  // The pager's controls, kept as references: a control that does not apply is taken out of the page rather
  // than hidden, so nothing stale stays focusable or clickable (by a learner, assistive technology or a robot).
  var pager = { prev: document.querySelector(".pager a.prev"), next: document.querySelector(".pager a.next"),
                finishEnd: document.querySelector(".pager .finish-end"),
                cont: document.querySelector(".pager [data-action='continue']") };
  function present(element, on) {
    if (!element) { return; }
    if (!element.exporterAnchor) {
      element.exporterAnchor = document.createComment("");
      element.parentNode.insertBefore(element.exporterAnchor, element);
    }
    element.hidden = false;
    if (on && !element.isConnected) { element.exporterAnchor.after(element); }
    if (!on && element.isConnected) { element.remove(); }
  }

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
    return "1." + cfg.fingerprint + "." + out + encodeQuizzes();
  }
  function decodeReached(text) {
    var halves = String(text || "").split("~");
    decodeQuizzes(halves);
    var parts = halves[0].split(".");
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
  function readingMet() {
    if (cfg.rule === "each-lesson" && cfg.mode === "single") { return state.reached[state.reached.length - 1]; }
    return state.reached.every(Boolean);
  }
  function ruleMet() {
    // a page without questions completes by reading, whatever the quiz rule says (docs/quiz.md)
    if (cfg.rule === "quiz-passed" && quizzes.length) { return quizSettled(); }
    if (cfg.rule === "all-lessons-and-quiz-passed") { return state.reached.every(Boolean) && quizSettled(); }
    return readingMet();
  }
  function evaluate() {
    var read = state.reached.filter(Boolean).length;
    var text = document.querySelector(".progress-text");
    if (text) { text.textContent = words.progress.replace("{read}", read).replace("{total}", sections.length); }
    var bar = document.querySelector("progress.progress");
    if (bar) { bar.value = read; }
    if (v2004) { set("cmi.progress_measure", (read / Math.max(1, sections.length)).toFixed(2)); }
    if (!state.completed && ruleMet()) {
      state.completed = true;
      if (v2004) { set(F.status, "completed"); }
      commit();
    }
    if (!v2004) { reportStatus12(); }
  }
  // SCORM 1.2 has one status for reading and passing: failed, passed once completed too, else by reading.
  function reportStatus12() {
    var status = state.success === "failed" ? "failed" : state.completed ? (state.success || "completed") : "incomplete";
    if (status !== state.reported12) { state.reported12 = status; set(F.status, status); commit(); }
  }
  function save() { set(F.location, location()); set("cmi.suspend_data", encodeReached()); }
  function commit() { if (state.live && !state.review) { call("commit"); } }

  // --- questions (:::quiz, docs/quiz.md): checked here, reported as interactions, scored, kept in suspend_data -
  var quizzes = Array.prototype.slice.call(document.querySelectorAll("div.quiz[data-question]")).map(function (el) {
    return { el: el, id: el.getAttribute("data-question"), kind: el.getAttribute("data-kind"),
             weight: parseFloat(el.getAttribute("data-weight") || "1"),
             correct: (el.getAttribute("data-correct") || "").split(",").filter(Boolean),
             answers: JSON.parse(el.getAttribute("data-answers") || "[]"),
             patterns: JSON.parse(el.getAttribute("data-patterns") || "[]"),
             tries: 0, response: "", index: -1, result: "", shown: 0,
             actions: el.querySelector(".quiz-actions"), check: el.querySelector(".quiz-check"),
             retry: el.querySelector(".quiz-retry"), lesson: sections.indexOf(el.closest("section.lesson")) };
  });
  // Only the controls that apply are in the page: Check until the answer is checked, then Try again while
  // tries are left. A used control leaves the page (never hidden in it), and focus moves on with the learner.
  function setActions(q, check, retry) {
    var focused = q.actions.contains(document.activeElement);
    present(q.check, check);
    present(q.retry, retry);
    if (!focused) { return; }
    if (retry) { q.retry.focus(); return; }
    if (check) { q.check.focus(); return; }
    focusOnce(q.el.querySelector(".quiz-result"));
  }
  // Focus for an element that is not a control (the verdict): focusable while it has focus only, so it
  // never joins the Tab order or the page's clickable things.
  function focusOnce(element) {
    element.setAttribute("tabindex", "-1");
    element.addEventListener("blur", function () { element.removeAttribute("tabindex"); }, { once: true });
    element.focus({ preventScroll: true });
  }
  function checksPerQuestion() { return cfg.retry === "quiz" ? 1 : cfg.attempts; }
  function quizOf(element) {
    var box = element.closest("div.quiz[data-question]");
    for (var i = 0; i < quizzes.length; i++) { if (quizzes[i].el === box) { return quizzes[i]; } }
    return null;
  }
  function inputs(q) { return Array.prototype.slice.call(q.el.querySelectorAll("input")); }
  function fold(text) { return String(text).trim().replace(/\s+/g, " ").toLowerCase(); }
  function responseOf(q) {
    if (q.kind === "fill-in") { return inputs(q)[0].value.trim(); }
    return inputs(q).filter(function (i) { return i.checked; }).map(function (i) { return i.value; }).join(",");
  }
  function isCorrect(q, response) {
    if (q.kind === "fill-in") { return q.answers.indexOf(fold(response)) >= 0; }
    return response.split(",").sort().join(",") === q.correct.slice().sort().join(",");
  }
  function settled(q) { return q.result === "correct" || (q.result !== "" && q.tries >= checksPerQuestion()); }
  function quizSettled() {
    if (!quizzes.every(settled)) { return false; }
    return cfg.passMark === null || state.success === "passed";
  }
  function checkQuestion(q) {
    if (!q || settled(q)) { return; }
    var response = responseOf(q);
    var note = q.el.querySelector(".quiz-result");
    if (!response) { note.textContent = q.kind === "fill-in" ? words.typeFirst : words.chooseFirst; return; }
    q.response = response;
    q.tries += 1;
    q.result = isCorrect(q, response) ? "correct" : "wrong";
    showResult(q);
    reportInteraction(q);
    reportScore();
    save();
    evaluate();
    commit();
    gatePager();
    updateSummary();
    if (cfg.retry === "quiz" && quizOver()) { quizzes.forEach(showResult); }  // the answers, now the quiz is over
  }
  function retryQuestion(q) {
    if (!q || settled(q)) { return; }
    clearQuestion(q);
    q.shown = Date.now();
    inputs(q)[0].focus();
  }
  function clearQuestion(q) {
    q.result = "";
    inputs(q).forEach(function (i) { i.disabled = false; if (i.type === "text") { i.value = ""; } else { i.checked = false; } });
    q.el.querySelectorAll(".quiz-choice-feedback").forEach(function (f) { f.hidden = true; });
    q.el.querySelectorAll(".quiz-right").forEach(function (row) { row.classList.remove("quiz-right"); });
    q.el.classList.remove("quiz-correct", "quiz-wrong");
    var explanation = q.el.querySelector(".quiz-explanation");
    if (explanation) { explanation.hidden = true; }
    setActions(q, true, false);
    q.el.querySelector(".quiz-result").textContent = "";
  }
  // What the learner sees after a check: the verdict (announced), the feedback of what they chose, and once the
  // question is settled the explanation and, if they missed it, the right answer marked. With whole-quiz retry,
  // the right answers wait until the quiz is over (passed, or no attempt left): a retry is not a copy.
  function showResult(q) {
    var done = settled(q), reveal = done && quizOver(), chosen = q.response.split(",");
    inputs(q).forEach(function (i) {
      i.disabled = true;
      if (i.type === "text") { i.value = q.response; } else { i.checked = chosen.indexOf(i.value) >= 0; }
      var row = i.closest(".quiz-choice");
      var feedback = row ? row.querySelector(".quiz-choice-feedback") : null;
      if (feedback) { feedback.hidden = !i.checked; }
      if (row) { row.classList.toggle("quiz-right", reveal && q.correct.indexOf(i.value) >= 0); }
    });
    var left = checksPerQuestion() - q.tries;
    q.el.querySelector(".quiz-result").textContent = q.result === "correct" ? words.correct :
      reveal ? words.wrongFinal : done ? words.wrong :
      words.wrongRetry ? words.wrongRetry[Math.min(left, words.wrongRetry.length - 1)] :
      "Not quite. You can try again (" + left + " more " + (left === 1 ? "try" : "tries") + ").";
    q.el.classList.toggle("quiz-correct", q.result === "correct");
    q.el.classList.toggle("quiz-wrong", q.result === "wrong");
    setActions(q, false, !done);
    var explanation = q.el.querySelector(".quiz-explanation");
    if (explanation) { explanation.hidden = !reveal; }
  }
  function quizOver() { return cfg.retry !== "quiz" || (quizzes.every(settled) && !canRetake()); }
  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  function clock(date) { return pad2(date.getHours()) + ":" + pad2(date.getMinutes()) + ":" + pad2(date.getSeconds()); }
  function stamp(date) {
    return date.getFullYear() + "-" + pad2(date.getMonth() + 1) + "-" + pad2(date.getDate()) + "T" + clock(date);
  }
  function patterns(q) {
    if (q.kind === "fill-in") { return q.patterns.map(function (p) { return v2004 ? "{case_matters=false}" + p : p; }); }
    if (q.kind === "true-false") { return [v2004 ? q.correct[0] : q.correct[0].charAt(0)]; }
    return [q.correct.join(v2004 ? "[,]" : ",")];
  }
  function learnerResponse(q) {
    if (q.kind === "true-false") { return v2004 ? q.response : q.response.charAt(0); }
    return q.kind === "fill-in" ? q.response : q.response.split(",").join(v2004 ? "[,]" : ",");
  }
  function reportInteraction(q) {
    var count = parseInt(get("cmi.interactions._count") || "0", 10) || 0;
    if (q.index < 0 || q.index > count) { q.index = count; }  // a new one, or the LMS forgot it: append
    var n = "cmi.interactions." + q.index + ".", now = new Date();
    set(n + "id", q.id);
    set(n + "type", q.kind === "multiple" ? "choice" : q.kind);
    if (v2004) { set(n + "description", q.el.getAttribute("data-description") || ""); }
    set(n + (v2004 ? "learner_response" : "student_response"), learnerResponse(q));
    patterns(q).forEach(function (p, k) { set(n + "correct_responses." + k + ".pattern", p); });
    set(n + "result", q.result === "correct" ? "correct" : (v2004 ? "incorrect" : "wrong"));
    set(n + "weighting", String(q.weight));
    set(n + "latency", duration(now.getTime() - (q.shown || state.started)));
    set(n + (v2004 ? "timestamp" : "time"), v2004 ? stamp(now) : clock(now));
  }
  // Score: the share of the questions' weight answered right, in percent (LMS gradebooks read raw as out of 100);
  // passed or failed once every question is settled, when a pass mark is set.
  function scorePercent() {
    var total = 0, earned = 0;
    quizzes.forEach(function (q) { total += q.weight; if (q.result === "correct") { earned += q.weight; } });
    return Math.round(10000 * earned / Math.max(total, 1)) / 100;
  }
  function reportScore() {
    if (!quizzes.length) { return; }
    var raw = scorePercent();
    set(v2004 ? "cmi.score.min" : "cmi.core.score.min", "0");
    set(v2004 ? "cmi.score.max" : "cmi.core.score.max", "100");
    set(v2004 ? "cmi.score.raw" : "cmi.core.score.raw", String(raw));
    if (v2004) { set("cmi.score.scaled", String(Math.round(raw * 100) / 10000)); }
    if (cfg.passMark !== null && quizzes.every(settled)) {
      state.success = raw >= Math.round(cfg.passMark * 10000) / 100 ? "passed" : "failed";
      if (v2004) { set("cmi.success_status", state.success); }
    }
  }
  // --- the whole quiz (every question of this page): its score once all are settled, and with quiz.retry: quiz
  // a new attempt at all of them after one that did not pass, as quiz.attempts allows
  var summary = { box: null, text: null, retake: null };
  function buildSummary() {
    if (!quizzes.length) { return; }
    summary.box = document.createElement("div");
    summary.box.className = "quiz-summary";
    summary.text = document.createElement("p");
    summary.text.className = "quiz-score";
    summary.text.setAttribute("role", "status");
    summary.text.setAttribute("aria-live", "polite");
    summary.retake = document.createElement("button");
    summary.retake.type = "button";
    summary.retake.className = "quiz-retake";
    summary.retake.setAttribute("data-action", "retake");
    summary.retake.textContent = words.retake;
    summary.box.appendChild(summary.text);
    summary.box.appendChild(summary.retake);
    quizzes[quizzes.length - 1].el.after(summary.box);
  }
  function attemptPassed() {
    return cfg.passMark === null ? quizzes.every(function (q) { return q.result === "correct"; })
      : scorePercent() >= Math.round(cfg.passMark * 10000) / 100;
  }
  function canRetake() {
    return cfg.retry === "quiz" && state.attempt < cfg.attempts && quizzes.every(settled) && !attemptPassed();
  }
  function updateSummary() {
    if (!summary.box) { return; }
    var done = quizzes.every(settled);
    present(summary.box, done);
    if (!done) { return; }
    var left = cfg.attempts - state.attempt;
    var mark = String(Math.round(cfg.passMark * 10000) / 100);
    summary.text.textContent = words.score.replace("{score}", scorePercent()) +
      (cfg.passMark === null ? "" : " " + (attemptPassed() ? words.passed : words.notPassed).replace("{mark}", mark)) +
      (!canRetake() ? "" : " " + (words.retakeLeft ? words.retakeLeft[Math.min(left, words.retakeLeft.length - 1)] :
        "You can retry the quiz (" + left + " more " + (left === 1 ? "attempt" : "attempts") + ")."));
    present(summary.retake, canRetake());
  }
  function retakeQuiz() {
    if (!canRetake()) { return; }
    state.attempt += 1;
    quizzes.forEach(function (q) { q.tries = 0; q.response = ""; q.shown = 0; clearQuestion(q); });
    updateSummary();
    save();
    commit();
    var index = sections.indexOf(quizzes[0].el.closest("section.lesson"));
    if (index >= 0 && index !== state.current) { show(index, 0); }
    gatePager();
    quizzes[0].el.scrollIntoView({ block: "start" });
    inputs(quizzes[0])[0].focus({ preventScroll: true });
  }

  // --- questions are answered in order: a lesson opens (Next, Next lesson, the contents list) once every question
  // before it has been answered and checked, as the Next of a quiz slide does in other authoring tools; lessons
  // already passed stay open. Only while an LMS records the session: a preview or a review reads freely.
  function firstWaitingBefore(index) {
    if (!state.live || state.review) { return null; }
    for (var i = 0; i < quizzes.length; i++) {
      if (!quizzes[i].tries && quizzes[i].lesson < index) { return quizzes[i]; }
    }
    return null;
  }
  function gate(control, waiting) {
    if (!control) { return; }
    if (waiting) {
      control.setAttribute("aria-disabled", "true");
      control.setAttribute("title", words.gateTitle);
    } else {
      control.removeAttribute("aria-disabled");
      control.removeAttribute("title");
    }
  }
  function gatePager() {
    gate(pager.next, !!firstWaitingBefore(state.current + 1));
    gate(pager.cont, !!firstWaitingBefore(sections.length));
    document.querySelectorAll("nav.contents a").forEach(function (link, i) { gate(link, !!firstWaitingBefore(i)); });
  }
  function pointAtWaitingQuestion() {
    var q = firstWaitingBefore(sections.length);
    var note = document.querySelector(".status");
    if (note) { note.textContent = words.gateNote; }
    if (!q) { return; }
    if (q.lesson !== state.current && q.lesson >= 0) { show(q.lesson, 0); }
    q.el.scrollIntoView({ block: "center" });
    inputs(q)[0].focus({ preventScroll: true });
  }

  // suspend_data after "~<fingerprint of the question ids>[.<quiz attempt, from the 2nd>]~": per question
  // "index,tries,answer" (';' between); the build checks the worst case of this against the LMS's limit
  // (exporter/shape/quiz.py).
  function quizFingerprint() {
    var h = 5381, ids = quizzes.map(function (q) { return q.id; }).join(" ");
    for (var i = 0; i < ids.length; i++) { h = (h * 33 + ids.charCodeAt(i)) >>> 0; }
    return h.toString(36);
  }
  function escapeAnswer(text) { return text.replace(/[%;,~]/g, function (c) { return "%" + c.charCodeAt(0).toString(16); }); }
  function encodeQuizzes() {
    if (!quizzes.length) { return ""; }
    return "~" + quizFingerprint() + (state.attempt > 1 ? "." + state.attempt : "") + "~" + quizzes.map(function (q) {
      if (!q.tries) { return ""; }
      var answer = q.kind === "fill-in" ? escapeAnswer(q.response) :
        q.kind === "true-false" ? q.response.charAt(0) : q.response.split(",").join("");
      return (q.index < 0 ? "" : q.index.toString(36)) + "," + q.tries + "," + answer;
    }).join(";");
  }
  function decodeQuizzes(halves) {
    var head = halves.length === 3 ? halves[1].split(".") : [];
    if (head[0] !== quizFingerprint()) { return; }  // other questions: start afresh
    state.attempt = Math.max(1, parseInt(head[1] || "1", 10) || 1);
    halves[2].split(";").forEach(function (text, k) {
      var parts = text.split(","), q = quizzes[k];
      if (!q || parts.length !== 3 || !parts[1]) { return; }
      q.index = parts[0] ? parseInt(parts[0], 36) : -1;
      q.tries = parseInt(parts[1], 10) || 0;
      q.response = q.kind === "fill-in" ? decodeURIComponent(parts[2]) : parts[2].split("").join(",");
      if (q.kind === "true-false") { q.response = { t: "true", f: "false" }[parts[2].charAt(0)] || parts[2]; }
      q.result = q.tries ? (isCorrect(q, q.response) ? "correct" : "wrong") : "";
    });
  }
  function restoreQuizzes() {
    quizzes.forEach(function (q) {
      q.el.addEventListener("focusin", function () { if (!q.shown) { q.shown = Date.now(); } });
      if (q.result) { showResult(q); } else { setActions(q, true, false); }
    });
    if (quizzes.some(function (q) { return q.result; })) { reportScore(); }
    buildSummary();
    updateSummary();
  }

  // --- in-package navigation (single SCO): one lesson on screen at a time, and only that one in the page: the
  // others wait outside it (as a used control does), so nothing of theirs is found, focused or clicked unseen.
  // Printing puts them all back for the while.
  function show(index, permille) {
    if (index < 0 || index >= sections.length) { return; }
    state.current = index;
    sections.forEach(function (s, i) { s.classList.toggle("current", i === index); present(s, i === index); });
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
    pagerLink(pager.prev, index > 0 ? sections[index - 1] : null);
    pagerLink(pager.next, last ? null : sections[index + 1]);
    present(pager.finishEnd, last);
    gatePager();
  }
  function pagerLink(link, section) {
    if (!link) { return; }
    present(link, !!section);
    if (!section) { return; }
    link.setAttribute("href", "#" + section.id);
    var heading = section.querySelector("h1");
    link.querySelector(".pager-title").textContent = ": " + (heading ? heading.textContent : "");
  }
  function findById(id) {
    var found = document.getElementById(id);
    for (var i = 0; !found && i < sections.length; i++) {
      found = sections[i].id === id ? sections[i] : sections[i].querySelector("[id='" + id.replace(/['\\]/g, "\\$&") + "']");
    }
    return found;
  }
  function onClick(event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    var gated = event.target.closest ? event.target.closest("nav.contents a[aria-disabled='true'], .pager [aria-disabled='true']") : null;
    if (gated) { event.preventDefault(); pointAtWaitingQuestion(); return; }
    if (link) {
      var target = findById(decodeURIComponent(link.getAttribute("href").slice(1)));
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
    if (button && button.getAttribute("data-action") === "check") { checkQuestion(quizOf(button)); }
    if (button && button.getAttribute("data-action") === "retry") { retryQuestion(quizOf(button)); }
    if (button && button.getAttribute("data-action") === "retake") { retakeQuiz(); }
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
    frame.title = button.getAttribute("data-title") || words.video;
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
      state.reported12 = status;
      if (!state.completed && status !== "failed") { set(F.status, "incomplete"); state.reported12 = "incomplete"; }
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
    window.addEventListener("beforeprint", function () { sections.forEach(function (s) { present(s, true); }); });
    window.addEventListener("afterprint", function () {
      sections.forEach(function (s, i) { present(s, i === state.current); });
    });
    restoreQuizzes();
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
      if (note) { note.textContent = tracked ? words.saved : words.untracked; }
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
    present(pager.cont, state.live && v2004 && get("adl.nav.request_valid.continue") === "true");
    gatePager();
  }

  window.exporterScorm = { state: state, finish: finish, sections: sections };  // read by the project's browser test
  start();
})();
