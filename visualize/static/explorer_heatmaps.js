// A large tensor as canvas heatmaps of a capped slice, and the view that picks a
// table or heatmaps for one tensor.

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
