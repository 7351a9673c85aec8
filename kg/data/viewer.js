// The kg graph viewer: kg.visualize inlines this into each page, after the
// page's data (JSON in #kg-data) and vis-network. Text from articles goes into
// the DOM only as text (textContent, never parsed as markup).
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("kg-data").textContent);
  const NODES = DATA.nodes, EDGES = DATA.edges, ARTICLES = DATA.articles;
  const $ = (id) => document.getElementById(id);
  // The data leaves out empty lists and tooltips, and names nodes by number in
  // edges and in the start set; fill them in. Tooltips are strings: shown as text.
  for (const n of NODES) {
    n.kgAliases = n.kgAliases || [];
    n.kgRows = n.kgRows || [];
    n.title = n.label + "\n" + n.kgType + " · " + n.kgDegree + " relations";
  }
  for (const e of EDGES) {
    const from = NODES[e.from], to = NODES[e.to];
    e.from = from.id;
    e.to = to.id;
    const first = e.kgEvidence.find((pair) => pair[0] !== null);
    e.title = from.label + " " + e.label + " " + to.label + (first
      ? "\n“" + first[0].slice(0, 120) + (first[0].length > 120 ? "…" : "") + "”"
      : "");
  }
  const START = DATA.start === null ? null : DATA.start.map((i) => NODES[i].id);
  const byId = new Map(NODES.map((n) => [n.id, n]));
  const edgeById = new Map(EDGES.map((e) => [e.id, e]));
  const incident = new Map();
  for (const e of EDGES) {
    for (const end of e.from === e.to ? [e.from] : [e.from, e.to]) {
      if (!incident.has(end)) { incident.set(end, []); }
      incident.get(end).push(e);
    }
  }
  const DIM = "rgba(200,200,200,0.35)";
  const checked = (cls) => new Set(Array.from(
    document.querySelectorAll("input." + cls + ":checked"), (x) => x.value));
  const state = {
    shown: new Set(START === null ? NODES.map((n) => n.id) : START),
    types: checked("kg-type-filter"),
    preds: checked("kg-predicate-filter"),
    article: -1, from: "", to: "",
    colourBy: DATA.colourBy, centre: null, litEdges: null, selected: null,
  };

  // -- drawing --------------------------------------------------------------------
  function colourOf(n) {
    if (state.colourBy === "community") {
      return DATA.communityColours[n.kgCommunity % DATA.communityColours.length];
    }
    const style = DATA.styles[n.kgType];
    return style ? style[0] : DATA.otherColour;
  }
  function articlesOk(list) {
    if (state.article >= 0 && !list.includes(state.article)) { return false; }
    if (!state.from && !state.to) { return true; }
    let dated = false;
    for (const i of list) {
      const d = ARTICLES[i].d;
      if (!d) { continue; }
      dated = true;
      if ((!state.from || d >= state.from) && (!state.to || d <= state.to)) {
        return true;
      }
    }
    return !dated;
  }
  function nodeVisible(n) {
    return state.types.has(n.kgType) && articlesOk(n.kgArticles);
  }
  function edgeVisible(e) {
    return state.preds.has(e.kgPredicate) && articlesOk(e.kgArticles) &&
      nodeVisible(byId.get(e.from)) && nodeVisible(byId.get(e.to));
  }
  function lit(id) {
    return state.centre === null || state.centre.has(id);
  }
  function drawNode(n, pos) {
    const item = {};
    for (const key in n) { if (!key.startsWith("kg")) { item[key] = n[key]; } }
    item.hidden = !nodeVisible(n);
    item.color = lit(n.id) ? colourOf(n) : DIM;
    item.font = {color: lit(n.id) ? "#222" : "#bbb"};
    if (pos) { item.x = pos.x; item.y = pos.y; }
    return item;
  }
  function edgeLook(e) {
    const on = state.litEdges === null || state.litEdges.has(e.id);
    return {
      color: on ? {color: "#9a9a9a", highlight: "#333333"} : {color: DIM, highlight: DIM},
      font: {color: on ? "#555" : "rgba(0,0,0,0.12)"},
    };
  }
  function drawEdge(e) {
    const item = {};
    for (const key in e) { if (!key.startsWith("kg")) { item[key] = e[key]; } }
    item.hidden = !edgeVisible(e);
    return Object.assign(item, edgeLook(e));
  }
  function edgesAmong(ids) {
    const out = new Map();
    for (const id of ids) {
      for (const e of incident.get(id) || []) {
        if (state.shown.has(e.from) && state.shown.has(e.to)) { out.set(e.id, e); }
      }
    }
    return Array.from(out.values());
  }
  const nodes = new vis.DataSet(
    NODES.filter((n) => state.shown.has(n.id)).map((n) => drawNode(n)));
  const edges = new vis.DataSet(EDGES.filter(
    (e) => state.shown.has(e.from) && state.shown.has(e.to)).map(drawEdge));
  const network = new vis.Network(
    $("kg-network"), {nodes: nodes, edges: edges}, DATA.options);

  const api = {network: network, nodes: nodes, edges: edges, state: state, ready: false};
  window.kg = api;
  function markReady() {
    if (api.ready) { return; }
    network.setOptions({physics: false});
    api.readyAt = performance.now();
    api.ready = true;
    document.body.dataset.ready = "true";
    countShown();
  }
  network.once("stabilizationIterationsDone", markReady);
  network.once("stabilized", markReady);
  network.on("stabilizationProgress", (p) => {
    $("kg-shown").textContent =
      "laying out… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  if (nodes.length === 0) { markReady(); }

  function countShown() {
    const visible = nodes.get({filter: (x) => !x.hidden}).length;
    $("kg-shown").textContent = "showing " + visible + " of " + NODES.length + " nodes";
  }
  function recolour() {
    nodes.update(nodes.map((item) => {
      const n = byId.get(item.id);
      return {id: item.id, color: lit(n.id) ? colourOf(n) : DIM,
              font: {color: lit(n.id) ? "#222" : "#bbb"}};
    }));
    edges.update(edges.map((item) => Object.assign({id: item.id},
                                                   edgeLook(edgeById.get(item.id)))));
  }
  function applyFilters() {
    const nodeChanges = [], edgeChanges = [];
    nodes.forEach((item) => {
      const hide = !nodeVisible(byId.get(item.id));
      if (Boolean(item.hidden) !== hide) { nodeChanges.push({id: item.id, hidden: hide}); }
    });
    edges.forEach((item) => {
      const hide = !edgeVisible(edgeById.get(item.id));
      if (Boolean(item.hidden) !== hide) { edgeChanges.push({id: item.id, hidden: hide}); }
    });
    nodes.update(nodeChanges);
    edges.update(edgeChanges);
    if (state.selected !== null && nodes.get(state.selected) &&
        nodes.get(state.selected).hidden) {
      clearSelection();
    }
    countShown();
    if (!$("kg-map").hidden) { drawMap(); }
  }

  // -- bringing nodes in ----------------------------------------------------------
  function show(ids, near) {
    const fresh = ids.filter((id) => !state.shown.has(id) && byId.has(id));
    if (!fresh.length) { return 0; }
    let centre = null;
    if (near !== undefined && state.shown.has(near)) {
      centre = network.getPosition(near);
    } else {
      const anchor = (incident.get(fresh[0]) || [])
        .map((e) => (e.from === fresh[0] ? e.to : e.from))
        .find((id) => state.shown.has(id));
      centre = anchor !== undefined ? network.getPosition(anchor)
                                     : network.getViewPosition();
    }
    const radius = 90 + 14 * Math.sqrt(fresh.length) * 4;
    fresh.forEach((id) => state.shown.add(id));
    nodes.add(fresh.map((id, i) => {
      const angle = 2 * Math.PI * i / fresh.length + 0.3;
      return drawNode(byId.get(id), {x: centre.x + radius * Math.cos(angle),
                                     y: centre.y + radius * Math.sin(angle)});
    }));
    edges.add(edgesAmong(fresh).filter((e) => !edges.get(e.id)).map(drawEdge));
    countShown();
    return fresh.length;
  }
  function neighbours(id) {
    return Array.from(new Set((incident.get(id) || []).map(
      (e) => (e.from === id ? e.to : e.from))));
  }
  function expand(id) {
    const added = show(neighbours(id), id);
    if (state.selected === id) { select(id, false); }
    $("kg-search-status").textContent = added
      ? "+" + added + " neighbours of " + byId.get(id).label
      : "all neighbours of " + byId.get(id).label + " are shown";
    return added;
  }

  // -- selection and the side panel -----------------------------------------------
  const panel = $("kg-panel");
  function el(tag, cls, text) {
    const x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }
  function nodeLink(id) {
    const n = byId.get(id);
    const b = el("button", "kg-link", n ? n.label : id);
    b.type = "button";
    b.addEventListener("click", () => goTo(id));
    return b;
  }
  function articleLink(i) {
    if (i < 0) { return el("span", "kg-source", "no article"); }
    const a = ARTICLES[i];
    const b = el("button", "kg-link kg-source", (a.d ? a.d + " · " : "") + a.t);
    b.type = "button";
    b.title = "show only this article";
    b.addEventListener("click", () => {
      $("kg-article").value = String(i);
      state.article = i;
      applyFilters();
    });
    return b;
  }
  function evidenceItem(pair) {
    const li = el("li");
    li.appendChild(el("div", "kg-evidence",
                      pair[0] === null ? "(no evidence sentence)" : "“" + pair[0] + "”"));
    if (pair[2]) li.appendChild(el("div", "kg-note", "dated " + pair[2]));
    li.appendChild(articleLink(pair[1]));
    return li;
  }
  function hint() {
    panel.replaceChildren(el("p", "kg-note",
      "Click a node for its attributes, articles and evidence, or an edge for its " +
      "evidence. Double-click a node to bring in its neighbours."));
  }
  function showNode(id) {
    const n = byId.get(id);
    const style = DATA.styles[n.kgType];
    panel.replaceChildren();
    const head = el("h2");
    head.appendChild(el("span", "kg-glyph", style ? style[2] : "●")).style.color = colourOf(n);
    head.appendChild(document.createTextNode(n.label));
    panel.appendChild(head);
    const dl = el("dl");
    const row = (k, v) => { dl.appendChild(el("dt", null, k)); dl.appendChild(el("dd", null, v)); };
    row("type", n.kgType);
    if (n.kgAliases.length) { row("aliases", n.kgAliases.join("、")); }
    for (const pair of n.kgRows) { row(pair[0], pair[1]); }
    if (n.kgPlacedAt) {
      row("on the map at", byId.has(n.kgPlacedAt) ? byId.get(n.kgPlacedAt).label : n.kgPlacedAt);
    }
    row("community", n.kgCommunity + 1);
    row("relations", n.kgDegree);
    panel.appendChild(dl);
    const hidden = neighbours(id).filter((x) => !state.shown.has(x)).length;
    if (hidden) {
      const b = el("button", null, "Show " + hidden + " more neighbours");
      b.type = "button";
      b.id = "kg-expand";
      b.addEventListener("click", () => expand(id));
      panel.appendChild(b);
    }
    panel.appendChild(el("h3", null, "Articles (" + n.kgArticles.length + ")"));
    const arts = el("ul", "kg-articles");
    for (const i of n.kgArticles.slice(0, 30)) {
      arts.appendChild(el("li")).appendChild(articleLink(i));
    }
    if (n.kgArticles.length > 30) {
      arts.appendChild(el("li", "kg-note", "… " + (n.kgArticles.length - 30) + " more"));
    }
    panel.appendChild(arts);
    const rels = incident.get(id) || [];
    panel.appendChild(el("h3", null, "Relations (" + rels.length + ")"));
    const list = el("ul", "kg-relations");
    for (const e of rels.slice(0, 60)) {
      const li = el("li");
      const line = el("div");
      const out = e.from === id;
      line.appendChild(el("span", "kg-predicate", (out ? "→ " : "← ") + e.label + " "));
      line.appendChild(nodeLink(out ? e.to : e.from));
      li.appendChild(line);
      const ev = el("ul", "kg-evidence-list");
      e.kgEvidence.slice(0, 5).forEach((pair) => ev.appendChild(evidenceItem(pair)));
      li.appendChild(ev);
      list.appendChild(li);
    }
    if (rels.length > 60) { list.appendChild(el("li", "kg-note", "… " + (rels.length - 60) + " more")); }
    panel.appendChild(list);
  }
  function showEdge(eid) {
    const e = edgeById.get(eid);
    panel.replaceChildren();
    const head = el("h2");
    head.appendChild(nodeLink(e.from));
    head.appendChild(el("span", "kg-predicate", " " + e.label + " "));
    head.appendChild(nodeLink(e.to));
    panel.appendChild(head);
    panel.appendChild(el("h3", null, "Evidence (" + e.kgCount + ")"));
    const list = el("ul", "kg-evidence-list");
    e.kgEvidence.forEach((pair) => list.appendChild(evidenceItem(pair)));
    if (e.kgCount > e.kgEvidence.length) {
      list.appendChild(el("li", "kg-note", "… " + (e.kgCount - e.kgEvidence.length) + " more"));
    }
    panel.appendChild(list);
  }
  function select(id, move) {
    state.selected = id;
    state.centre = new Set([id].concat(neighbours(id)));
    state.litEdges = new Set((incident.get(id) || []).map((e) => e.id));
    recolour();
    network.selectNodes([id], false);
    if (move !== false) {
      network.focus(id, {scale: Math.max(network.getScale(), 1.0),
                         animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    }
    showNode(id);
  }
  function selectEdge(eid) {
    const e = edgeById.get(eid);
    state.selected = null;
    state.centre = new Set([e.from, e.to]);
    state.litEdges = new Set([eid]);
    recolour();
    network.setSelection({nodes: [], edges: [eid]}, {unselectAll: true, highlightEdges: false});
    showEdge(eid);
  }
  function clearSelection() {
    state.selected = null;
    if (state.centre !== null) { state.centre = state.litEdges = null; recolour(); }
    network.unselectAll();
    hint();
  }
  function goTo(id) {
    showTab("graph");
    show([id]);
    const n = byId.get(id);
    if (!nodeVisible(n)) {
      $("kg-search-status").textContent = n.label + " is hidden by the filters";
      return false;
    }
    select(id);
    return true;
  }
  network.on("click", (p) => {
    if (p.nodes.length) { select(p.nodes[0], false); }
    else if (p.edges.length) { selectEdge(p.edges[0]); }
    else { clearSelection(); }
  });
  network.on("doubleClick", (p) => { if (p.nodes.length) { expand(p.nodes[0]); } });

  // -- search ---------------------------------------------------------------------
  const norm = (t) => String(t).normalize("NFC").replace(/\s+/g, "").toLowerCase();
  const NAMES = NODES.map((n) => [n, norm(n.label), n.kgAliases.map(norm)]);
  function findNodes(query) {
    const q = norm(query);
    if (!q) { return []; }
    const tiers = [[], [], [], []];
    for (const [n, label, aliases] of NAMES) {
      if (label === q) { tiers[0].push(n); }
      else if (aliases.includes(q)) { tiers[1].push(n); }
      else if (label.includes(q)) { tiers[2].push(n); }
      else if (aliases.some((a) => a.includes(q))) { tiers[3].push(n); }
    }
    const rank = (a, b) => b.kgDegree - a.kgDegree || (a.id < b.id ? -1 : 1);
    return [].concat(...tiers.map((t) => t.sort(rank))).map((n) => n.id);
  }
  let last = {q: null, ids: [], k: 0};
  function search(query) {
    const q = norm(query);
    if (q && q === last.q && last.ids.length) {
      last.k = (last.k + 1) % last.ids.length;
    } else {
      last = {q: q, ids: findNodes(query), k: 0};
    }
    const status = $("kg-search-status");
    if (!last.ids.length) { status.textContent = q ? "no match" : ""; return null; }
    const id = last.ids[last.k];
    if (goTo(id)) {
      status.textContent = byId.get(id).label +
        (last.ids.length > 1 ? " (" + (last.k + 1) + " of " + last.ids.length + ")" : "");
    }
    return id;
  }
  $("kg-search").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("kg-search-input").value);
  });

  // -- filters and colours --------------------------------------------------------
  document.querySelectorAll("input.kg-type-filter, input.kg-predicate-filter")
    .forEach((box) => box.addEventListener("change", () => {
      state.types = checked("kg-type-filter");
      state.preds = checked("kg-predicate-filter");
      applyFilters();
    }));
  $("kg-article").addEventListener("change", (ev) => {
    state.article = Number(ev.target.value);
    applyFilters();
  });
  for (const [key, id] of [["from", "kg-date-from"], ["to", "kg-date-to"]]) {
    if ($(id)) {
      $(id).addEventListener("change", (ev) => { state[key] = ev.target.value; applyFilters(); });
    }
  }
  $("kg-reset").addEventListener("click", () => {
    document.querySelectorAll("input.kg-type-filter, input.kg-predicate-filter")
      .forEach((box) => { box.checked = true; });
    state.types = checked("kg-type-filter");
    state.preds = checked("kg-predicate-filter");
    $("kg-article").value = "-1";
    state.article = -1;
    for (const id of ["kg-date-from", "kg-date-to"]) { if ($(id)) { $(id).value = ""; } }
    state.from = state.to = "";
    applyFilters();
  });
  document.querySelectorAll('input[name="kg-colour"]').forEach((radio) => {
    radio.checked = radio.value === state.colourBy;
    radio.addEventListener("change", () => {
      state.colourBy = radio.value;
      $("kg-communities").hidden = state.colourBy !== "community";
      recolour();
      if (!$("kg-map").hidden) { drawMap(); }
    });
  });
  $("kg-communities").hidden = state.colourBy !== "community";

  // -- the map --------------------------------------------------------------------
  const SVG = "http://www.w3.org/2000/svg";
  const MAPPED = NODES.filter((n) => typeof n.kgLat === "number");
  function svg(tag, attrs, text) {
    const x = document.createElementNS(SVG, tag);
    for (const k in attrs) { x.setAttribute(k, attrs[k]); }
    if (text !== undefined) { x.textContent = text; }
    return x;
  }
  function niceStep(span) {
    for (const s of [0.1, 0.2, 0.5, 1, 2, 5, 10, 20]) { if (span / s <= 8) { return s; } }
    return 30;
  }
  function drawMap() {
    const box = $("kg-map");
    const W = box.clientWidth || 800, H = box.clientHeight || 600, pad = 40;
    const points = MAPPED.filter(nodeVisible);
    if (!points.length) {
      box.replaceChildren(el("p", "kg-note",
        MAPPED.length ? "The filters hide every place with coordinates."
                      : "No region or project in this graph has coordinates."));
      return;
    }
    let [x0, x1, y0, y1] = [180, -180, 90, -90];
    for (const n of points) {
      x0 = Math.min(x0, n.kgLon); x1 = Math.max(x1, n.kgLon);
      y0 = Math.min(y0, n.kgLat); y1 = Math.max(y1, n.kgLat);
    }
    const grow = (lo, hi) => { const m = Math.max(0.5 - (hi - lo) / 2, 0); return [lo - m, hi + m]; };
    [x0, x1] = grow(x0, x1); [y0, y1] = grow(y0, y1);
    const k = Math.cos((y0 + y1) / 2 * Math.PI / 180);
    const scale = Math.min((W - 2 * pad) / ((x1 - x0) * k), (H - 2 * pad) / (y1 - y0));
    const ox = (W - (x1 - x0) * k * scale) / 2, oy = (H - (y1 - y0) * scale) / 2;
    const px = (lon) => ox + (lon - x0) * k * scale;
    const py = (lat) => oy + (y1 - lat) * scale;
    const root = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img",
                             "aria-label": "map of regions and projects"});
    const layer = svg("g", {});
    root.appendChild(layer);
    // the graticule covers the whole panel (and more, for panning)
    const lonAt = (x) => x0 + (x - ox) / (k * scale);
    const latAt = (y) => y1 - (y - oy) / scale;
    const [gx0, gx1, gy0, gy1] = [lonAt(-W), lonAt(2 * W), latAt(2 * H), latAt(-H)];
    const step = niceStep(Math.max(lonAt(W) - lonAt(0), latAt(0) - latAt(H)));
    const fmt = (v) => String(Math.round(v * 10) / 10);
    for (let lon = Math.ceil(gx0 / step) * step; lon <= gx1; lon += step) {
      const x = px(lon);
      layer.appendChild(svg("line",
        {class: "kg-grid", x1: x, x2: x, y1: py(gy0), y2: py(gy1)}));
      layer.appendChild(svg("text",
        {class: "kg-grid-label", x: x + 2, y: H - 4}, fmt(lon) + "°E"));
    }
    for (let lat = Math.ceil(gy0 / step) * step; lat <= gy1; lat += step) {
      const y = py(lat);
      layer.appendChild(svg("line",
        {class: "kg-grid", x1: px(gx0), x2: px(gx1), y1: y, y2: y}));
      layer.appendChild(svg("text",
        {class: "kg-grid-label", x: 4, y: y - 3}, fmt(lat) + "°N"));
    }
    // places that share coordinates are spread on a small spiral
    const seen = new Map(), where = new Map();
    for (const n of points.slice().sort((a, b) => b.kgDegree - a.kgDegree || (a.id < b.id ? -1 : 1))) {
      const key = n.kgLon + "," + n.kgLat;
      const i = seen.get(key) || 0;
      seen.set(key, i + 1);
      const r = i ? 7 * Math.sqrt(i) : 0, a = i * 2.4;
      where.set(n.id, [px(n.kgLon) + r * Math.cos(a), py(n.kgLat) + r * Math.sin(a)]);
    }
    for (const e of EDGES) {
      if (where.has(e.from) && where.has(e.to) && edgeVisible(e)) {
        const [ax, ay] = where.get(e.from), [bx, by] = where.get(e.to);
        layer.appendChild(svg("line", {class: "kg-map-edge", x1: ax, y1: ay, x2: bx, y2: by}));
      }
    }
    const ranked = points.slice().sort((a, b) => b.kgDegree - a.kgDegree || (a.id < b.id ? -1 : 1));
    for (const n of ranked.slice().reverse()) {
      const [x, y] = where.get(n.id);
      const r = Math.min(3 + 1.5 * Math.sqrt(n.kgDegree), 14);
      const shape = n.kgType === "Project"
        ? svg("polygon", {points: [x, y - r, x + r, y, x, y + r, x - r, y].join(" ")})
        : svg("circle", {cx: x, cy: y, r: r});
      shape.setAttribute("class", "kg-point");
      shape.setAttribute("fill", colourOf(n));
      shape.dataset.id = n.id;
      shape.appendChild(svg("title", {}, n.label + " · " + n.kgType +
        (n.kgPlacedAt && byId.has(n.kgPlacedAt) ? " (at " + byId.get(n.kgPlacedAt).label + ")" : "")));
      shape.addEventListener("click", () => goTo(n.id));
      layer.appendChild(shape);
    }
    // labels for the best-connected places, skipping any that would overlap
    const boxes = [];
    for (const n of ranked.slice(0, 80)) {
      const [x, y] = where.get(n.id);
      const box = [x + 5, y - 17, x + 7 + 11 * Math.min(n.label.length, 16), y - 4];
      if (boxes.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) {
        continue;
      }
      boxes.push(box);
      layer.appendChild(svg("text", {class: "kg-map-label", x: x + 6, y: y - 6}, n.label));
    }
    // wheel zooms, drag pans: both just move the layer
    let view = {x: 0, y: 0, s: 1}, drag = null;
    const apply = () => layer.setAttribute("transform",
      "translate(" + view.x + " " + view.y + ") scale(" + view.s + ")");
    root.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const f = ev.deltaY < 0 ? 1.2 : 1 / 1.2;
      const rect = root.getBoundingClientRect();
      const mx = (ev.clientX - rect.left) * W / rect.width, my = (ev.clientY - rect.top) * H / rect.height;
      view = {x: mx - (mx - view.x) * f, y: my - (my - view.y) * f, s: view.s * f};
      apply();
    }, {passive: false});
    root.addEventListener("pointerdown", (ev) => { drag = [ev.clientX, ev.clientY, view.x, view.y]; });
    root.addEventListener("pointermove", (ev) => {
      if (!drag) { return; }
      view.x = drag[2] + ev.clientX - drag[0];
      view.y = drag[3] + ev.clientY - drag[1];
      apply();
    });
    root.addEventListener("pointerup", () => { drag = null; });
    root.addEventListener("pointerleave", () => { drag = null; });
    const note = el("p", "kg-note", points.length + " places with coordinates (" +
                    MAPPED.length + " in the graph); wheel to zoom, drag to pan.");
    note.style.cssText = "position:absolute;right:1em;top:0.3em;margin:0";
    box.replaceChildren(root, note);
  }
  function showTab(name) {
    for (const tab of document.querySelectorAll(".kg-tabs button")) {
      tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
    }
    $("kg-map").hidden = name !== "map";
    if (name === "map") { drawMap(); }
  }
  document.querySelectorAll(".kg-tabs button").forEach(
    (tab) => tab.addEventListener("click", () => showTab(tab.dataset.tab)));

  hint();
  Object.assign(api, {
    search: search, findNodes: findNodes, select: goTo, expand: expand,
    selectEdge: selectEdge, clearSelection: clearSelection, showTab: showTab,
  });
})();
