// Hover links between the figures of one view: which cells of each figure a hovered
// cell reads or reaches, for pooling and for a convolution, and their marks in tables.

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
