// Stepping: the current step's graph highlight, zoom and pan of the graph pane, the
// buttons, keys and node clicks; shows the first step.

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
