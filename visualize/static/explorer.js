// The backprop explorer: step through one backward pass in the engine's order.
// Reads the JSON blob written by visualize.explore; draws everything locally
// (tables, canvas heatmaps); makes no network request.
(function () {
  "use strict";
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

  // -- a small tensor: every value in a table ------------------------------------
  // options.window: pooling windows, drawn as heavier cell borders (non-overlapping
  // windows only); p.mask: max pooling's recorded argmax cells, outlined.
  function valueTable(p, name, options) {
    options = options || {};
    const shape = p.shape, values = p.values;
    const cols = shape.length ? shape[shape.length - 1] : 1;
    const rows = cols ? values.length / cols : 0;
    const height = shape.length > 1 ? shape[shape.length - 2] : 1;
    const grid = windowGrid(options.window);
    const table = el("table", {className: "numbers", "data-tensor": name});
    for (let r = 0; r < rows; r++) {
      const tr = el("tr");
      if (shape.length > 1) {
        // The row's index over the leading axes, e.g. [1, 0, :]
        let rest = r, idx = [];
        for (let a = shape.length - 2; a >= 0; a--) { idx.unshift(rest % shape[a]); rest = Math.floor(rest / shape[a]); }
        tr.appendChild(el("th", {text: "[" + idx.join(", ") + ", :]"}));
      }
      for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        const v = values[k];
        const td = el("td", {"data-index": String(k), "data-value": v === null ? "nan" : String(v),
                             text: num(v)});
        const bg = colour(v, p.stats.min, p.stats.max);
        td.style.background = bg;
        td.style.color = textColour(bg);
        if (grid) {
          const i = r % height;
          if (gridLine(i, grid.s[0], grid.pad[0])) td.classList.add("window-top");
          if (gridLine(c, grid.s[1], grid.pad[1])) td.classList.add("window-left");
        }
        if (p.mask && p.mask[k]) td.classList.add("argmax");
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    return table;
  }

  // The window grid is drawn only when windows do not overlap (stride >= kernel):
  // overlapping windows have no single grid.
  function windowGrid(w) {
    if (!w) return null;
    const k = w[0], s = w[1], pad = w[2];
    return s[0] >= k[0] && s[1] >= k[1] ? {k: k, s: s, pad: pad} : null;
  }

  function gridLine(i, stride, pad) {
    return ((i + pad) % stride + stride) % stride === 0;
  }

  // A dy cell (n, c, i, j) of a pooling or conv output reads the input rows
  // i*stride - pad + dilation*a for a = 0 .. kernel - 1 (same for columns), clipped
  // to the input. w: [kernel, stride, padding] and, for a conv, dilation.
  function windowOf(i, j, w, height, width) {
    const k = w[0], s = w[1], pad = w[2], d = w[3] || [1, 1], cells = [];
    for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) {
      const u = i * s[0] - pad[0] + d[0] * a, v = j * s[1] - pad[1] + d[1] * b;
      if (u >= 0 && u < height && v >= 0 && v < width) cells.push([u, v]);
    }
    return cells;
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

  // -- a large tensor: heatmaps of a capped slice, images/channels picked -------------
  // Several tensors of the same layout (dy, the textbook result, the engine's result)
  // share one picker, so the same image and channel is shown side by side.
  function heatmaps(items, options) {
    options = options || {};
    const first = items[0].payload;
    const box = el("div");
    const pick = el("div", {className: "pick"});
    const nSel = el("select", {"aria-label": "image"});
    const cSel = el("select", {"aria-label": "channel"});
    for (let n = 0; n < first.slice[0]; n++) nSel.appendChild(el("option", {value: n, text: String(n)}));
    for (let c = 0; c < first.slice[1]; c++) cSel.appendChild(el("option", {value: c, text: String(c)}));
    if (first.slice[0] > 1 || first.view[0] > 1)
      pick.appendChild(el("label", {}, [document.createTextNode("image n "), nSel]));
    if (first.slice[1] > 1 || first.view[1] > 1)
      pick.appendChild(el("label", {}, [document.createTextNode("channel c "), cSel]));
    const capped = first.slice.some(function (n, i) { return n < first.view[i]; });
    if (capped) {
      pick.appendChild(el("span", {className: "note", text: "showing images 0-" + (first.slice[0] - 1) +
        " of " + first.view[0] + ", channels 0-" + (first.slice[1] - 1) + " of " + first.view[1] +
        (first.slice[2] < first.view[2] || first.slice[3] < first.view[3]
          ? ", the top-left " + first.slice[2] + "x" + first.slice[3] + " pixels" : "")}));
    }
    box.appendChild(pick);
    const row = el("div", {className: "row"});
    const hover = el("div", {className: "hover"});
    const canvases = items.map(function (item) {
      const canvas = el("canvas", {"data-tensor": item.name || item.caption});
      const fig = el("div", {className: "figure"}, [el("div", {className: "caption", text: item.caption}), canvas]);
      if (item.payload.stats) fig.appendChild(statsLine(item.payload));
      row.appendChild(fig);
      return canvas;
    });
    box.appendChild(row);
    box.appendChild(hover);
    // options.link: hovering a cell of an item marked `source` outlines the linked
    // cells of every item (those in the image and channel shown).
    const link = options.link;
    function draw() {
      const n = Number(nSel.value || 0), c = Number(cSel.value || 0);
      items.forEach(function (item, i) {
        const own = item.windows ? options : {};
        const cells = link && link.from ? link.cellsFor(item).filter(function (q) {
          return q[0] === n && q[1] === c;
        }).map(function (q) { return [q[2], q[3]]; }) : null;
        drawHeatmap(canvases[i], item.payload, n, c, own, hover, item.caption, cells,
                    item.source && link ? function (ij) { link.set(item, [n, c, ij[0], ij[1]]); } : null);
      });
    }
    if (link) link.redraws.push(draw);
    nSel.addEventListener("change", draw);
    cSel.addEventListener("change", draw);
    draw();
    return box;
  }

  function drawHeatmap(canvas, p, n, c, options, hover, caption, linked, onHover) {
    const S = p.slice, H = S[2], W = S[3];
    const cell = Math.max(2, Math.min(22, Math.floor(230 / Math.max(H, W))));
    canvas.width = W * cell; canvas.height = H * cell;
    const ctx = canvas.getContext("2d");
    const base = ((n * S[1]) + c) * H * W;
    let scale = 0;                       // over the whole slice, so pickers compare
    for (let k = 0; k < p.data.length; k++) if (p.data[k] !== null) scale = Math.max(scale, Math.abs(p.data[k]));
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        ctx.fillStyle = colour(p.data[base + i * W + j], -scale, scale);
        ctx.fillRect(j * cell, i * cell, cell, cell);
      }
    }
    if (options.window) {                // pooling windows: a grid every stride pixels
      const k = options.window[0], s = options.window[1], pad = options.window[2];
      ctx.strokeStyle = "rgba(73,80,87,0.45)"; ctx.lineWidth = 1;
      if (s[0] >= k[0] && s[1] >= k[1]) {
        for (let y = -pad[0]; y <= H; y += s[0]) { ctx.beginPath(); ctx.moveTo(0, y * cell + 0.5); ctx.lineTo(W * cell, y * cell + 0.5); ctx.stroke(); }
        for (let x = -pad[1]; x <= W; x += s[1]) { ctx.beginPath(); ctx.moveTo(x * cell + 0.5, 0); ctx.lineTo(x * cell + 0.5, H * cell); ctx.stroke(); }
      }
    }
    if (p.mask) {                        // max pooling: outline each window's argmax
      ctx.strokeStyle = "#2b8a3e"; ctx.lineWidth = Math.max(1, cell / 6);
      for (let i = 0; i < H; i++) for (let j = 0; j < W; j++)
        if (p.mask[base + i * W + j]) ctx.strokeRect(j * cell + 1, i * cell + 1, cell - 2, cell - 2);
    }
    if (linked) {                        // the cells linked to the hovered cell
      ctx.strokeStyle = "#f08c00"; ctx.lineWidth = 2;
      canvas.dataset.linked = JSON.stringify(linked);
      linked.forEach(function (uv) {
        if (uv[0] < H && uv[1] < W) ctx.strokeRect(uv[1] * cell + 1, uv[0] * cell + 1, cell - 2, cell - 2);
      });
    } else {
      delete canvas.dataset.linked;
    }
    canvas.onmousemove = function (e) {
      const r = canvas.getBoundingClientRect();
      const j = Math.floor((e.clientX - r.left) / cell), i = Math.floor((e.clientY - r.top) / cell);
      if (i >= 0 && i < H && j >= 0 && j < W) {
        hover.textContent = caption + " [" + n + ", " + c + ", " + i + ", " + j + "] = " + num(p.data[base + i * W + j]);
        if (onHover && (!canvas.dataset.at || canvas.dataset.at !== i + "," + j)) {
          canvas.dataset.at = i + "," + j;
          onHover([i, j]);
        }
      }
    };
  }

  function tensorView(p, name, caption) {
    if (!p) return el("div", {className: "note", text: "none: this input needs no gradient"});
    if (p.values) {
      return el("div", {}, [statsLine(p), valueTable(p, name)]);
    }
    return heatmaps([{payload: p, caption: caption || name}]);
  }

  // -- hover linking -------------------------------------------------------------------
  // A link joins the figures of one view: hovering a cell [n, c, i, j] of an item
  // marked `source` lights, on every item `to` of the view, the cells
  // cellsFor(fromItem, [n, c, i, j], to) returns, each [n, c, u, v] in that item's
  // (images, channels, rows, columns) layout.
  function makeLink(cellsFor) {
    const link = {from: null, cell: null, redraws: []};
    link.cellsFor = function (to) { return link.from ? cellsFor(link.from, link.cell, to) : []; };
    link.set = function (from, cell) {
      if (link.from === from && link.cell.join() === cell.join()) return;
      link.from = from; link.cell = cell;
      link.redraws.forEach(function (redraw) { redraw(); });
    };
    return link;
  }

  // An item's (images, channels, rows, columns): all of it, also when its heatmap is capped.
  function dims(p) { return p.values ? layout4d(p.shape) : p.view; }

  function range(start, count) {
    return Array.from({length: count}, function (_, i) { return start + i; });
  }

  // Pooling: a dy cell lights its window on the items marked `windows`.
  function windowLink(w) {
    return makeLink(function (from, cell, to) {
      if (!to.windows) return [];
      const D = dims(to.payload);
      return windowOf(cell[2], cell[3], w, D[2], D[3]).map(function (uv) {
        return [cell[0], cell[1], uv[0], uv[1]];
      });
    });
  }

  // A convolution (t: its teaching view). Items have a role: "dy", "padded" (the
  // padded, stride-dilated dy), "dx" (the input gradient), "x" (the input), "dW".
  //  dy[n, o, i, j] reaches dx[n, c, i*s - p + d*a, ...] for every tap (a, b) and every
  //    input channel c of o's group, and sits at padded[n, o, offset + i*s, ...];
  //  dx[n, c, u, v] is rot180(w) placed over padded[n, o, u + d*a, v + d*b] for the
  //    output channels o of c's group;
  //  dW[o, c, a, b] sums x[n, c', i*s - p + d*a, j*s - p + d*b] * dy[n, o, i, j] over
  //    n, i, j where that x is not padding (c': input channel c of o's group).
  function convLink(t, dy) {
    const k = t.geometry[0], s = t.geometry[1], p = t.geometry[2], d = t.geometry[3];
    const og = t.weight_shape[0] / t.groups, cg = t.weight_shape[1];
    return makeLink(function (from, cell, to) {
      const D = dims(to.payload), n = cell[0], out = [];
      if (from.role === "dy" && to.role === "dx") {
        const g = Math.floor(cell[1] / og);
        const taps = windowOf(cell[2], cell[3], t.geometry, D[2], D[3]);
        range(g * cg, cg).forEach(function (c) {
          taps.forEach(function (uv) { out.push([n, c, uv[0], uv[1]]); });
        });
      } else if (from.role === "dy" && to.role === "padded") {
        const u = t.offset[0] + cell[2] * s[0], v = t.offset[1] + cell[3] * s[1];
        if (u >= 0 && u < D[2] && v >= 0 && v < D[3]) out.push([n, cell[1], u, v]);
      } else if (from.role === "dx" && to.role === "padded") {
        const g = Math.floor(cell[1] / cg);
        range(g * og, og).forEach(function (o) {
          for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++)
            out.push([n, o, cell[2] + d[0] * a, cell[3] + d[1] * b]);
        });
      } else if (from.role === "dW" && (to.role === "x" || to.role === "dy")) {
        const o = cell[0], c = Math.floor(o / og) * cg + cell[1], a = cell[2], b = cell[3];
        const X = dims(t.x), Y = dims(dy);
        range(0, Y[0]).forEach(function (m) {
          for (let i = 0; i < Y[2]; i++) for (let j = 0; j < Y[3]; j++) {
            // A tap on the padding multiplies dy by 0: neither side contributes.
            const u = i * s[0] - p[0] + d[0] * a, v = j * s[1] - p[1] + d[1] * b;
            if (u >= 0 && u < X[2] && v >= 0 && v < X[3]) out.push(to.role === "dy" ? [m, o, i, j] : [m, c, u, v]);
          }
        });
      }
      return out;
    });
  }

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

  // Tables hold whole tensors, laid out (images, channels, rows, columns).
  function layout4d(shape) {
    const s = shape.slice();
    while (s.length < 4) s.unshift(1);
    const lead = s.slice(0, s.length - 3).reduce(function (a, b) { return a * b; }, 1);
    return [lead, s[s.length - 3], s[s.length - 2], s[s.length - 1]];
  }

  function linkTables(items, tables, link) {
    link.redraws.push(function () {
      items.forEach(function (it, ti) {
        const table = tables[ti];
        if (!table) return;
        table.querySelectorAll("td.source, td.linked").forEach(function (x) { x.classList.remove("source", "linked"); });
        const D = layout4d(it.payload.shape);
        function mark(q, cls) {
          const td = table.querySelector('td[data-index="' + (((q[0] * D[1] + q[1]) * D[2] + q[2]) * D[3] + q[3]) + '"]');
          if (td) td.classList.add(cls);
        }
        link.cellsFor(it).forEach(function (q) { mark(q, "linked"); });
        if (link.from === it) mark(link.cell, "source");
      });
    });
    items.forEach(function (src, si) {
      if (!src.source || !tables[si]) return;
      const S = layout4d(src.payload.shape);
      tables[si].addEventListener("mouseover", function (e) {
        const td = e.target.closest("td");
        if (!td) return;
        const k = Number(td.dataset.index);
        link.set(src, [Math.floor(k / (S[1] * S[2] * S[3])), Math.floor(k / (S[2] * S[3])) % S[1],
                       Math.floor(k / S[3]) % S[2], k % S[3]]);
      });
    });
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

  function highlight(i) {
    document.querySelectorAll("#graph g.node.current, #graph g.node.done").forEach(function (g) {
      g.classList.remove("current", "done");
    });
    for (let k = 0; k < i; k++) {
      const g = steps[k].svg && document.getElementById(steps[k].svg);
      if (g) g.classList.add("done");
    }
    const g = steps[i].svg && document.getElementById(steps[i].svg);
    if (g) {
      g.classList.remove("done");
      g.classList.add("current");
      g.scrollIntoView({block: "center", inline: "center"});
    }
  }

  function go(i) {
    if (!steps.length) return;
    current = Math.max(0, Math.min(steps.length - 1, i));
    counter.textContent = "step " + (current + 1) + " / " + steps.length;
    jump.value = String(current);
    highlight(current);
    showStep(current);
  }

  // -- zoom, pan and fit for the graph pane --------------------------------------------
  // The SVG keeps its viewBox; zooming sets its width and height (a multiple of its
  // natural size), so it stays sharp. Dragging the pane scrolls it.
  const graph = document.getElementById("graph");
  const svg = graph.querySelector("svg");
  let zoom = 1;
  const natural = svg ? {w: svg.viewBox.baseVal.width * 4 / 3, h: svg.viewBox.baseVal.height * 4 / 3} : null;
  function setZoom(z, keepCentre) {
    if (!svg) return;
    const cx = (graph.scrollLeft + graph.clientWidth / 2) / (natural.w * zoom);
    const cy = (graph.scrollTop + graph.clientHeight / 2) / (natural.h * zoom);
    zoom = Math.max(0.1, Math.min(8, z));
    svg.setAttribute("width", (natural.w * zoom).toFixed(1) + "px");
    svg.setAttribute("height", (natural.h * zoom).toFixed(1) + "px");
    graph.dataset.zoom = zoom.toFixed(3);
    if (keepCentre) {
      graph.scrollLeft = cx * natural.w * zoom - graph.clientWidth / 2;
      graph.scrollTop = cy * natural.h * zoom - graph.clientHeight / 2;
    }
  }
  function fit() {
    const pad = 40;            // the pane's padding and the zoom buttons' row
    setZoom(Math.min((graph.clientWidth - 16) / natural.w, (graph.clientHeight - pad) / natural.h), false);
    graph.scrollLeft = 0; graph.scrollTop = 0;
  }
  if (svg) {
    const bar = el("div", {className: "zoom"}, [
      el("button", {type: "button", id: "zoom-out", title: "zoom out (-)", text: "−"}),
      el("button", {type: "button", id: "zoom-in", title: "zoom in (+)", text: "+"}),
      el("button", {type: "button", id: "zoom-fit", title: "fit the graph in the pane (0)", text: "Fit"}),
      el("button", {type: "button", id: "zoom-one", title: "natural size (1)", text: "1:1"}),
      el("span", {className: "hint", text: "Ctrl+wheel zooms, drag to pan"})]);
    graph.insertBefore(bar, graph.firstChild);
    document.getElementById("zoom-in").addEventListener("click", function () { setZoom(zoom * 1.25, true); });
    document.getElementById("zoom-out").addEventListener("click", function () { setZoom(zoom / 1.25, true); });
    document.getElementById("zoom-fit").addEventListener("click", fit);
    document.getElementById("zoom-one").addEventListener("click", function () { setZoom(1, true); });
    graph.addEventListener("wheel", function (e) {
      if (!e.ctrlKey) return;            // a plain wheel scrolls, as everywhere
      e.preventDefault();
      setZoom(zoom * (e.deltaY < 0 ? 1.25 : 0.8), true);
    }, {passive: false});
    let drag = null;
    graph.addEventListener("mousedown", function (e) {
      delete graph.dataset.dragged;
      if (e.button !== 0 || e.target.closest(".zoom")) return;
      drag = {x: e.clientX, y: e.clientY, left: graph.scrollLeft, top: graph.scrollTop, moved: false};
    });
    window.addEventListener("mousemove", function (e) {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        graph.scrollLeft = drag.left - dx; graph.scrollTop = drag.top - dy;
        graph.classList.add("panning");
        e.preventDefault();
      }
    });
    window.addEventListener("mouseup", function () {
      if (drag && drag.moved) graph.dataset.dragged = "1";   // the click that follows is not a node click
      drag = null;
      graph.classList.remove("panning");
    });
    setZoom(1, false);
  }

  steps.forEach(function (s, i) {
    const primer = s.primer ? ", primer step " + s.primer.steps.join("-") : "";
    jump.appendChild(el("option", {value: String(i), text: (i + 1) + ". " + s.op + (s.module ? " (" + s.module + ")" : "") + primer}));
  });
  jump.addEventListener("change", function () { go(Number(jump.value)); });
  document.getElementById("prev").addEventListener("click", function () { go(current - 1); });
  document.getElementById("next").addEventListener("click", function () { go(current + 1); });
  document.addEventListener("keydown", function (e) {
    if (e.target && e.target.tagName === "SELECT") return;   // the select uses arrows itself
    if (e.key === "ArrowRight") { go(current + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { go(current - 1); e.preventDefault(); }
    if (e.key === "Home") { go(0); e.preventDefault(); }
    if (e.key === "End") { go(steps.length - 1); e.preventDefault(); }
    if (svg && (e.key === "+" || e.key === "=")) setZoom(zoom * 1.25, true);
    if (svg && e.key === "-") setZoom(zoom / 1.25, true);
    if (svg && e.key === "0") fit();
    if (svg && e.key === "1") setZoom(1, true);
  });
  document.querySelectorAll("#graph g.node").forEach(function (g) {
    g.addEventListener("click", function () {
      if (graph.dataset.dragged) { delete graph.dataset.dragged; return; }
      const own = stepsOf[g.id];
      if (own) go(own.indexOf(current) >= 0 ? own[(own.indexOf(current) + 1) % own.length] : own[0]);
      else showOther(g.id);
    });
  });
  go(0);
})();
