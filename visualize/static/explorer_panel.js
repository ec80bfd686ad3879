// The side panel: one step, a leaf's gradient, or the gradient norms over training.

// -- the panel ------------------------------------------------------------------------
function showStep(i) {
  const s = steps[i];
  panel.dataset.step = String(i);
  const kids = [el("h2", {text: (i + 1) + ". " + s.title})];
  if (s.module) kids.push(el("div", {className: "module", text: "in module " + s.module}));
  if (s.primer) kids.push(el("div", {className: "primer", text: "The primer's " + s.primer.what}));
  kids.push(el("div", {className: "formula", text: s.forward}));
  s.rules.forEach(function (r) { kids.push(el("div", {className: "formula rule", text: r})); });
  if (s.settings.length) {
    kids.push(el("div", {className: "settings", text: s.settings.map(function (kv) {
      return kv[0] + "=" + kv[1];
    }).join("   ")}));
  }
  // The textbook form first: it is what the step teaches.
  if (s.layer) kids.push(primerView(s.layer, s));
  if (s.teach) kids.push(teachView(s.teach, s));
  const names = s.primer || {sent: []};
  kids.push(el("h3", {text: "Gradient that arrived: dy" + (names.dy ? " = " + names.dy : "")}));
  kids.push(tensorView(s.dy, "dy"));
  s.inputs.forEach(function (inp, k) {
    kids.push(el("h3", {text: "Sent to input " + k + ": " + inp.label + (names.sent[k] ? ": " + names.sent[k] : "")}));
    kids.push(tensorView(inp.grad, "grad-" + k, "d input " + k));
  });
  panel.replaceChildren.apply(panel, kids);
}

function showOther(id) {
  panel.dataset.step = "";
  const leaf = data.leaves[id];
  if (leaf && leaf.grad) {
    panel.replaceChildren(el("h2", {text: leaf.name}),
      el("div", {className: "note", text: "a leaf: its .grad is the sum of what every step sent it"}),
      el("h3", {text: ".grad"}), tensorView(leaf.grad, "leaf-grad"));
  } else {
    panel.replaceChildren(el("h2", {text: "No backward step here"}),
      el("div", {className: "note", text: "This node ran no backward (an output, an input without grad, or a module whose ops got no gradient)."}));
  }
}

// -- over time: each parameter's gradient norm over the training steps recorded --------
// Colour: log scale between the smallest and the largest non-zero norm of the strip,
// so a gradient 1000x smaller than another is still told apart.
function showHistory() {
  const h = data.history, K = h.loss.length;
  panel.dataset.step = "";
  const all = [];
  h.rows.forEach(function (r) { r.norms.forEach(function (v) { if (v !== null && v > 0) all.push(Math.log10(v)); }); });
  const lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
  function shade(v) {
    if (v === null) return "#e03131";
    if (v === 0) return "#dee2e6";
    const t = hi > lo ? (Math.log10(v) - lo) / (hi - lo) : 1;
    const mix = function (to) { return Math.round(255 - t * (255 - to)); };
    return "rgb(" + mix(95) + "," + mix(61) + "," + mix(196) + ")";
  }
  const table = el("table", {className: "numbers strip", "data-tensor": "history"});
  table.appendChild(el("tr", {}, [el("th", {text: "training step"})].concat(range(1, K).map(function (k) {
    return el("th", {text: String(k)});
  }))));
  function row(name, values, coloured) {
    return el("tr", {"data-name": name}, [el("th", {text: name})].concat(values.map(function (v) {
      const td = el("td", {text: v === null ? "none" : num(v), "data-value": v === null ? "nan" : String(v)});
      if (coloured) { td.style.background = shade(v); td.style.color = textColour(shade(v)); }
      return td;
    })));
  }
  table.appendChild(row("loss", h.loss, false));
  h.rows.forEach(function (r) { table.appendChild(row(r.name, r.norms, true)); });
  // The first and the last weight (a parameter of 2 or more dimensions): how much
  // smaller the gradient is at the inputs' end.
  const weights = h.rows.filter(function (r) { return r.shape.length >= 2; });
  const kids = [el("h2", {text: "Over time: gradient norms over " + K + " training step" + (K > 1 ? "s" : "")}),
    el("div", {className: "note", text: "The L2 norm of each parameter's gradient after each backward of the " +
      "training loop (inputs side first; darker = larger, on a log scale; grey: exactly zero). " +
      "Saturating activations (sigmoid, tanh) shrink the gradient at every layer it passes back through: " +
      "the first layers' rows stay pale (vanishing gradients); with ReLU they keep up. " +
      "The graph and its steps are the backward after the last of these steps."}),
    el("div", {className: "strip-box"}, [table])];
  if (weights.length > 1) {
    const first = weights[0], last = weights[weights.length - 1];
    if (first.norms[K - 1] && last.norms[K - 1]) {
      kids.push(el("div", {className: "note", text: "At step " + K + ": |∂C/∂" + first.name + "| / |∂C/∂" +
        last.name + "| = " + num(first.norms[K - 1] / last.norms[K - 1])}));
    }
  }
  panel.replaceChildren.apply(panel, kids);
}

if (data.history) {
  const button = el("button", {type: "button", id: "history", title: "gradient norms over the training steps",
                               text: "Over time"});
  document.querySelector("header").insertBefore(button, document.querySelector("header .hint"));
  button.addEventListener("click", showHistory);
}
