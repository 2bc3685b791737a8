/* paper-lineage page script (inlined by graph/render.py after vis-network).
 * Reads the graph, column by column, from <script type="application/json" id="lineage-data">, draws it
 * with physics off, then sets window.network and window.__lineage = {nodes, edges, stable}.
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

  var items = new Array(n);
  for (var i = 0; i < n; i++) {
    items[i] = { id: D.id[i], x: D.x[i], y: D.y[i], size: D.size[i], color: D.color[i], title: tooltip(i) };
  }
  D.styles.forEach(function (t) { STYLES[t[1]](items[t[0]]); });
  D.labels.forEach(function (t) { items[t[0]].label = short(t[1], 40); });
  var m = D.from.length;
  var edgeItems = new Array(m);
  for (var j = 0; j < m; j++) { edgeItems[j] = { id: j, from: D.id[D.from[j]], to: D.id[D.to[j]] }; }

  var nodes = new vis.DataSet(items);
  var edges = new vis.DataSet(edgeItems);
  var network = new vis.Network(document.getElementById("mynetwork"), { nodes: nodes, edges: edges }, D.options);
  window.network = network;
  if (D.axis && D.axis.length) {
    /* time axis: year ticks over the columns, lineage names beside the bands (canvas text, not HTML) */
    network.on("beforeDrawing", function (ctx) {
      ctx.save();
      ctx.font = "16px sans-serif";
      ctx.fillStyle = "#6b7280";
      ctx.textAlign = "center";
      var last = -Infinity;
      D.axis.forEach(function (a) {
        if (a[0] - last < 60) { return; }
        ctx.fillText(a[1], a[0], D.axis_y);
        last = a[0];
      });
      ctx.textAlign = "left";
      ctx.font = "bold 18px sans-serif";
      D.bands.forEach(function (b) { ctx.fillText(short(b[1], 40), D.bands_x, b[0]); });
      ctx.restore();
    });
  }
  window.__lineage = { nodes: 0, edges: 0, stable: false };
  network.once("afterDrawing", function () {
    window.__lineage = { nodes: nodes.length, edges: edges.length, stable: true };
  });
  if (!D.explorer) { return; }

  /* ---- offline explorer: details panel + search ---- */
  var indexOf = {};
  for (var k = 0; k < n; k++) { indexOf[D.id[k]] = k; }
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
