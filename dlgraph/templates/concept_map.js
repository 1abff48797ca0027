// dlgraph concept map: legend and filters, search, concept cards, path and prerequisite highlighting.
// Every piece of card text reaches the page through textContent or a text node, never parsed as
// markup, so a card holding HTML shows it as text.
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("dlgraph-data").textContent);
  const cards = DATA.cards;
  const baseNodes = new Map(DATA.nodes.map((n) => [n.id, n]));
  const baseEdges = new Map(DATA.edges.map((e) => [e.id, e]));
  const topicInfo = new Map(DATA.legend.topics.map((t) => [t.id, t]));
  const typeInfo = new Map(DATA.legend.types.map((t) => [t.id, t]));
  const lineageTypes = new Set(DATA.lineage);
  const $ = (id) => document.getElementById(id);
  const statusLine = $("status");

  // --- small DOM helpers (text only) ------------------------------------------------------------

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  function say(text) {
    statusLine.textContent = text || "";
  }

  // --- names: the same normalisation as dlgraph.names.normalize ------------------------------------

  const normalize = (text) => String(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  const byLabel = new Map();
  const nameOf = (id) => (cards[id] ? cards[id].name : DATA.prereq.names[id] || id);
  const sortKey = (id) => [nameOf(id).toLowerCase(), id];
  const byKey = (a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
  };
  const minByKey = (ids) => ids.reduce((best, id) => (best === null || byKey(id, best) < 0 ? id : best), null);

  function index(label, id, primary) {
    const key = normalize(label);
    if (!key) return;
    const owners = byLabel.get(key) || [];
    if (!owners.some((o) => o.id === id)) owners.push({ id, primary });
    byLabel.set(key, owners);
  }

  const datalist = $("concept-names");
  for (const id of Object.keys(cards).sort(byKey)) {
    const c = cards[id];
    index(id, id, false);
    index(c.name, id, true);
    datalist.appendChild(el("option")).value = c.name;
    for (const alias of c.aliases) {
      index(alias, id, false);
      const option = datalist.appendChild(el("option"));
      option.value = alias;
      option.label = alias + " (" + c.name + ")";
    }
  }

  // The concept a typed text names: exact id, name or alias (a name beats an alias), else the first
  // name that starts with it. Returns null when nothing fits.
  function lookup(text) {
    if (Object.prototype.hasOwnProperty.call(cards, text)) return text;
    const key = normalize(text);
    if (!key) return null;
    const owners = byLabel.get(key);
    if (owners) {
      const primary = owners.filter((o) => o.primary);
      return (primary.length ? primary[0] : owners[0]).id;
    }
    const starts = Object.keys(cards).filter((id) => normalize(cards[id].name).startsWith(key));
    return starts.length ? minByKey(starts) : null;
  }

  // --- the network ----------------------------------------------------------------------------------

  // With --progress: how well a concept is known, as text. The numbers come from dlgraph (FSRS).
  function masteryText(id) {
    if (!DATA.mastery) return null;
    const recall = DATA.mastery[id];
    return recall === undefined ? "never reviewed" : "recall " + Math.round(recall * 100) + "%";
  }

  function nodeTooltip(id) {
    const c = cards[id];
    const box = el("div");
    box.appendChild(el("div", c.name, "tip-name"));
    const topic = topicInfo.get(c.topic);
    box.appendChild(el("div", (topic ? topic.label : c.topic) + " · " + c.kind, "tip-meta"));
    if (masteryText(id)) box.appendChild(el("div", masteryText(id), "tip-meta"));
    if (c.definition) box.appendChild(el("div", c.definition));
    return box;
  }

  function edgeTooltip(edge) {
    const box = el("div");
    const type = typeInfo.get(edge.type);
    box.appendChild(el("div", nameOf(edge.from) + " " + type.label + " " + nameOf(edge.to), "tip-name"));
    box.appendChild(el("div", edge.type + " · " + edge.family, "tip-meta"));
    if (edge.evidence) box.appendChild(el("div", "“" + edge.evidence + "”", "tip-evidence"));
    return box;
  }

  const nodes = new vis.DataSet(
    DATA.nodes.map((n) => Object.assign({}, n, { title: nodeTooltip(n.id), dlHighlight: null })),
  );
  const edges = new vis.DataSet(
    DATA.edges.map((e) =>
      Object.assign({}, e, {
        title: edgeTooltip(e),
        label: DATA.edgeLabels ? typeInfo.get(e.type).label : undefined,
        dlHighlight: null,
      }),
    ),
  );
  const network = new vis.Network($("map"), { nodes, edges }, DATA.options);

  const state = { ready: false, selected: null, highlight: null, hiddenTopics: new Set(), hiddenTypes: new Set() };

  function darker(hex) {
    const n = parseInt(hex.slice(1), 16);
    const part = (shift) => Math.round(((n >> shift) & 255) * 0.75);
    return "rgb(" + part(16) + "," + part(8) + "," + part(0) + ")";
  }

  // Topic clusters get their name drawn above them, big enough to read when the whole map is in view.
  const clusters = !DATA.clustered
    ? []
    : DATA.legend.topics.map((t) => {
        const members = DATA.nodes.filter((n) => n.topic === t.id);
        const xs = members.map((n) => n.x);
        return {
          id: t.id,
          label: t.label,
          colour: t.colour,
          x: (Math.min(...xs) + Math.max(...xs)) / 2,
          y: Math.min(...members.map((n) => n.y - n.size)) - 16,
        };
      });
  network.on("beforeDrawing", (ctx) => {
    const size = Math.min(240, Math.max(26, 15 / network.getScale()));
    ctx.save();
    ctx.font = "600 " + size + "px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.globalAlpha = state.highlight ? 0.3 : 0.85;
    for (const c of clusters) {
      if (state.hiddenTopics.has(c.id)) continue;
      ctx.fillStyle = darker(c.colour);
      ctx.fillText(c.label, c.x, c.y);
    }
    ctx.restore();
  });

  network.once("afterDrawing", () => {
    state.ready = true;
    document.body.dataset.state = "ready";
  });

  // --- fading and highlighting ----------------------------------------------------------------------

  function rgba(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function fadedNode(base) {
    return {
      color: {
        background: rgba(base.color.background, 0.14),
        border: rgba(base.color.border, 0.25),
        highlight: base.color.highlight,
        hover: base.color.hover,
      },
      font: { color: "rgba(60,60,60,0.3)" },
    };
  }

  // Highlight exactly these nodes and edges and fade every other one; null clears the highlight.
  function setHighlight(spec) {
    state.highlight = spec;
    const keepNodes = spec ? new Set(spec.nodes) : null;
    const keepEdges = spec ? new Set(spec.edges) : null;
    nodes.update(
      DATA.nodes.map((base) => {
        if (!keepNodes) return { id: base.id, color: base.color, font: { color: "#222222" }, dlHighlight: null };
        if (keepNodes.has(base.id)) return { id: base.id, color: base.color, font: { color: "#000000" }, dlHighlight: true };
        return Object.assign({ id: base.id, dlHighlight: false }, fadedNode(base));
      }),
    );
    const red = { color: "#d62728", highlight: "#d62728", hover: "#d62728", opacity: 1 };
    edges.update(
      DATA.edges.map((base) => {
        if (!keepEdges) return { id: base.id, color: Object.assign({ opacity: 1 }, base.color), width: base.width, dlHighlight: null };
        const on = keepEdges.has(base.id);
        return {
          id: base.id,
          color: on ? red : Object.assign({}, base.color, { opacity: 0.12 }),
          width: on ? base.width + 2 : base.width,
          dlHighlight: on,
        };
      }),
    );
    applyFilters();
    say(spec ? spec.caption : "");
  }

  // --- paths, mirroring dlgraph.graph.path -----------------------------------------------------------
  // Lineage first: the longest chain of lineage relations from the newer concept down to the older one
  // (alphabetically first on ties), tried in both directions; else the shortest connection through any
  // relation ignoring direction (alphabetically first on ties). Only the relations on this map count.

  const older = new Map(); // newer -> [older] over lineage relations
  const newer = new Map();
  const anyAdjacent = new Map();
  const push = (map, key, value) => {
    if (!map.has(key)) map.set(key, []);
    if (!map.get(key).includes(value)) map.get(key).push(value);
  };
  for (const e of DATA.edges) {
    if (lineageTypes.has(e.type)) {
      push(older, e.from, e.to);
      push(newer, e.to, e.from);
    }
    push(anyAdjacent, e.from, e.to);
    push(anyAdjacent, e.to, e.from);
  }

  function reach(map, start) {
    const seen = new Set();
    const stack = [start];
    while (stack.length) {
      for (const next of map.get(stack.pop()) || []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return seen; // like nx.descendants: the start itself only if a cycle leads back to it
  }

  function longestChain(start, end) {
    if (start === end) return null;
    const below = reach(older, start);
    if (!below.has(end)) return null;
    const above = reach(newer, end);
    below.add(start);
    above.add(end);
    const between = new Set([...below].filter((n) => above.has(n)));
    const length = new Map([[start, 0]]);
    const longest = (node) => {
      if (!length.has(node)) {
        const preds = (newer.get(node) || []).filter((p) => between.has(p));
        length.set(node, Math.max(...preds.map(longest)) + 1);
      }
      return length.get(node);
    };
    longest(end);
    const chain = [end];
    while (chain[chain.length - 1] !== start) {
      const node = chain[chain.length - 1];
      const preds = (newer.get(node) || []).filter((p) => between.has(p) && longest(p) === longest(node) - 1);
      chain.push(minByKey(preds));
    }
    return chain.reverse();
  }

  function distances(start) {
    const dist = new Map([[start, 0]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const next of anyAdjacent.get(queue[i]) || []) {
        if (!dist.has(next)) {
          dist.set(next, dist.get(queue[i]) + 1);
          queue.push(next);
        }
      }
    }
    return dist;
  }

  function shortestAny(source, target) {
    const fromSource = distances(source);
    if (!fromSource.has(target)) return null;
    const toTarget = distances(target);
    const total = fromSource.get(target);
    const onPath = (n) => fromSource.has(n) && fromSource.get(n) + (toTarget.has(n) ? toTarget.get(n) : total + 1) === total;
    const chain = [source];
    while (chain[chain.length - 1] !== target) {
      const here = chain[chain.length - 1];
      const next = (anyAdjacent.get(here) || []).filter((m) => onPath(m) && fromSource.get(m) === fromSource.get(here) + 1);
      chain.push(minByKey(next));
    }
    return chain;
  }

  function edgesBetween(u, v) {
    return DATA.edges.filter((e) => (e.from === u && e.to === v) || (e.from === v && e.to === u));
  }

  // The relation drawn for one step: a lineage one on a lineage path; otherwise the most specific type
  // (vocabulary order, related-to last), preferring the one that starts at u, as graph.path does.
  function stepEdge(u, v, lineage) {
    const found = edgesBetween(u, v);
    if (lineage) return found.find((e) => lineageTypes.has(e.type) && e.from === v && e.to === u);
    const rank = (e) => DATA.relationOrder.indexOf(e.type) * 2 + (e.from === u ? 0 : 1);
    return found.reduce((best, e) => (best === undefined || rank(e) < rank(best) ? e : best), undefined);
  }

  function findPath(a, b) {
    if (a === b) return null;
    for (const [newest, oldest] of [
      [b, a],
      [a, b],
    ]) {
      const chain = longestChain(newest, oldest);
      if (chain) {
        const walk = chain.slice().reverse();
        const steps = walk.slice(1).map((v, i) => stepEdge(walk[i], v, true));
        return { kind: "lineage", nodes: walk, edges: steps.map((e) => e.id) };
      }
    }
    const chain = shortestAny(a, b);
    if (!chain) return null;
    const steps = chain.slice(1).map((v, i) => stepEdge(chain[i], v, false));
    return { kind: "any", nodes: chain, edges: steps.map((e) => e.id) };
  }

  function showPath(fromText, toText) {
    const a = lookup(fromText);
    const b = lookup(toText);
    if (!a || !b) {
      say("No concept on this map is called “" + (!a ? fromText : toText) + "”.");
      return null;
    }
    if (a === b) {
      say("Both names mean " + nameOf(a) + "; pick two different concepts.");
      return null;
    }
    const found = findPath(a, b);
    if (!found) {
      setHighlight(null);
      say(nameOf(a) + " and " + nameOf(b) + " are not connected on this map.");
      return null;
    }
    const what = found.kind === "lineage" ? "lineage" : "connection through any relation";
    setHighlight({
      mode: "path",
      nodes: found.nodes,
      edges: found.edges,
      caption: "Path (" + what + "): " + found.nodes.map(nameOf).join(" → "),
    });
    network.fit({ nodes: found.nodes, animation: { duration: 400 } });
    return found;
  }

  function showPrereqs(id) {
    const c = cards[id];
    const prereqs = studyOrder(id);
    const onMap = prereqs.map((p) => p.id).filter((p) => baseNodes.has(p));
    const ids = [id, ...onMap];
    const keep = new Set(ids);
    // The relations that make each prerequisite needed, among the concepts kept.
    const wanted = DATA.edges.filter((e) => keep.has(e.from) && keep.has(e.to)).map((e) => e.id);
    setHighlight({
      mode: "prereqs",
      nodes: ids,
      edges: wanted,
      caption: "Study before " + c.name + " (" + prereqs.length + "): " + (prereqs.map((p) => p.name).join(", ") || "nothing"),
    });
    network.fit({ nodes: ids, animation: { duration: 400 } });
  }

  // --- study order, mirroring dlgraph.graph.prerequisites ----------------------------------------------
  // Breadth-first from the concept over what each concept needs (nearest first, alphabetical within a
  // step), then layer by layer: first what needs nothing else in the set, then what needs only those.

  function needsOf(id) {
    return DATA.prereq.needs[id] || [];
  }

  function studyOrder(target) {
    const dist = new Map([[target, 0]]);
    const reason = new Map();
    let frontier = [target];
    while (frontier.length) {
      const layer = [];
      for (const node of frontier) {
        const needs = needsOf(node).slice().sort((a, b) => byKey(a[0], b[0]));
        for (const [need, edge] of needs) {
          if (dist.has(need)) continue;
          dist.set(need, dist.get(node) + 1);
          reason.set(need, edge);
          layer.push(need);
        }
      }
      frontier = layer.sort(byKey);
    }
    const waiting = new Map();
    const dependents = new Map();
    for (const id of dist.keys()) {
      const inside = needsOf(id).filter(([need]) => dist.has(need));
      waiting.set(id, inside.length);
      for (const [need] of inside) push(dependents, need, id);
    }
    const order = [];
    let layer = [...dist.keys()].filter((id) => waiting.get(id) === 0);
    while (layer.length) {
      layer.sort(byKey);
      order.push(...layer);
      const next = [];
      for (const id of layer) {
        for (const later of dependents.get(id) || []) {
          waiting.set(later, waiting.get(later) - 1);
          if (waiting.get(later) === 0) next.push(later);
        }
      }
      layer = next;
    }
    return order
      .filter((id) => id !== target)
      .map((id) => {
        const [source, type, dest] = reason.get(id).split("|");
        return { id, name: nameOf(id), reason: nameOf(source) + " " + DATA.relationLabels[type] + " " + nameOf(dest) };
      });
  }

  // --- the card panel --------------------------------------------------------------------------------

  function jumpButton(ref) {
    if (!baseNodes.has(ref.id)) {
      const span = el("span", ref.name, "off-map");
      span.title = "not on this map";
      return span;
    }
    const button = el("button", ref.name, "jump");
    button.type = "button";
    button.dataset.target = ref.id;
    button.addEventListener("click", () => select(ref.id));
    return button;
  }

  function showCard(id) {
    const c = cards[id];
    const card = $("card");
    card.replaceChildren();
    card.dataset.concept = id;
    card.appendChild(el("h2", c.name));
    const meta = el("div", null, "meta");
    const topic = topicInfo.get(c.topic);
    const dot = el("span", null, "swatch");
    dot.style.background = topic ? topic.colour : "#999";
    meta.append(dot, el("span", (topic ? topic.label : c.topic) + " · " + c.kind));
    card.appendChild(meta);
    if (masteryText(id)) card.appendChild(el("div", "Mastery: " + masteryText(id), "meta mastery"));
    if (c.aliases.length) card.appendChild(el("div", "Also called: " + c.aliases.join(", "), "aliases"));
    card.appendChild(el("p", c.definition, "definition"));
    if (c.card && c.card !== c.name) card.appendChild(el("div", "Card: " + c.card, "question"));

    if (c.groups.length) {
      card.appendChild(el("h3", "Relations"));
      for (const group of c.groups) {
        card.appendChild(el("h3", c.name + " " + group.label + "…"));
        const list = el("ul");
        for (const ref of group.concepts) list.appendChild(el("li")).appendChild(jumpButton(ref));
        card.appendChild(list);
      }
    }
    const prereqs = studyOrder(id);
    card.appendChild(el("h3", prereqs.length ? "Study first (" + prereqs.length + ", in order)" : "Study first: nothing"));
    if (prereqs.length) {
      const list = el("ol", null, "prereqs");
      for (const p of prereqs) {
        const item = list.appendChild(el("li"));
        item.appendChild(jumpButton(p));
        item.title = p.reason;
      }
      card.appendChild(list);
    }
    const actions = card.appendChild(el("div", null, "actions"));
    const prereqButton = actions.appendChild(el("button", "Highlight prerequisites"));
    prereqButton.type = "button";
    prereqButton.addEventListener("click", () => showPrereqs(id));
    const fromButton = actions.appendChild(el("button", "Path from here"));
    fromButton.type = "button";
    fromButton.addEventListener("click", () => {
      $("path-from").value = c.name;
      $("path-to").focus();
    });
    card.hidden = false;
    $("panel-empty").hidden = true;
  }

  function select(id) {
    state.selected = id;
    const base = baseNodes.get(id);
    if (nodes.get(id).hidden) nodes.update({ id, hidden: false }); // found by name: show it anyway
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 400 } });
    showCard(id);
    return base;
  }

  network.on("click", (params) => {
    if (params.nodes.length) select(params.nodes[0]);
  });

  // --- legend and filters ------------------------------------------------------------------------------

  // Hidden: a topic or relation type switched off in the legend, unless it is highlighted right now.
  function applyFilters() {
    const marked = state.highlight ? new Set([...state.highlight.nodes, ...state.highlight.edges]) : new Set();
    nodes.update(DATA.nodes.map((n) => ({ id: n.id, hidden: state.hiddenTopics.has(n.topic) && !marked.has(n.id) })));
    edges.update(DATA.edges.map((e) => ({ id: e.id, hidden: state.hiddenTypes.has(e.type) && !marked.has(e.id) })));
  }

  function checkbox(hiddenSet, key, onChange) {
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = key;
    box.addEventListener("change", () => {
      if (box.checked) hiddenSet.delete(key);
      else hiddenSet.add(key);
      onChange();
    });
    return box;
  }

  for (const t of DATA.legend.topics) {
    const label = el("label");
    const dot = el("span", null, "swatch");
    dot.style.background = t.colour;
    label.append(checkbox(state.hiddenTopics, t.id, applyFilters), dot, el("span", t.label), el("span", t.count, "count"));
    label.title = t.description;
    $("legend-topics").appendChild(el("li")).appendChild(label);
  }

  function lineSample(type) {
    const picture = svg("svg", { width: 30, height: 10, class: "line" });
    const line = svg("line", { x1: 1, y1: 5, x2: 25, y2: 5, stroke: type.colour, "stroke-width": Math.max(1.5, type.width) });
    if (type.dashes) line.setAttribute("stroke-dasharray", type.dashes.join(" "));
    picture.appendChild(line);
    picture.appendChild(svg("path", { d: "M23 1 L29 5 L23 9 Z", fill: type.colour }));
    return picture;
  }

  for (const family of DATA.legend.families) {
    const members = DATA.legend.types.filter((t) => t.family === family);
    if (!members.length) continue;
    $("legend-types").appendChild(el("h3", family));
    const list = $("legend-types").appendChild(el("ul", null, "checks"));
    for (const t of members) {
      const label = el("label");
      label.append(checkbox(state.hiddenTypes, t.id, applyFilters), lineSample(t), el("span", t.label), el("span", t.count, "count"));
      label.title = t.id + ": " + t.description + " (inverse: " + t.inverse + ")";
      list.appendChild(el("li")).appendChild(label);
    }
  }

  if (DATA.legend.mastery) {
    const m = DATA.legend.mastery;
    for (const step of m.steps) {
      const band = $("mastery-scale").appendChild(el("span"));
      band.style.background = step.colour;
      band.title = Math.round(step.recall * 100) + "% recall";
    }
    $("mastery-never").style.background = m.never;
    $("mastery-count").textContent = m.total - m.reviewed + " of " + m.total;
    $("legend-mastery").hidden = false;
  }

  const glyphs = {
    dot: "M8 1 A7 7 0 1 1 7.99 1 Z",
    square: "M2 2 H14 V14 H2 Z",
    diamond: "M8 0.5 L15.5 8 L8 15.5 L0.5 8 Z",
    triangle: "M8 1 L15 14 H1 Z",
    triangleDown: "M1 2 H15 L8 15 Z",
    hexagon: "M4.5 2 H11.5 L15 8 L11.5 14 H4.5 L1 8 Z",
    star: "M8 0.8 L10 6 L15.5 6 L11 9.4 L12.8 15 L8 11.6 L3.2 15 L5 9.4 L0.5 6 L6 6 Z",
  };
  for (const k of DATA.legend.kinds) {
    const picture = svg("svg", { width: 16, height: 16, class: "glyph" });
    const shape = svg("path", { d: glyphs[k.shape] || glyphs.dot, fill: "#cfd8dc", stroke: "#455a64", "stroke-width": 1.2 });
    if (k.dashed) shape.setAttribute("stroke-dasharray", "2 1.5");
    picture.appendChild(shape);
    const item = el("li");
    item.append(picture, el("span", k.id), el("span", k.count, "count"));
    item.title = k.description;
    $("legend-kinds").appendChild(item);
  }

  // --- toolbar --------------------------------------------------------------------------------------

  function onSearch() {
    const text = $("search").value.trim();
    if (!text) return;
    const id = lookup(text);
    if (id) {
      say("");
      select(id);
    } else {
      say("No concept on this map matches “" + text + "”.");
    }
  }
  $("search").addEventListener("change", onSearch);
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") onSearch();
  });
  $("path-go").addEventListener("click", () => showPath($("path-from").value.trim(), $("path-to").value.trim()));
  $("path-to").addEventListener("keydown", (event) => {
    if (event.key === "Enter") showPath($("path-from").value.trim(), $("path-to").value.trim());
  });
  $("clear").addEventListener("click", () => {
    setHighlight(null);
    network.unselectAll();
    applyFilters();
  });
  $("edge-labels").checked = Boolean(DATA.edgeLabels);
  $("edge-labels").addEventListener("change", (event) => {
    const on = event.target.checked;
    edges.update(DATA.edges.map((e) => ({ id: e.id, label: on ? typeInfo.get(e.type).label : "" })));
  });

  if (DATA.highlight) setHighlight(DATA.highlight);

  // For tests, benchmarks and the browser console.
  window.dlgraph = { network, nodes, edges, data: DATA, state, select, lookup, findPath, showPath, showPrereqs, studyOrder, setHighlight };
})();
