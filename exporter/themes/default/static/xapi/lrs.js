/* exporter xAPI client: the few LRS resources an AU uses (statements, state, agent profile) and the cmi5 fetch
 * URL, over fetch(). Statements go out in the order they were made, one request at a time; every request is
 * `keepalive`, so what is sent while the page is being left still arrives. Never synchronous XHR. */
(function () {
  "use strict";
  var VERSION = "1.0.3";
  var BOOT_TIMEOUT_MS = 15000;

  function Lrs(endpoint, authorization) {
    this.endpoint = endpoint.charAt(endpoint.length - 1) === "/" ? endpoint : endpoint + "/";
    this.authorization = authorization;
    this.pending = [];
    this.inFlight = null;
    this.failures = 0;
  }

  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k] !== undefined && params[k] !== null; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
  }

  function withTimeout(options) {
    if (!window.AbortController) { return options; }
    var controller = new AbortController();
    window.setTimeout(function () { controller.abort(); }, BOOT_TIMEOUT_MS);
    options.signal = controller.signal;
    return options;
  }

  Lrs.prototype.request = function (method, resource, params, body, timed) {
    var options = {
      method: method, keepalive: true, credentials: "omit",
      headers: { "Authorization": this.authorization, "X-Experience-API-Version": VERSION }
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var url = this.endpoint + resource + (params ? "?" + query(params) : "");
    return window.fetch(url, timed ? withTimeout(options) : options);
  };

  /* A document (state, agent profile) as JSON; null when the LRS has none. */
  Lrs.prototype.getDocument = function (resource, params) {
    return this.request("GET", resource, params, undefined, true).then(function (response) {
      if (response.status === 404) { return null; }
      if (!response.ok) { throw new Error(resource + " answered " + response.status); }
      return response.text().then(function (text) { return text ? JSON.parse(text) : null; });
    });
  };

  Lrs.prototype.putDocument = function (resource, params, document) {
    return this.request("PUT", resource, params, document).then(function (response) {
      if (!response.ok) { throw new Error(resource + " refused the document: " + response.status); }
    });
  };

  /* Queue statements; they are posted in order, as soon as the previous post has been answered. */
  Lrs.prototype.send = function (statements) {
    this.pending = this.pending.concat(statements);
    this.pump();
  };

  Lrs.prototype.pump = function () {
    if (this.inFlight || !this.pending.length) { return; }
    this.inFlight = this.post(this.pending.splice(0)).then(this.done.bind(this), this.done.bind(this));
  };

  Lrs.prototype.done = function () {
    this.inFlight = null;
    this.pump();
  };

  /* Leaving: post what is queued now, without waiting for an earlier post (the page may not live that long). */
  Lrs.prototype.sendNow = function (statements) {
    var batch = this.pending.splice(0).concat(statements);
    return this.post(batch);
  };

  Lrs.prototype.post = function (batch) {
    var lrs = this;
    return this.request("POST", "statements", null, batch).then(function (response) {
      if (!response.ok) { lrs.failures += 1; throw new Error("statements refused: " + response.status); }
    }, function (error) { lrs.failures += 1; throw error; });
  };

  /* cmi5 8.2: POST to the fetch URL once for the session's authorization token. */
  function fetchToken(url) {
    return window.fetch(url, withTimeout({ method: "POST", credentials: "omit" })).then(function (response) {
      return response.json();
    }).then(function (answer) {
      if (!answer || !answer["auth-token"]) {
        throw new Error("the fetch URL gave no token (" + (answer && answer["error-text"] || "no answer") + ")");
      }
      return answer["auth-token"];
    });
  }

  window.exporterXapi = window.exporterXapi || {};
  window.exporterXapi.Lrs = Lrs;
  window.exporterXapi.fetchToken = fetchToken;
})();
