/* paper-lineage page script (inlined by graph/present/render.py after vis-network).
 * Reads the graph, column by column, from <script type="application/json" id="lineage-data">, draws it
 * with physics off, fits the laid-out region (D.view) to the canvas, then sets window.network and
 * window.__lineage = {network (not enumerable), seeds, mode, view, years, zone, nodes, edges, stable}.
 * In the lineage view (D.mode === "lineage") every paper is labelled, shapes and edge styles follow the
 * view roles and chain verdicts, and a click highlights the paper's ancestors and descendants.
 * Tooltips are plain-text strings (vis-network 9.1.2 shows them with innerText); the details panel is
 * built with textContent and DOM properties. Nothing from the data is ever parsed as HTML. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("lineage-data").textContent);
  var n = D.id.length;
  var STYLES = {
    "seed": function (o) {
      o.shape = "star"; o.borderWidth = 3; o.size = Math.max(o.size, 14);
      o.color = { background: o.color.background || o.color, border: "#111111" };
    },
    "missing-ancestor": function (o) {
      o.shape = "diamond"; o.borderWidth = 3; o.shapeProperties = { borderDashes: [5, 4] };
      o.color = { background: o.color.background || o.color, border: "#d00000" };
    },
    "frontier": function (o) {
      o.shape = "triangle"; o.borderWidth = 3;
      o.color = { background: o.color.background || o.color, border: "#00a000" };
    },
    "focus": function (o) {
      o.borderWidth = 6; o.size = Math.max(o.size, 14) * 1.4;
      o.color = { background: o.color.background || o.color, border: "#ff00c8" };
    }
  };

  function str(v) { return v === null || v === undefined ? "" : String(v); }
  function short(s, k) {
    s = str(s).replace(/\s+/g, " ").trim();
    return s.length <= k ? s : s.slice(0, k - 1) + "\u2026";
  }
  function authorList(a, limit) {
    if (!a) { return ""; }
    if (!Array.isArray(a)) { a = [a]; }
    a = a.map(str);
    if (limit && a.length > limit) { return a.slice(0, limit).join(", ") + " et al."; }
    return a.join(", ");
  }
  function lineageList(l) {
    if (!l || typeof l !== "object") { return []; }
    return Object.keys(l).map(function (k) { return [k, Number(l[k]) || 0]; })
      .sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
  }
  function tooltip(i) {
    var lines = [short(D.title[i], 160) || D.id[i]];
    var au = authorList(D.authors[i], 3);
    if (au) { lines.push(short(au, 160)); }
    var where = [str(D.venue[i]), str(D.year[i])].filter(Boolean).join(" \u00b7 ");
    if (where) { lines.push(short(where, 120)); }
    var extra = [];
    if (D.role[i]) { extra.push("role: " + str(D.role[i])); }
    if (D.alias[i]) { extra.push("seed: " + str(D.alias[i])); }
    if (typeof D.citations[i] === "number") { extra.push(D.citations[i] + " citations"); }
    if (extra.length) { lines.push(extra.join(" \u00b7 ")); }
    var lin = lineageList(D.lineages[i]);
    if (lin.length) {
      lines.push("lineages: " + lin.slice(0, 4).map(function (t) { return t[0] + " (" + t[1].toFixed(2) + ")"; })
        .join(", "));
    }
    var snip = D.snippet ? D.snippet[i] : (str(D.tldr[i]) || str(D.abstract[i]));
    if (snip) { lines.push(short(snip, 240)); }
    lines.push(D.id[i]);
    return lines.join("\n");
  }

  var lineageMode = D.mode === "lineage";
  var items = new Array(n);
  for (var i = 0; i < n; i++) {
    items[i] = { id: D.id[i], x: D.x[i], y: D.y[i], size: D.size[i], color: D.color[i], title: tooltip(i) };
    if (lineageMode) {
      items[i].shape = D.shape[i];
      items[i].color = { background: D.color[i], border: D.border[i],
        highlight: { background: D.color[i], border: "#000000" }, hover: { background: D.color[i], border: "#000000" } };
    }
  }
  D.styles.forEach(function (t) { STYLES[t[1]](items[t[0]]); });
  D.labels.forEach(function (t) { items[t[0]].label = lineageMode ? str(t[1]) : short(t[1], 40); });
  var allIds = D.id.slice();
  (D.markers || []).forEach(function (mk) {
    allIds.push(mk[0]);
    items.push({ id: mk[0], x: mk[1], y: mk[2], shape: "text", label: mk[3], title: mk[4],
      font: { size: D.font.size - 1, face: D.font.face, color: "#5f6b6d", strokeWidth: 3, strokeColor: "#ffffff" } });
  });
  var m = D.from.length;
  var edgeItems = new Array(m);
  for (var j = 0; j < m; j++) {
    var e = { id: j, from: allIds[D.from[j]], to: allIds[D.to[j]] };
    if (D.ekind) {
      var kind = D.ekind[j];
      var st = D.estyle[kind === "none-in" ? "none" : kind] || D.estyle.cite;
      e.color = { color: st.color, highlight: st.color, hover: st.color, opacity: kind === "cite" ? 0.6 : 1 };
      e.width = st.width;
      if (st.dashes) { e.dashes = st.dashes; }
      if (kind === "none-in") { e.arrows = { to: { enabled: false } }; }
      if (kind !== "cite" && kind !== "main") { e.smooth = { enabled: true, type: "curvedCW", roundness: 0.12 }; }
      if (D.etitle[j]) { e.title = D.etitle[j]; }
    }
    edgeItems[j] = e;
  }

  var nodes = new vis.DataSet(items);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, D.options);
  window.network = network;
  function fitView() {
    /* the laid-out region, whole, in the canvas: the lineage layout guarantees no overlaps at this zoom */
    var v = D.view;
    var w = container.clientWidth, h = container.clientHeight;
    if (!v || !w || !h) { return; }
    var scale = Math.min(w / (v.x1 - v.x0), h / (v.y1 - v.y0)) * (lineageMode ? 1 : 0.97);
    network.moveTo({ position: { x: (v.x0 + v.x1) / 2, y: (v.y0 + v.y1) / 2 }, scale: scale, animation: false });
  }
  fitView();
  if (!lineageMode && D.labels.length) {
    /* the full view labels only its top papers: at a size readable at the initial zoom */
    nodes.update(D.labels.map(function (t) { return { id: D.id[t[0]], font: { size: D.label_px } }; }));
  }
  if (lineageMode) {
    /* year bands (ticks centred over each year's band), the compressed zone and its axis break */
    network.on("beforeDrawing", function (ctx) {
      var v = D.view, fs = D.font.size, yTop = D.axis_top;
      ctx.save();
      ctx.textAlign = "center";
      ctx.textBaseline = "alphabetic";
      ctx.font = "bold " + fs + "px " + D.font.face;
      var lastLabel = -Infinity;
      D.years.forEach(function (b, k) {
        if (k % 2 === 0) { ctx.fillStyle = "#f3f4f6"; ctx.fillRect(b[0], yTop - 6, b[1] - b[0], v.y1 - yTop); }
        var cx = (b[0] + b[1]) / 2;
        var tw = ctx.measureText(b[2]).width;
        if (cx - tw / 2 > lastLabel + 6) {
          ctx.fillStyle = "#4b5563";
          ctx.fillText(b[2], cx, yTop - 14);
          ctx.fillRect(cx - 0.5, yTop - 10, 1, 5);
          lastLabel = cx + tw / 2;
        }
      });
      if (D.zone) {
        var z = D.zone;
        ctx.fillStyle = "#eef2f7";
        ctx.fillRect(z[0], yTop - 6, z[1] - z[0], v.y1 - yTop);
        ctx.strokeStyle = "#c8ced8";
        ctx.lineWidth = 1;
        for (var hx = z[0] - (v.y1 - yTop); hx < z[1]; hx += 14) {
          ctx.beginPath();
          ctx.moveTo(Math.max(hx, z[0]), yTop - 6 + Math.max(0, z[0] - hx));
          ctx.lineTo(Math.min(hx + (v.y1 - yTop), z[1]), yTop - 6 + Math.min(v.y1 - yTop, z[1] - hx));
          ctx.stroke();
        }
        ctx.fillStyle = "#4b5563";
        ctx.font = (fs - 1) + "px " + D.font.face;
        ctx.fillText(short(z[2], 24), (z[0] + z[1]) / 2, yTop - 22);
        ctx.fillText("compressed", (z[0] + z[1]) / 2, yTop - 9);
        /* axis break: two zigzags between the zone and the linear years */
        ctx.strokeStyle = "#6b7280";
        ctx.lineWidth = 1.5;
        [z[1] + 10, z[1] + 17].forEach(function (bx) {
          ctx.beginPath();
          for (var yy = yTop - 6, s = 0; yy <= v.y1; yy += 10, s++) {
            var xx = bx + (s % 2 ? 4 : -4);
            if (s === 0) { ctx.moveTo(xx, yy); } else { ctx.lineTo(xx, yy); }
          }
          ctx.stroke();
        });
      }
      ctx.restore();
    });
  }
  if (D.axis && D.axis.length) {
    /* time axis: year ticks over the columns, lineage names beside the bands (canvas text, not HTML) */
    network.on("beforeDrawing", function (ctx) {
      var k = 1 / Math.min(1, network.getScale());  /* axis text keeps a readable size when zoomed out */
      ctx.save();
      ctx.font = (15 * k) + "px sans-serif";
      ctx.fillStyle = "#4b5563";
      ctx.textAlign = "center";
      var last = -Infinity;
      D.axis.forEach(function (a) {
        if (a[0] - last < 48 * k) { return; }
        ctx.fillText(a[1], a[0], D.axis_y + 60 - 28 * k);
        last = a[0];
      });
      if (D.axis_break) {
        /* the axis break: older years left of it are compressed, one column each */
        var bx = D.axis_break[0], yb = D.view ? D.view.y1 : D.axis_y + 2000;
        ctx.strokeStyle = "#9ca3af";
        ctx.lineWidth = 2 * k;
        [bx - 4 * k, bx + 4 * k].forEach(function (x0) {
          ctx.beginPath();
          for (var yy = D.axis_y + 60 - 20 * k, s = 0; yy <= yb; yy += 16 * k, s++) {
            var xx = x0 + (s % 2 ? 5 : -5) * k;
            if (s === 0) { ctx.moveTo(xx, yy); } else { ctx.lineTo(xx, yy); }
          }
          ctx.stroke();
        });
        ctx.font = (13 * k) + "px sans-serif";
        ctx.fillText(D.axis_break[1], bx, D.axis_y + 60 - 46 * k);
      }
      ctx.textAlign = "left";
      ctx.font = "bold " + (15 * k) + "px sans-serif";
      D.bands.forEach(function (b) { ctx.fillText(short(b[1], 40), D.bands_x, b[0] + 28 - 10 * k); });
      ctx.restore();
    });
  }
  /* enumerable: what JSON-serialising window.__lineage has always given; the rest is read by name
     (window.__lineage.network, .seeds, ...) and kept out of serialisation (the network is a huge cyclic object) */
  var state = window.__lineage = { nodes: 0, edges: 0, stable: false };
  var extra = {
    network: network, seeds: (D.seeds || []).slice(), mode: D.mode || "graph", view: D.view,
    years: D.years || null, zone: D.zone || null, markers: (D.markers || []).map(function (mk) { return mk[0]; }),
    font: D.font || null
  };
  Object.keys(extra).forEach(function (key) {
    Object.defineProperty(state, key, { value: extra[key], enumerable: false });
  });
  network.once("afterDrawing", function () {
    state.nodes = n;
    state.edges = edges.length;
    state.stable = true;
  });

  var indexOf = {};
  for (var k = 0; k < n; k++) { indexOf[D.id[k]] = k; }
  if (D.reach) {
    /* click: the paper, its ancestors and its descendants in the view stay; the rest fades */
    var faded = false;
    network.on("click", function (params) {
      var i = params.nodes.length ? indexOf[params.nodes[0]] : undefined;
      if (i === undefined) {
        if (!faded) { return; }
        nodes.update(D.id.map(function (id) { return { id: id, opacity: 1 }; }));
        edges.update(edgeItems.map(function (e) { return { id: e.id, hidden: false }; }));
        faded = false;
        return;
      }
      var keep = {};
      keep[D.id[i]] = true;
      D.reach[i].forEach(function (r) { keep[D.id[r]] = true; });
      nodes.update(D.id.map(function (id) { return { id: id, opacity: keep[id] ? 1 : 0.15 }; }));
      edges.update(edgeItems.map(function (e) {
        return { id: e.id, hidden: !(keep[e.from] && keep[e.to]) };
      }));
      faded = true;
    });
  }
  if (!D.explorer) { return; }

  /* ---- offline explorer: details panel + search ---- */
  var details = document.getElementById("details");
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function showDetails(id) {
    var i = indexOf[id];
    if (i === undefined) { return; }
    details.replaceChildren();
    details.appendChild(el("h2", str(D.title[i]) || id));
    var au = authorList(D.authors[i]);
    if (au) { details.appendChild(el("p", au, "authors")); }
    var dl = el("dl");
    function row(label, value) {
      if (value === null || value === undefined || value === "") { return; }
      dl.appendChild(el("dt", label));
      dl.appendChild(el("dd", value));
    }
    row("Year", D.year[i]);
    row("Venue", D.venue[i]);
    row("Role", str(D.role[i]) + (D.marks[i] ? " (" + D.marks[i] + ")" : ""));
    row("Seed alias", D.alias[i]);
    row("Kind", D.kind[i]);
    row("Citations", D.citations[i]);
    row("Lineages", lineageList(D.lineages[i]).map(function (t) { return t[0] + " " + t[1].toFixed(2); })
      .join("; "));
    row("Key", id);
    row("arXiv", D.arxiv_id[i]);
    row("DOI", D.doi[i]);
    row("S2", D.s2_id[i]);
    details.appendChild(dl);
    var links = D.links[i] || [];
    if (links.length) {
      var p = el("p", null, "links");
      links.forEach(function (l) {
        if (!/^https?:\/\/[^\s]+$/.test(l[1])) { return; }  // defence in depth: validated in Python
        var a = el("a", l[0]);
        a.href = l[1];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        p.appendChild(a);
      });
      details.appendChild(p);
    }
    if (D.tldr[i]) { details.appendChild(el("p", "TL;DR: " + str(D.tldr[i]), "tldr")); }
    if (D.abstract[i]) { details.appendChild(el("p", str(D.abstract[i]), "abstract")); }
  }
  window.lineageShowDetails = showDetails;
  if (lineageMode && D.seeds && D.seeds.length) { showDetails(D.seeds[0]); }
  network.on("click", function (params) {
    if (params.nodes.length) { showDetails(params.nodes[0]); }
  });

  var haystack = new Array(n);
  for (var h = 0; h < n; h++) {
    haystack[h] = [D.title[h], D.alias[h], D.id[h], D.arxiv_id[h], D.doi[h]].map(str).join("\n").toLowerCase();
  }
  var search = document.getElementById("search");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");

  function focusNode(id, selection) {
    network.selectNodes(selection || [id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    showDetails(id);
  }
  window.lineageFocus = focusNode;

  function runSearch() {
    var q = search.value.trim().toLowerCase();
    results.replaceChildren();
    results.style.display = "none";
    if (!q) { status.textContent = ""; network.unselectAll(); return; }
    var hits = [];
    for (var k = 0; k < n; k++) { if (haystack[k].indexOf(q) !== -1) { hits.push(D.id[k]); } }
    status.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    if (!hits.length) { network.unselectAll(); return; }
    focusNode(hits[0], hits.slice(0, 2000));
    if (hits.length > 1) {
      hits.slice(0, 50).forEach(function (id) {
        var b = el("button", str(D.title[indexOf[id]]) || id);
        b.type = "button";
        b.addEventListener("click", function () { results.style.display = "none"; focusNode(id); });
        results.appendChild(b);
      });
      results.style.display = "block";
    }
  }
  var timer = null;
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(runSearch, 150); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { clearTimeout(timer); runSearch(); }
    if (ev.key === "Escape") { results.style.display = "none"; }
  });
})();
