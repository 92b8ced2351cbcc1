/* exporter xAPI statements: pure builders (no I/O) for cmi5 and Tin Can launches.
 * A statement is made from the launch session (actor, AU activity id, registration, the LMS's context template,
 * the session id) plus what happened. cmi5 "defined" statements (initialized, completed, passed, failed,
 * terminated) carry the cmi5 category; completed/passed/failed also carry moveOn's. Statements about other
 * objects (a quiz question's `answered`, with a cmi.interaction definition) go through make() with their own
 * object and without the cmi5 category, as cmi5 "allowed" statements. */
(function () {
  "use strict";
  var ADL = "http://adlnet.gov/expapi/verbs/";
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var IRI = {
    category: CMI5 + "context/categories/cmi5",
    moveOn: CMI5 + "context/categories/moveon",
    sessionId: CMI5 + "context/extensions/sessionid",
    masteryScore: CMI5 + "context/extensions/masteryscore"
  };

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* ISO 8601 duration, as xAPI's result.duration wants it: "PT1H2M3.45S". */
  function duration(ms) {
    var s = Math.max(0, ms) / 1000, h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return "PT" + (h ? h + "H" : "") + (h || m ? m + "M" : "") + (s % 60).toFixed(2) + "S";
  }

  function copy(value) { return JSON.parse(JSON.stringify(value || {})); }

  /* session: {actor, activityId, registration, contextTemplate, sessionId, cmi5, masteryScore} */
  function Statements(session) {
    this.session = session;
    this.lastTime = 0;
  }

  /* Strictly increasing timestamps: the order an LRS reports is the order things happened, even within a
     millisecond (initialized and a resumed completion can fall in the same one). */
  Statements.prototype.timestamp = function () {
    var now = Math.max(Date.now(), this.lastTime + 1);
    this.lastTime = now;
    return new Date(now).toISOString();
  };

  Statements.prototype.context = function (options) {
    var s = this.session, context = copy(s.contextTemplate);
    if (s.registration) { context.registration = s.registration; }
    context.extensions = context.extensions || {};
    if (s.sessionId && !context.extensions[IRI.sessionId]) { context.extensions[IRI.sessionId] = s.sessionId; }
    if (s.cmi5 && options.defined) {
      var activities = context.contextActivities = context.contextActivities || {};
      var category = activities.category = activities.category || [];
      category.push({ id: IRI.category });
      if (options.moveOn) { category.push({ id: IRI.moveOn }); }
      if (options.judged && s.masteryScore !== null && s.masteryScore !== undefined) {
        context.extensions[IRI.masteryScore] = s.masteryScore;
      }
    }
    if (!Object.keys(context.extensions).length) { delete context.extensions; }
    return context;
  };

  /* Any statement of this session. options: {object, result, defined, moveOn, judged}. */
  Statements.prototype.make = function (verb, options) {
    var s = this.session;
    var statement = {
      id: uuid(),
      actor: s.actor,
      verb: { id: ADL + verb, display: { "en-US": verb } },
      object: options.object || { id: s.activityId, objectType: "Activity" },
      context: this.context(options),
      timestamp: this.timestamp()
    };
    if (options.result) { statement.result = options.result; }
    return statement;
  };

  Statements.prototype.initialized = function () {
    return this.make("initialized", { defined: true });
  };
  Statements.prototype.completed = function (ms) {
    return this.make("completed", { defined: true, moveOn: true, result: { completion: true, duration: duration(ms) } });
  };
  Statements.prototype.passed = function (scaled, ms) { return this.judged("passed", true, scaled, ms); };
  Statements.prototype.failed = function (scaled, ms) { return this.judged("failed", false, scaled, ms); };
  Statements.prototype.judged = function (verb, success, scaled, ms) {
    return this.make(verb, { defined: true, moveOn: true, judged: true,
                             result: { success: success, score: { scaled: scaled }, duration: duration(ms) } });
  };
  /* A checked question (runtime.js's interaction: id, type, description, patterns, response, success, latency,
     choices) as an xAPI interaction activity: a cmi.interaction definition with its type, correct responses
     pattern and choices, and the learner's response, success and time taken. Its id is the AU's plus the
     question's, which is stable across rebuilds (docs/quiz.md), so an LRS lines up every learner's answers. */
  Statements.prototype.answered = function (question) {
    var s = this.session, words = {};
    words[s.language || "en"] = question.description;
    var definition = { type: "http://adlnet.gov/expapi/activities/cmi.interaction", name: words,
                       description: words, interactionType: question.type,
                       correctResponsesPattern: question.patterns };
    if (question.choices.length) {
      definition.choices = question.choices.map(function (choice) {
        var text = {};
        text[s.language || "en"] = choice.text;
        return { id: choice.id, description: text };
      });
    }
    var result = { success: question.success, response: question.response };
    if (question.latency) { result.duration = question.latency; }
    var parent = { id: s.activityId, objectType: "Activity" };
    var statement = this.make("answered", {
      object: { id: s.activityId + "/question/" + encodeURIComponent(question.id), objectType: "Activity",
                definition: definition },
      result: result
    });
    var activities = statement.context.contextActivities = statement.context.contextActivities || {};
    activities.parent = (activities.parent || []).concat([parent]);
    return statement;
  };
  Statements.prototype.terminated = function (ms) {
    return this.make("terminated", { defined: true, result: { duration: duration(ms) } });
  };

  window.exporterXapi = window.exporterXapi || {};
  window.exporterXapi.Statements = Statements;
  window.exporterXapi.uuid = uuid;
  window.exporterXapi.duration = duration;
})();
