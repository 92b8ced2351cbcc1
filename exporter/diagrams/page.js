// The page exporter drives in headless Chromium to draw HackMD's diagrams with HackMD's own libraries.
// Python opens it once per build, calls `drawAll(jobs)` once with every diagram, and reads back SVG text.
// Libraries load on first use from /node_modules/ (served by exporter from tools/node_modules; every other
// request is refused), so a course with only mermaid never parses vega.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const loaded = {};

function script(path) {
  if (!loaded[path]) {
    loaded[path] = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = "/node_modules/" + path;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error("cannot load " + path));
      document.head.appendChild(tag);
    });
  }
  return loaded[path];
}

// flowchart.js ships CommonJS sources only (no browser bundle): a small synchronous `require` over the
// served files, enough for its relative requires and for `raphael` (whose UMD build honours `module`).
function commonjs(entry) {
  const cache = {};
  const load = (url) => {
    if (cache[url]) return cache[url].exports;
    const request = new XMLHttpRequest();
    request.open("GET", url, false);
    request.send();
    if (request.status !== 200) throw new Error("cannot load " + url);
    const module = { exports: {} };
    cache[url] = module;
    const need = (name) => load(name.startsWith(".") ? resolve(url, name) : "/node_modules/" + BARE[name]);
    new Function("require", "module", "exports", request.responseText)(need, module, module.exports);
    return module.exports;
  };
  return load(entry);
}
const BARE = { raphael: "raphael/raphael.min.js" };
function resolve(base, name) {
  const url = new URL(name, location.origin + base).pathname;
  return url.endsWith(".js") ? url : url + ".js";
}

function host() {
  const div = document.createElement("div");
  div.style.width = "720px";
  document.body.appendChild(div);
  return div;
}

function only(div) {
  const svg = div.querySelector("svg");
  if (!svg) throw new Error("the library drew nothing");
  return svg;
}

const DRAW = {
  async mermaid(source, id) {
    await script("mermaid/dist/mermaid.min.js");
    // SVG <text> labels, not HTML in <foreignObject>: print engines and the sanitizer keep only SVG.
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", htmlLabels: false,
                         flowchart: { htmlLabels: false }, theme: "default", fontFamily: "sans-serif" });
    const { svg } = await mermaid.render("mermaid-" + id, source);
    return svg;
  },

  async graphviz(source) {
    await script("@viz-js/viz/dist/viz-global.js");
    const viz = await Viz.instance();
    const result = viz.render(source, { format: "svg" });
    if (result.status !== "success") {
      throw new Error(result.errors.map((e) => e.message.trim()).join("; ") || "graphviz could not draw it");
    }
    return result.output;
  },

  async sequence(source) {
    await script("raphael/raphael.min.js");
    const { Diagram, DiagramPainter } = await import("/node_modules/@hackmd/js-sequence-diagrams/dist/index.js");
    const div = host();
    new DiagramPainter(Diagram.parse(source)).drawSvg(div, { theme: "simple" });
    return only(div).outerHTML;
  },

  async flow(source) {
    const flowchart = commonjs("/node_modules/flowchart.js/index.js");
    const div = host();
    flowchart.parse(source).drawSVG(div);
    return only(div).outerHTML;
  },

  async abc(source) {
    await script("abcjs/dist/abcjs-basic-min.js");
    const div = host();
    const tunes = ABCJS.renderAbc(div, source, { add_classes: true });
    const warnings = tunes.flatMap((tune) => tune.warnings || []);
    if (!tunes.length || warnings.length) {
      const text = warnings.map((w) => String(w).replace(/<[^>]*>/g, "")).join("; ");
      throw new Error(text || "abcjs found no tune");
    }
    return only(div).outerHTML;
  },

  async vega(source) {
    await script("vega/build/vega.min.js");
    await script("vega-lite/build/vega-lite.min.js");
    let spec = JSON.parse(source);
    const url = dataUrl(spec);
    if (url) throw new Error(`its data comes from ${url}, which a build does not fetch (builds run offline); ` +
                             `put the data in the spec as "values"`);
    if (String(spec.$schema || "").includes("vega-lite") || !("marks" in spec || "signals" in spec)) {
      spec = vegaLite.compile(spec).spec;
    }
    const view = new vega.View(vega.parse(spec), { renderer: "none" });
    return await view.toSVG();
  },

  async markmap(source) {
    await script("d3/dist/d3.min.js");
    await script("markmap-lib/dist/browser/index.iife.js");
    await script("markmap-view/dist/browser/index.js");
    const { root } = new markmap.Transformer().transform(source);
    if (!root.content && !(root.children || []).length) {
      throw new Error("the mind map is empty: write headings or list items");
    }
    const div = host();
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "720");
    svg.setAttribute("height", "480");
    div.appendChild(svg);
    const view = markmap.Markmap.create(svg, { duration: 0, autoFit: false }, root);
    await view.fit();
    textLabels(svg);
    // markmap names its styles with a random id per page: a fixed name keeps builds byte-identical
    return svg.outerHTML.replace(/mm-[a-z0-9]+-\d+/g, "mm-exporter");
  },
};
DRAW["vega-lite"] = DRAW.vega;

// The first `"url"` a vega or vega-lite spec reads data from (data, or a lookup's `from.data`).
function dataUrl(node) {
  if (!node || typeof node !== "object") return null;
  if (typeof node.url === "string") return node.url;
  for (const value of Object.values(node)) {
    const found = dataUrl(value);
    if (found) return found;
  }
  return null;
}
DRAW.dot = DRAW.graphviz;

// markmap writes its labels as HTML inside <foreignObject>, which neither print engines nor the sanitizer
// keep: each becomes an SVG <text> at the same place, with the same words.
function textLabels(svg) {
  for (const object of [...svg.querySelectorAll("foreignObject")]) {
    const box = object.getBBox();
    const words = object.textContent.trim();
    const text = document.createElementNS(SVG_NS, "text");
    const size = parseFloat(getComputedStyle(object.querySelector("div") || object).fontSize) || 14;
    text.setAttribute("x", box.x);
    text.setAttribute("y", box.y + box.height / 2 + size * 0.35);
    text.setAttribute("font-size", size);
    text.setAttribute("font-family", "sans-serif");
    text.textContent = words;
    object.replaceWith(text);
  }
  // The drawing is placed by a transform d3 applied; a viewBox around what is drawn makes it scale.
  const box = svg.getBBox();
  svg.setAttribute("viewBox", `${box.x - 8} ${box.y - 8} ${box.width + 16} ${box.height + 16}`);
  svg.setAttribute("width", Math.ceil(box.width + 16));
  svg.setAttribute("height", Math.ceil(box.height + 16));
}

// One call for every diagram of the build, drawn one after the other (libraries keep global state);
// a failure is that diagram's result, never the batch's.
window.drawAll = async function (jobs, limit) {
  const results = [];
  for (const job of jobs) {
    try {
      const draw = DRAW[job.kind];
      if (!draw) throw new Error("no renderer for " + job.kind);
      const late = new Promise((_, reject) => setTimeout(() => reject(new Error(`not drawn within ${limit / 1000} s`)), limit));
      results.push({ svg: await Promise.race([draw(job.source, job.id), late]) });
    } catch (error) {
      results.push({ error: String((error && error.message) || error).trim() || "failed without a message" });
    }
    document.body.replaceChildren();
  }
  return results;
};
