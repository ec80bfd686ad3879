// The backprop explorer: step through one backward pass in the engine's order.
// Reads the JSON blob written by visualize.explore; draws everything locally
// (tables, canvas heatmaps); makes no network request. visualize.explore's page()
// runs the explorer_*.js files in one function scope, in the order it lists;
// this first one holds the page's data and controls and the helpers every view uses.

const data = JSON.parse(document.getElementById("backprop-data").textContent);
const steps = data.steps;
const panel = document.getElementById("panel");
const counter = document.getElementById("counter");
const jump = document.getElementById("jump");
let current = -1;

// Drawn node id -> the steps that ran it (several when modules are collapsed).
const stepsOf = {};
steps.forEach(function (s, i) {
  if (s.svg) (stepsOf[s.svg] = stepsOf[s.svg] || []).push(i);
});

// -- small DOM helpers ------------------------------------------------------------
function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    if (k === "text") node.textContent = attrs[k];
    else if (k === "className") node.className = attrs[k];
    else node.setAttribute(k, attrs[k]);
  });
  (children || []).forEach(function (c) { if (c) node.appendChild(c); });
  return node;
}

function num(v) {
  if (v === null || v === undefined) return "non-finite";
  return Number(v).toPrecision(data.digits);
}

function shapeText(shape) {
  return "(" + shape.join(", ") + (shape.length === 1 ? "," : "") + ")";
}

function statsLine(p) {
  const s = p.stats;
  let text = shapeText(p.shape) + " " + p.dtype;
  if (s.min !== undefined) {
    text += " · min " + num(s.min) + " · max " + num(s.max) + " · mean " + num(s.mean) +
      " · L2 norm " + num(s.l2);
  }
  text += " · " + s.nonzero + " of " + s.size + " non-zero";
  if (s.nonfinite) text += " · " + s.nonfinite + " NaN/inf";
  return el("div", {className: "stats", text: text});
}

// WCAG relative luminance of "rgb(r,g,b)" or "#rrggbb"; text is black or white,
// whichever contrasts more with the cell (always at least 4.5:1).
function luminance(css) {
  const m = css.charAt(0) === "#"
    ? [1, 3, 5].map(function (i) { return parseInt(css.substr(i, 2), 16); })
    : css.match(/\d+/g).map(Number);
  const lin = m.slice(0, 3).map(function (v) {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

function textColour(bg) {
  const L = luminance(bg);
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? "#000000" : "#ffffff";
}

// Diverging colours: negative blue, zero white, positive red, scaled by max |value|.
function colour(v, lo, hi) {
  const scale = Math.max(Math.abs(lo || 0), Math.abs(hi || 0));
  if (v === null) return "#e03131";
  if (!scale || v === 0) return "#ffffff";
  // Square root: small gradients stay visible next to the largest one.
  const t = Math.sqrt(Math.min(1, Math.abs(v) / scale));
  const fade = Math.round(255 * (1 - 0.85 * t));
  return v > 0 ? "rgb(255," + fade + "," + fade + ")" : "rgb(" + fade + "," + fade + ",255)";
}
