// A small tensor as a table of every value, and the pooling and convolution window
// geometry that tables, heatmaps and hover links share.

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
