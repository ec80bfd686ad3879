// A step's textbook views: pooling and convolution rules (teachView) and the primer's
// loss, fully connected layer and activation (primerView), figures side by side.

// -- the textbook rules ------------------------------------------------------------
// items: {payload, caption, name, windows (draw the pooling windows on it),
// source (hovering its cells lights their sources through options.link), role}.
function sideBySide(items, options) {
  options = options || {};
  if (items.every(function (it) { return it.payload.slice; })) return heatmaps(items, options);
  const tables = [];
  const row = el("div", {className: "row"}, items.map(function (it) {
    const view = it.payload.values
      ? el("div", {}, [statsLine(it.payload),
                       valueTable(it.payload, it.name || "teach-" + it.caption,
                                  it.windows ? options : {})])
      : heatmaps([it], options);
    tables.push(view.querySelector("table"));
    // A heatmap captions itself.
    return el("div", {className: "figure" + (it.payload.values ? " fit" : "")},
              [it.payload.values ? el("div", {className: "caption", text: it.caption}) : null, view]);
  }));
  if (options.link) linkTables(items, tables, options.link);
  return row;
}

function check(label, diff, scale) {
  // Equal up to float rounding: the two computations add in different orders.
  const ok = diff <= 1e-4 * Math.max(1, scale || 0);
  return el("div", {className: "check" + (ok ? "" : " bad"),
                    text: label + ": max |difference| = " + (diff === 0 ? "0" : num(diff))});
}

function teachView(t, step) {
  const box = el("div");
  if (t.kind === "maxpool") {
    box.appendChild(el("h3", {text: "Max pooling: dy is routed to each window's argmax"}));
    box.appendChild(el("div", {className: "note", text: "Every other cell of dx is 0. Outlined: the " +
      t.argmax_cells + " recorded argmax cells; " + (windowGrid(t.window)
        ? "grid on dx: the windows." : "the windows overlap (stride < kernel), so no grid is drawn.")}));
    if (t.dx) {
      box.appendChild(el("div", {className: "check" + (t.nonzero_outside_argmax ? " bad" : ""),
        text: "non-zero cells of dx outside the argmax: " + t.nonzero_outside_argmax}));
      box.appendChild(sideBySide([{payload: t.dy, caption: "dy (at the pooled output)", name: "teach-dy", source: true},
                                  {payload: t.dx, caption: "dx (routed)", name: "teach-dx", windows: true}],
                                 {window: t.window, link: windowLink(t.window)}));
      box.appendChild(el("div", {className: "note", text: "Hover a dy cell: its window lights up in dx."}));
    }
  } else if (t.kind === "avgpool") {
    box.appendChild(el("h3", {text: "Average pooling: dy / " + t.size + " spread over each window"}));
    const items = [{payload: t.dy, caption: "dy", name: "teach-dy", source: true},
                   {payload: t.spread, caption: "dy / " + t.size + " spread", name: "teach-spread", windows: true}];
    if (step.inputs[0].grad) items.push({payload: step.inputs[0].grad, caption: "dx (engine)", name: "teach-dx", windows: true});
    if (t.max_diff !== undefined) box.appendChild(check("dy / " + t.size + " spread vs the dx the engine sent", t.max_diff));
    box.appendChild(sideBySide(items, {window: t.window, link: windowLink(t.window)}));
  } else if (t.kind === "conv") {
    box.appendChild(el("h3", {text: "Convolution: dx = full convolution of dy with the kernel rotated 180 degrees"}));
    if (t.max_diff !== undefined) box.appendChild(check("full_convolution_rot180(dy, w) vs the dx the engine sent", t.max_diff));
    else box.appendChild(el("div", {className: "note", text: "The input needs no gradient, so the engine computed no dx; below is what the rule gives."}));
    const K = t.kernel_shape, kh = K[2], kw = K[3];
    const pick = el("div", {className: "pick"});
    const oSel = el("select", {"aria-label": "output channel"}), cSel = el("select", {"aria-label": "input channel"});
    for (let o = 0; o < K[0]; o++) oSel.appendChild(el("option", {value: o, text: String(o)}));
    for (let c = 0; c < K[1]; c++) cSel.appendChild(el("option", {value: c, text: String(c)}));
    pick.appendChild(el("label", {}, [document.createTextNode("out channel o "), oSel]));
    pick.appendChild(el("label", {}, [document.createTextNode("in channel c "), cSel]));
    pick.appendChild(el("span", {className: "note", text: "weight " + shapeText(t.weight_shape)}));
    const kernels = el("div", {className: "row"});
    function drawKernels() {
      const o = Number(oSel.value), c = Number(cSel.value);
      const w = t.weight.slice(((o * K[1]) + c) * kh * kw, ((o * K[1]) + c + 1) * kh * kw);
      // rot180 swaps the channels: the rotated kernel (o, c) is stored at (c, o).
      const r = t.rot180.slice(((c * K[0]) + o) * kh * kw, ((c * K[0]) + o + 1) * kh * kw);
      let lo = Math.min.apply(null, w), hi = Math.max.apply(null, w);
      kernels.replaceChildren(
        el("div", {className: "figure wide"}, [el("div", {className: "caption", text: "w[" + o + ", " + c + "]"}),
          valueTable({shape: [kh, kw], values: w, stats: {min: lo, max: hi}}, "kernel")]),
        el("div", {className: "figure wide"}, [el("div", {className: "caption", text: "rot180(w)[" + c + ", " + o + "]"}),
          valueTable({shape: [kh, kw], values: r, stats: {min: lo, max: hi}}, "kernel-rot180")]));
    }
    oSel.addEventListener("change", drawKernels);
    cSel.addEventListener("change", drawKernels);
    drawKernels();
    box.appendChild(pick);
    box.appendChild(kernels);
    const link = convLink(t, step.dy);
    const dyItem = {payload: step.dy, caption: "dy = δ^l", name: "conv-dy", role: "dy", source: true};
    box.appendChild(el("h3", {text: "The padded, stride-dilated dy that rot180(w) slides over"}));
    box.appendChild(check("rot180(w) slid over it at stride 1 vs full_convolution_rot180(dy, w)", t.padded_diff));
    box.appendChild(el("div", {className: "note", text: "dy with stride − 1 zeros between its values and " +
      "dilation·(kernel − 1) − padding zeros around (cut where negative). Hover a dy cell: it lights in the padded dy, " +
      "and the dx cells it reaches light up (the placements of rot180(w) that cover it); hover a dx cell: " +
      "the placement of rot180(w) over the padded dy that sums to it."}));
    box.appendChild(sideBySide([dyItem, {payload: t.padded, caption: "dy padded and stride-dilated",
                                         name: "conv-padded", role: "padded"}], {link: link}));
    const items = [{payload: t.full, caption: "full_convolution_rot180(dy, w)", name: "conv-full", role: "dx", source: true}];
    if (step.inputs[0].grad) items.push({payload: step.inputs[0].grad, caption: "dx (engine)", name: "conv-dx", role: "dx", source: true});
    box.appendChild(sideBySide(items, {link: link}));
    if (t.x && step.inputs[1] && step.inputs[1].grad) {
      box.appendChild(el("h3", {text: "Step 8: dW = a^(l−1) * δ^l, the input correlated with dy"}));
      box.appendChild(check("conv2d_weight(x, dy) vs the dW the engine sent", t.dW_diff));
      box.appendChild(el("div", {className: "note", text: "dW[o, c, a, b] = Σ over n, i, j of " +
        "x[n, c, i·s − p + d·a, j·s − p + d·b] · dy[n, o, i, j]. Hover a dW cell: the x values it multiplies " +
        "light up here, and the dy values (all of channel o) in the dy figure above."}));
      box.appendChild(el("div", {className: "row"}, [
        sideBySide([{payload: t.x, caption: "x = a^(l−1) (forward)", name: "conv-x", role: "x"}], {link: link}),
        sideBySide([{payload: step.inputs[1].grad, caption: "dW (engine)", name: "conv-dW", role: "dW", source: true}],
                   {link: link})]));
    }
  }
  return box;
}

// -- the primer's views: the loss, a fully connected layer, an activation -------------
function figures(items) {
  return sideBySide(items.filter(function (it) { return it.payload; }));
}

function primerView(v, s) {
  const box = el("div", {className: "primer-view", "data-kind": v.kind});
  if (v.kind === "loss") {
    const y = v.one_hot ? "y" : "q";
    box.appendChild(el("h3", {text: "Step 6, the output error: δ^L = ∂C/∂" + v.name + " = (p − " + y + ") / N"}));
    box.appendChild(el("div", {className: "note", text: "p = softmax(" + v.name + ") per sample; " +
      (v.one_hot ? "y: the labels, one-hot" : "q: the target distribution (class weights or label smoothing in it)") +
      "; N = " + v.divisor + " (the mean's divisor)" + (v.dy === 1 ? "" : "; times the dy that arrived, " + num(v.dy)) + "."}));
    if (v.max_diff !== undefined) box.appendChild(check("(p − " + y + ") / N vs the dx the engine sent", v.max_diff));
    box.appendChild(figures([{payload: v.z, caption: v.name + " (logits, forward)", name: "loss-z"},
                             {payload: v.p, caption: "p = softmax(" + v.name + ")", name: "loss-p"}]));
    box.appendChild(figures([{payload: v.y, caption: v.one_hot ? "y (one-hot)" : "q (target)", name: "loss-y"},
                             {payload: v.delta, caption: "δ^L = (p − " + y + ") / N", name: "loss-delta"}]));
  } else if (v.kind === "fc") {
    const l = v.layer, prev = l === "L" ? "(L−1)" : String(Number(l) - 1);
    box.appendChild(el("h3", {text: "Fully connected layer " + l + ": z^" + l + " = W^" + l + " a^" + prev + " + b^" + l}));
    const where = Object.keys(v.steps).map(function (op) { return op + " (step " + (v.steps[op] + 1) + ")"; }).join(", ");
    box.appendChild(el("div", {className: "note", text: "One layer to the primer; the engine runs it as " + where +
      ". The weight's gradient reaches W through its own Transpose node, which the engine may run much later; " +
      "here it is computed from this step's δ. Samples are rows, so δ a^T summed over the batch is δᵀa."}));
    if (v.dW_diff !== undefined) box.appendChild(check("step 8: dW = δ a^T vs the engine's ∂C/∂W^" + l, v.dW_diff));
    if (v.db_diff !== undefined) box.appendChild(check("step 8: db = Σ δ vs the engine's ∂C/∂b^" + l, v.db_diff));
    if (v.dx_diff !== undefined) box.appendChild(check("step 7: W^T δ vs the engine's ∂C/∂a^" + prev, v.dx_diff));
    box.appendChild(figures([{payload: v.a, caption: "a^" + prev + " (input, forward)", name: "fc-a"},
                             {payload: v.z, caption: "z^" + l + " (forward)", name: "fc-z"}]));
    box.appendChild(figures([{payload: v.delta, caption: "δ^" + l + " = ∂C/∂z^" + l, name: "fc-delta"},
                             {payload: v.db, caption: "db = Σ δ^" + l + " (over samples)", name: "fc-db"}]));
    box.appendChild(figures([{payload: v.dW, caption: "dW = δ^" + l + " (a^" + prev + ")^T", name: "fc-dW"},
                             {payload: v.dW_engine, caption: "∂C/∂W^" + l + " (engine, step " + ((v.steps.Transpose || 0) + 1) + ")", name: "fc-dW-engine"}]));
    box.appendChild(figures([{payload: v.dx, caption: "(W^" + l + ")^T δ^" + l + " = ∂C/∂a^" + prev, name: "fc-dx"}]));
  } else if (v.kind === "activation") {
    const l = v.name.split("^")[1];
    box.appendChild(el("h3", {text: "Step 7 through the activation: δ^" + l + " = ∂C/∂a^" + l + " ⊙ σ'(z^" + l + "), σ = " + v.function}));
    if (v.max_diff !== undefined) box.appendChild(check("dy ⊙ σ'(z^" + l + ") vs the dx the engine sent", v.max_diff));
    box.appendChild(figures([{payload: v.z, caption: "z^" + l + " (forward)", name: "act-z"},
                             {payload: v.a, caption: "a^" + l + " = " + v.function + "(z^" + l + ") (forward)", name: "act-a"},
                             {payload: v.slope, caption: "σ'(z^" + l + ")", name: "act-slope"},
                             {payload: v.product, caption: "dy ⊙ σ'(z^" + l + ")", name: "act-delta"}]));
  }
  return box;
}
