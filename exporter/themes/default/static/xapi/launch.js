/* exporter xAPI launch: reads a cmi5 or Tin Can launch, then lets the reading runtime (runtime.js, the one the
 * SCORM packages use) report through xAPI. The runtime talks to a SCORM 2004 API; this file provides one in the
 * page itself, answered from the LRS: its bookmark from the State API, its completion as a `completed` statement,
 * each checked question (a SCORM interaction) as an `answered` statement, the questions' score as the one a pass
 * mark judges (the share of lessons read on a page without questions), its Terminate as `terminated`. Without a launch (a plain preview)
 * or when the launch fails, the page says so and the runtime runs as a preview: never a blank page. */
(function () {
  "use strict";
  var X = window.exporterXapi;
  var body = document.body;
  var BOOKMARK = "https://w3id.org/xapi/exporter/state/bookmark";
  var MODES = { Normal: "normal", Browse: "browse", Review: "review" };
  var session = { status: "starting", sent: [], error: "" };
  window.exporterXapi.session = session;  // read by the project's browser test

  function loadRuntime() {
    var script = document.createElement("script");
    script.src = "runtime.js";
    document.body.appendChild(script);
  }

  function showNote(failed) {
    var note = document.querySelector(".launch-note");
    if (!note) { return; }
    if (failed) { note.textContent = note.getAttribute("data-failed"); note.classList.add("failed"); }
    note.hidden = false;
  }

  function param(params, name) { var value = params.get(name); return value === null ? "" : value; }

  /* Tin Can launches may still send the 0.95 actor form, with arrays: keep the first of each. */
  function agent(text) {
    var actor = JSON.parse(text);
    ["name", "mbox", "mbox_sha1sum", "openid", "account"].forEach(function (key) {
      if (Array.isArray(actor[key])) { actor[key] = actor[key][0]; }
    });
    if (actor.account && actor.account.accountServiceHomePage) {
      actor.account = { homePage: actor.account.accountServiceHomePage, name: actor.account.accountName };
    }
    return actor;
  }

  /* What the launch URL says, or null for a plain preview. */
  function readLaunch() {
    var params = new URLSearchParams(window.location.search);
    var protocol = body.getAttribute("data-launch");
    if (!param(params, "endpoint") || !param(params, "actor")) { return null; }
    if (protocol === "cmi5" && param(params, "fetch")) {
      return { cmi5: true, endpoint: param(params, "endpoint"), fetch: param(params, "fetch"),
               actor: agent(param(params, "actor")), registration: param(params, "registration"),
               activityId: param(params, "activityId") };
    }
    if (protocol === "tincan" && param(params, "auth")) {
      return { cmi5: false, endpoint: param(params, "endpoint"), auth: param(params, "auth"),
               actor: agent(param(params, "actor")), registration: param(params, "registration") || null,
               activityId: param(params, "activity_id") || body.getAttribute("data-activity-id") };
    }
    return null;
  }

  function stateParams(launch) {
    return { activityId: launch.activityId, agent: JSON.stringify(launch.actor), registration: launch.registration || null };
  }

  /* cmi5: token once from the fetch URL, then LMS.LaunchData (launch mode, mastery score, context template,
     returnURL) and the learner preferences the AU must read; Tin Can: the credentials come with the launch. */
  function connect(launch) {
    if (!launch.cmi5) {
      var lrs = new X.Lrs(launch.endpoint, launch.auth);
      return Promise.resolve({ lrs: lrs, launchData: {} });
    }
    return X.fetchToken(launch.fetch).then(function (token) {
      var lrs = new X.Lrs(launch.endpoint, "Basic " + token);
      var params = stateParams(launch);
      params.stateId = "LMS.LaunchData";
      return lrs.getDocument("activities/state", params).then(function (launchData) {
        if (!launchData) { throw new Error("the LMS left no LMS.LaunchData state document"); }
        var preferences = { agent: JSON.stringify(launch.actor), profileId: "cmi5LearnerPreferences" };
        return lrs.getDocument("agents/profile", preferences).catch(function () { return null; }).then(function () {
          return { lrs: lrs, launchData: launchData };
        });
      });
    });
  }

  function readBookmark(lrs, launch) {
    var params = stateParams(launch);
    params.stateId = BOOKMARK;
    return lrs.getDocument("activities/state", params).then(function (doc) { return doc || {}; });
  }

  function start(launch) {
    return connect(launch).then(function (link) {
      return readBookmark(link.lrs, launch).then(function (bookmark) {
        installApi(launch, link.lrs, link.launchData, bookmark);
        session.status = "live";
      });
    });
  }

  function passMark(launchData) {
    if (typeof launchData.masteryScore === "number") { return launchData.masteryScore; }
    var built = body.getAttribute("data-pass-mark");
    return built ? parseFloat(built) : null;
  }

  /* returnURL is the LMS's; only a web address is followed (never javascript: or data:). */
  function safeReturn(url) {
    if (!url) { return ""; }
    try {
      var target = new URL(url, window.location.href);
      return target.protocol === "http:" || target.protocol === "https:" ? target.href : "";
    } catch (e) { return ""; }
  }

  /* A checked question as the runtime wrote it (SCORM 2004 interaction fields, whose response formats are
     xAPI's), with its choices' words from the page. */
  function interaction(data, index) {
    var n = "cmi.interactions." + index + ".", id = data[n + "id"];
    var box = document.querySelector("div.quiz[data-question='" + id + "']");
    var patterns = [];
    for (var k = 0; data[n + "correct_responses." + k + ".pattern"] !== undefined; k++) {
      patterns.push(data[n + "correct_responses." + k + ".pattern"]);
    }
    var choices = box ? Array.prototype.slice.call(box.querySelectorAll("input[type=radio], input[type=checkbox]"))
      .map(function (input) {
        var label = box.querySelector("label[for='" + input.id + "']");
        return { id: input.value, text: label ? label.textContent.trim() : input.value };
      }) : [];
    return { id: id, type: data[n + "type"], description: data[n + "description"] || id, patterns: patterns,
             response: data[n + "learner_response"] || "", success: data[n + "result"] === "correct",
             latency: data[n + "latency"] || "", choices: choices };
  }

  // --- the SCORM 2004 API the reading runtime finds in this window -----------------------------------------
  function installApi(launch, lrs, launchData, bookmark) {
    var mode = MODES[launchData.launchMode] || "normal";
    var judged = mode === "normal";
    var mastery = passMark(launchData);
    // With questions, the runtime judges their score against the pass mark this launch uses (the LMS's own
    // masteryScore first): it reads it from the page before it starts.
    var questions = !!document.querySelector("div.quiz[data-question]");
    body.setAttribute("data-quiz-pass", mastery === null ? "" : String(mastery));
    var make = new X.Statements({
      actor: launch.actor, activityId: launch.activityId, registration: launch.registration,
      contextTemplate: launchData.contextTemplate, cmi5: launch.cmi5, masteryScore: mastery,
      sessionId: X.uuid(),  // cmi5: the LMS's session id in the context template wins
      language: document.documentElement.lang || "en"
    });
    var saved = { location: bookmark.location || "", suspend_data: bookmark.suspend_data || "",
                  completed: !!bookmark.completed, passed: !!bookmark.passed, score: bookmark.score || 0 };
    var data = {
      "cmi.mode": mode, "cmi.entry": bookmark.location ? "resume" : "ab-initio",
      "cmi.location": saved.location, "cmi.suspend_data": saved.suspend_data,
      "cmi.completion_status": saved.completed ? "completed" : "unknown",
      "cmi.success_status": saved.passed ? "passed" : "unknown", "adl.nav.request_valid.continue": "false",
      "cmi.interactions._count": "0"
    };
    var phase = "new", started = 0, learnerFinishing = false, dirty = false, failedSent = false;
    var INTERACTION = /^cmi\.interactions\.(\d+)\.(id|timestamp)$/;

    function send(statement) { session.sent.push(statement.verb.display["en-US"]); lrs.send([statement]); }
    function putBookmark() {
      var params = stateParams(launch);
      params.stateId = BOOKMARK;
      dirty = false;
      return lrs.putDocument("activities/state", params, saved).catch(function (error) { session.error = String(error); });
    }
    function onSet(name, value) {
      if (name === "cmi.location" || name === "cmi.suspend_data") {
        dirty = dirty || saved[name.slice(4)] !== value;
        saved[name.slice(4)] = value;
      } else if (name === "cmi.completion_status" && value === "completed" && judged && !saved.completed) {
        saved.completed = dirty = true;  // cmi5 9.3.3: once per registration
        send(make.completed(Date.now() - started));
      } else if (name === "cmi.progress_measure" && !questions) {
        saved.score = Math.round(parseFloat(value) * 10000) / 10000;
        judgePass();
      } else if (name === "cmi.score.scaled" && questions) {
        saved.score = parseFloat(value);
      } else if (name === "cmi.success_status" && questions) {
        judgeQuiz(value);
      } else if (INTERACTION.test(name)) {
        onInteraction(INTERACTION.exec(name));
      }
    }
    // The runtime writes a question's fields from its id to its timestamp, last: then it is complete.
    function onInteraction(match) {
      var index = parseInt(match[1], 10);
      if (match[2] === "id") {
        data["cmi.interactions._count"] = String(Math.max(index + 1, parseInt(data["cmi.interactions._count"], 10)));
      } else if (judged) {
        send(make.answered(interaction(data, index)));
      }
    }
    // With questions the runtime says when they are all settled and whether their score reaches the pass mark:
    // passed once per registration (cmi5 9.3.4), failed once per session (9.3.5) and never after passing.
    function judgeQuiz(verdict) {
      if (!judged || mastery === null || saved.passed) { return; }
      if (verdict === "passed") {
        saved.passed = dirty = true;
        send(make.passed(saved.score, Date.now() - started));
      } else if (verdict === "failed" && !failedSent) {
        failedSent = true;
        send(make.failed(saved.score, Date.now() - started));
      }
    }
    // Without questions the score is the share of lessons read: passed once it reaches the pass mark.
    function judgePass() {
      if (judged && mastery !== null && !saved.passed && saved.score >= mastery) {
        saved.passed = dirty = true;  // cmi5 9.3.4: once per registration
        send(make.passed(saved.score, Date.now() - started));
      }
    }
    // Failed only when the learner ends the attempt (Finish) short of the pass mark; leaving is not failing.
    function judgeFail() {
      if (judged && mastery !== null && !saved.passed && learnerFinishing && !questions) {
        send(make.failed(saved.score, Date.now() - started));
      }
    }
    function terminate() {
      judgeFail();
      var last = make.terminated(Date.now() - started);
      session.sent.push("terminated");
      if (dirty && judged) { putBookmark(); }
      var posted = lrs.sendNow([last]);
      var target = learnerFinishing ? safeReturn(launchData.returnURL) : "";
      if (target) {
        var go = function () { window.location.href = target; };
        posted.then(go, go);
      }
    }

    // The Finish control is the runtime's; knowing it was pressed tells a finished attempt from a closed window.
    document.addEventListener("click", function (event) {
      var control = event.target.closest ? event.target.closest("[data-action='finish']") : null;
      if (control) { learnerFinishing = true; }
    });

    window.API_1484_11 = {
      Initialize: function () {
        if (phase !== "new") { return "false"; }
        phase = "running";
        started = Date.now();
        send(make.initialized());  // cmi5 9.3.2: the first statement of the session
        return "true";
      },
      Terminate: function () {
        if (phase !== "running") { return "false"; }
        phase = "ended";
        terminate();  // cmi5 9.3.8: the last statement of the session
        return "true";
      },
      GetValue: function (name) { return phase === "running" && data[name] !== undefined ? String(data[name]) : ""; },
      SetValue: function (name, value) {
        if (phase !== "running") { return "false"; }
        data[name] = String(value);
        onSet(name, String(value));
        return "true";
      },
      Commit: function () {
        if (phase !== "running") { return "false"; }
        if (dirty && judged) { putBookmark(); }
        return "true";
      },
      GetLastError: function () { return "0"; },
      GetErrorString: function () { return ""; },
      GetDiagnostic: function () { return ""; }
    };
  }

  var launch = readLaunch();
  if (!launch) {
    session.status = "preview";
    showNote(false);
    loadRuntime();
    return;
  }
  start(launch).catch(function (error) {
    session.status = "failed";
    session.error = String(error && error.message || error);
    showNote(true);
  }).then(loadRuntime);
})();
