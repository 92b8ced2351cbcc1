// TeX -> MathML and SVG through MathJax (the engine HackMD typesets with), for a whole build at once.
//
// Input on stdin: {"formulas": [{"tex": "...", "display": true}, ...]}.
// Output on stdout: [{"mathml": "...", "svg": "..."} | {"error": "MathJax's message"}, ...], same order.
// Run by exporter/mathjax/__init__.py with NODE_PATH set to the folder holding mathjax-full; it makes no
// network access (MathJax's fonts and TeX packages are all in the npm package, loaded here up front).
"use strict";

const {mathjax} = require("mathjax-full/js/mathjax.js");
const {TeX} = require("mathjax-full/js/input/tex.js");
const {SVG} = require("mathjax-full/js/output/svg.js");
const {liteAdaptor} = require("mathjax-full/js/adaptors/liteAdaptor.js");
const {RegisterHTMLHandler} = require("mathjax-full/js/handlers/html.js");
const {SerializedMmlVisitor} = require("mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js");
const {STATE} = require("mathjax-full/js/core/MathItem.js");
require("mathjax-full/js/input/tex/AllPackages.js");

// What HackMD's MathJax reads: base, AMS, and the extensions MathJax 2 loaded on demand (\require is not
// needed: every one is here). Left out: `noerrors`/`noundefined`, which would typeset a broken formula as
// red text instead of telling the author; `autoload`/`require`, which load files at run time; `physics`,
// which HackMD does not have and which redefines standard commands (\div, \grad...).
const PACKAGES = ["base", "ams", "amscd", "newcommand", "configmacros", "action", "bbox", "boldsymbol",
                  "braket", "cancel", "cases", "centernot", "color", "enclose", "extpfeil", "gensymb", "html",
                  "mathtools", "mhchem", "textcomp", "unicode", "upgreek", "verb"];

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const serializer = new SerializedMmlVisitor();

// Macros a formula defines (\newcommand, \def...) and its \labels must not leak into the next formula, or a
// formula's picture would depend on the formulas built before it (and its cached result would be wrong):
// after a formula that can define something the document is made anew (making one for every formula
// would cost about 8 ms each).
const DEFINES = /\\(newcommand|renewcommand|newenvironment|renewenvironment|def|gdef|edef|xdef|let|global|DeclareMathOperator|label|tag|require)(?![A-Za-z])/;
let current = null;

function documentFor() {
  const tex = new TeX({packages: PACKAGES, formatError: (jax, error) => { throw error; }});
  const svg = new SVG({fontCache: "none"});
  return {tex, document: mathjax.document("", {InputJax: tex, OutputJax: svg})};
}

function typeset(formula) {
  current = current || documentFor();
  const {tex, document} = current;
  const options = {display: Boolean(formula.display), em: 16, ex: 8, containerWidth: 80 * 16};
  try {
    tex.reset();
    const mathml = serializer.visitTree(document.convert(formula.tex, {...options, end: STATE.CONVERT}));
    tex.reset();
    const svg = adaptor.innerHTML(document.convert(formula.tex, options));
    return {mathml, svg};
  } catch (error) {
    return {error: String((error && error.message) || error).replace(/\s+/g, " ").trim()};
  } finally {
    if (DEFINES.test(formula.tex)) {
      current = null;
    }
  }
}

function main() {
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const results = request.formulas.map(typeset);
    process.stdout.write(JSON.stringify(results));
  });
}

main();
