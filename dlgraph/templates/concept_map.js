// dlgraph concept map: legend and filters, search, concept cards, path and prerequisite highlighting.
// Every piece of card text reaches the page through textContent or a text node, never parsed as
// markup, so a card holding HTML shows it as text.
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("dlgraph-data").textContent);
  const cards = DATA.cards;
  const baseNodes = new Map(DATA.nodes.map((n) => [n.id, n]));
  const baseEdges = new Map(DATA.edges.map((e) => [e.id, e]));
  // On a map of topic clusters, relations between topics are long and cross everything: draw them
  // faint; hovering or selecting a concept brings its own back (see the overlay below).
  const CROSS_OPACITY = 0.22;
  const topicOf = new Map(DATA.nodes.map((n) => [n.id, n.topic]));
  for (const e of DATA.edges) {
    e.cross = DATA.clustered && topicOf.get(e.from) !== topicOf.get(e.to);
    e.opacity = e.cross ? CROSS_OPACITY : 1;
  }
  const topicInfo = new Map(DATA.legend.topics.map((t) => [t.id, t]));
  const typeInfo = new Map(DATA.legend.types.map((t) => [t.id, t]));
  const lineageTypes = new Set(DATA.lineage);
  const $ = (id) => document.getElementById(id);
  const narrow = window.matchMedia("(max-width: 900px)");
  const labelFont = DATA.options.nodes.font.size;
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

  // The status line: a message, else the caption of the highlight on show (so a Find or a message
  // never leaves a faded map without saying what stands out).
  function say(text, extra) {
    statusLine.replaceChildren();
    const shown = text || (state.highlight ? state.highlight.caption : "");
    if (shown) statusLine.appendChild(document.createTextNode(shown));
    if (extra) statusLine.appendChild(extra);
  }

  // --- names: dlgraph.names.Resolver's rules, on the label table dlgraph built ----------------------
  // The table (every id, name and alias of the map's concepts, normalized) comes from Python, so a
  // concept's labels are normalized in one place. What the user types goes through Resolver.resolve's
  // steps: exact id; normalized label (a name beats an alias); the same without filler words ("the
  // Adam optimizer"); else a fuzzy match, taken only when it scores ACCEPT and clearly beats the
  // runner-up. Fuzzy scores are difflib's SequenceMatcher ratio, computed the same way below.

  const finder = DATA.finder;
  const labelOwners = new Map(Object.entries(finder.labels));
  const filler = new Set(finder.filler);
  const normalize = (text) => String(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  const nameOf = (id) => (cards[id] ? cards[id].name : DATA.prereq.names[id] || id);
  const sortKey = (id) => [nameOf(id).toLowerCase(), id];
  const byKey = (a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
  };
  const minByKey = (ids) => ids.reduce((best, id) => (best === null || byKey(id, best) < 0 ? id : best), null);
  const byName = (a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

  // difflib.SequenceMatcher(autojunk=False) on code points: a is the label, b the typed key.
  function matcher(b) {
    const bs = Array.from(b);
    const b2j = new Map();
    bs.forEach((ch, j) => {
      if (!b2j.has(ch)) b2j.set(ch, []);
      b2j.get(ch).push(j);
    });
    const counts = new Map();
    for (const ch of bs) counts.set(ch, (counts.get(ch) || 0) + 1);

    function longest(as, alo, ahi, blo, bhi) {
      let besti = alo;
      let bestj = blo;
      let bestsize = 0;
      let j2len = new Map();
      for (let i = alo; i < ahi; i++) {
        const next = new Map();
        for (const j of b2j.get(as[i]) || []) {
          if (j < blo) continue;
          if (j >= bhi) break;
          const k = (j2len.get(j - 1) || 0) + 1;
          next.set(j, k);
          if (k > bestsize) {
            besti = i - k + 1;
            bestj = j - k + 1;
            bestsize = k;
          }
        }
        j2len = next;
      }
      return [besti, bestj, bestsize];
    }

    return {
      size: bs.length,
      realQuick: (a) => {
        const la = Array.from(a).length;
        return (2 * Math.min(la, bs.length)) / (la + bs.length);
      },
      quick: (a) => {
        const avail = new Map();
        let matches = 0;
        const as = Array.from(a);
        for (const ch of as) {
          const left = avail.has(ch) ? avail.get(ch) : counts.get(ch) || 0;
          avail.set(ch, left - 1);
          if (left > 0) matches++;
        }
        return (2 * matches) / (as.length + bs.length);
      },
      ratio: (a) => {
        const as = Array.from(a);
        const queue = [[0, as.length, 0, bs.length]];
        let matches = 0;
        while (queue.length) {
          const [alo, ahi, blo, bhi] = queue.pop();
          const [i, j, k] = longest(as, alo, ahi, blo, bhi);
          if (!k) continue;
          matches += k;
          if (alo < i && blo < j) queue.push([alo, i, blo, j]);
          if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
        }
        return (2 * matches) / (as.length + bs.length);
      },
    };
  }

  // Concept ids by their best label's similarity to key, best first (Resolver._fuzzy).
  function fuzzy(key) {
    if (!key) return [];
    const m = matcher(key);
    const keyLength = Array.from(key).length;
    const best = new Map();
    for (const [label, owners] of labelOwners) {
      if (m.realQuick(label) < finder.suggest || m.quick(label) < finder.suggest) continue;
      let ratio = m.ratio(label);
      if (keyLength >= 3 && label.includes(key)) ratio = Math.max(ratio, 0.6);
      for (const [id] of owners) if (ratio > (best.get(id) || 0)) best.set(id, ratio);
    }
    return [...best].map(([id, ratio]) => ({ id, ratio })).sort((x, y) => y.ratio - x.ratio || byName(x.id, y.id));
  }

  function stripFiller(text) {
    const kept = text.split(/\s+/).filter((w) => w && !filler.has(w.toLowerCase()));
    return kept.length ? kept.join(" ") : text;
  }

  // What a typed text names, as the CLI decides: {id, exact} when it is one concept, else
  // {ids, ambiguous} with the concepts it could mean (ambiguous) or the closest ones (did you mean).
  function resolve(text) {
    if (Object.prototype.hasOwnProperty.call(cards, text)) return { id: text, exact: true };
    const key = normalize(text);
    const owners = labelOwners.get(key) || [];
    if (owners.length === 1) return { id: owners[0][0], exact: true };
    if (owners.length) {
      const primaries = owners.filter(([, primary]) => primary);
      if (primaries.length === 1) return { id: primaries[0][0], exact: true };
      return { ids: owners.map(([id]) => id).sort(byName), ambiguous: true };
    }
    const plain = stripFiller(text);
    if (plain !== text && labelOwners.has(normalize(plain))) return resolve(plain);
    const ranked = fuzzy(key);
    if (ranked.length && ranked[0].ratio >= finder.accept) {
      const runnerUp = ranked.length > 1 ? ranked[1].ratio : 0;
      if (ranked[0].ratio - runnerUp >= 0.05) return { id: ranked[0].id, exact: false };
    }
    return { ids: ranked.slice(0, 3).filter((r) => r.ratio >= finder.suggest).map((r) => r.id), ambiguous: false };
  }

  // The one concept a text names, or null.
  function lookup(text) {
    const found = resolve(text);
    return found.id || null;
  }

  const datalist = $("concept-names");
  for (const id of Object.keys(cards).sort(byKey)) {
    const c = cards[id];
    datalist.appendChild(el("option")).value = c.name;
    for (const alias of c.aliases) {
      const option = datalist.appendChild(el("option"));
      option.value = alias;
      option.label = alias + " (" + c.name + ")";
    }
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
    const status = edge.confirmed ? "" : " · unconfirmed: run dlgraph review";
    box.appendChild(el("div", edge.type + " · " + edge.family + status, "tip-meta"));
    if (edge.evidence) box.appendChild(el("div", "“" + edge.evidence + "”", "tip-evidence"));
    return box;
  }

  // --- level of detail on big maps -------------------------------------------------------------------
  // Zoomed out on a big map (DATA.farScale is set above 600 concepts), dash patterns, arrowheads and
  // dashed node borders are a pixel or two on screen, too small to read, yet they took most of each
  // frame: below farScale they are drawn plain (solid lines, no arrowheads, solid borders), except what
  // is highlighted, which keeps its dashes and the arrows that give a path its direction. Zoomed in,
  // only what lies in and around the view gets its detail back, so the switch is a few hundred
  // updates, not thousands, and what is off screen costs no dashes. The map changes over once the
  // view has settled (see settleDetail). A big map opens on its overview: its DataSets start plain.
  const farScale = DATA.farScale === undefined ? null : DATA.farScale;
  const startFar = farScale !== null;
  const dashedBorder = (base) => Boolean(base.shapeProperties && base.shapeProperties.borderDashes);

  const nodes = new vis.DataSet(
    DATA.nodes.map((n) => {
      const item = Object.assign({}, n, { title: nodeTooltip(n.id), dlHighlight: null });
      if (startFar && dashedBorder(n)) item.shapeProperties = { borderDashes: false };
      return item;
    }),
  );
  const edges = new vis.DataSet(
    DATA.edges.map((e) =>
      Object.assign({}, e, {
        color: Object.assign({}, e.color, { opacity: e.opacity }),
        dashes: startFar ? false : e.dashes,
        arrows: startFar ? "" : e.arrows,
        title: edgeTooltip(e),
        label: DATA.edgeLabels ? typeInfo.get(e.type).label : undefined,
        dlHighlight: null,
      }),
    ),
  );
  // Node labels are drawn by drawLabels below, never by vis-network (see there).
  DATA.options.nodes.scaling = { label: { drawThreshold: 1e9 } };
  const network = new vis.Network($("map"), { nodes, edges }, DATA.options);

  const state = {
    ready: false,
    selected: null,
    highlight: null,
    hiddenTopics: new Set(),
    hiddenTypes: new Set(),
    gliding: false,
    lastFind: null,
    finds: 0,
    revealed: new Set(),
    hover: null,
    labels: [],
    far: startFar, // drawn with less detail (see farScale)
    view: null, // zoomed in on a big map: the part of the map drawn in detail (see detailBox)
  };

  // --- the view: at most one time-based glide, never vis-network's own animations -------------------
  // vis-network animates by frames and ties a running animation to every redraw, so two focus calls in
  // a row left one attached that dragged the view back at each mouse move. Here a glide is a sequence
  // of plain moveTo calls over a fixed time; a new glide, a drag or a wheel zoom cancels the old one.

  let glideFrame = null;
  const stillMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function hideTooltip() {
    const popup = network.interactionHandler && network.interactionHandler.popup;
    if (popup) popup.hide();
  }

  function stopGlide() {
    if (glideFrame !== null) cancelAnimationFrame(glideFrame);
    glideFrame = null;
    state.gliding = false;
  }

  function glideTo(position, scale, duration) {
    stopGlide();
    hideTooltip();
    const fromPosition = network.getViewPosition();
    const fromScale = network.getScale();
    const time = duration === undefined ? 350 : duration;
    if (time <= 0 || stillMotion.matches) {
      network.moveTo({ position, scale });
      return;
    }
    const start = performance.now();
    state.gliding = true;
    const step = (now) => {
      const t = Math.min(1, (now - start) / time);
      const e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
      network.moveTo({
        position: { x: fromPosition.x + (position.x - fromPosition.x) * e, y: fromPosition.y + (position.y - fromPosition.y) * e },
        scale: fromScale * Math.pow(scale / fromScale, e),
      });
      if (t < 1) glideFrame = requestAnimationFrame(step);
      else stopGlide();
    };
    glideFrame = requestAnimationFrame(step);
  }

  // The view that shows these nodes (all when empty) whole, labels included, with a margin. Worked
  // out from the fixed positions, not vis-network's fit: before the first drawing vis does not know
  // the nodes' sizes yet, and a page should open on its highlight at the first paint.
  function fitTarget(ids) {
    const list = ids && ids.length ? ids.map((id) => baseNodes.get(id)).filter(Boolean) : DATA.nodes;
    let [left, right, top, bottom] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const n of list) {
      const half = Math.max(n.size, 0.28 * labelFont * String(n.label).length);
      const at = placeOf(n);
      left = Math.min(left, at.x - half);
      right = Math.max(right, at.x + half);
      top = Math.min(top, at.y - n.size);
      bottom = Math.max(bottom, at.y + n.size + 1.4 * labelFont);
    }
    // vis-network learns of a new map size (a caption wrapping onto another line) only when it next
    // draws, and then scales the view by the change: tell it now, so the view set here is the one shown.
    network.canvas.setSize();
    const frame = network.canvas.frame.canvas;
    const margin = ids && ids.length ? 0.8 : 0.95;
    const scale = Math.min(1.5, (margin * frame.clientWidth) / Math.max(1, right - left), (margin * frame.clientHeight) / Math.max(1, bottom - top));
    return { position: { x: (left + right) / 2, y: (top + bottom) / 2 }, scale };
  }

  // Where a node stands: its place in the study view on show, else its place on the map.
  function placeOf(base) {
    const plan = state.highlight && state.highlight.positions;
    const at = plan && plan[base.id];
    return at ? { x: at[0], y: at[1] } : { x: base.x, y: base.y };
  }

  function fitTo(ids, duration) {
    const target = fitTarget(ids);
    glideTo(target.position, target.scale, duration);
  }

  // Centre one node; with the card open as a bottom sheet, centre it in the part of the map above it.
  function centreOn(id, duration) {
    const scale = Math.max(network.getScale(), 1.0);
    const point = network.getPosition(id);
    const sheet = narrow.matches && $("panel").classList.contains("open") ? $("panel").offsetHeight : 0;
    glideTo({ x: point.x, y: point.y + sheet / 2 / scale }, scale, duration);
  }

  network.on("dragStart", () => {
    stopGlide();
    hideTooltip();
  });
  network.on("zoom", () => {
    stopGlide();
    hideTooltip();
  });

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
  // --- labels: level of detail by importance, never overlapping -------------------------------------
  // vis-network would draw every label at the map's zoom: 2 to 5 px on screen at first paint, all on
  // top of each other. Here labels are drawn in screen space after vis has drawn the shapes: never
  // smaller than MIN_LABEL px, growing with the zoom, placed most important first (the best-connected
  // concepts of every topic in turn, topics interleaved) and skipped where they would overlap one
  // already placed, so zooming in shows more of them. Topic titles are placed before any label.

  const MIN_LABEL = 11;
  const degree = new Map(DATA.nodes.map((n) => [n.id, 0]));
  const neighbours = new Map(DATA.nodes.map((n) => [n.id, []]));
  for (const e of DATA.edges) {
    degree.set(e.from, degree.get(e.from) + 1);
    degree.set(e.to, degree.get(e.to) + 1);
    neighbours.get(e.from).push(e);
    neighbours.get(e.to).push(e);
  }
  const byImportance = (a, b) => degree.get(b) - degree.get(a) || byKey(a, b);
  const rankInTopic = new Map();
  const perTopic = new Map();
  const append = (map, key, value) => (map.get(key) || map.set(key, []).get(key)).push(value);
  for (const n of DATA.nodes) append(perTopic, n.topic, n.id);
  for (const members of perTopic.values()) members.sort(byImportance).forEach((id, i) => rankInTopic.set(id, i));
  const importance = DATA.nodes.map((n) => n.id).sort((a, b) => rankInTopic.get(a) - rankInTopic.get(b) || byImportance(a, b));
  const measurer = document.createElement("canvas").getContext("2d");
  const FACE = "system-ui, sans-serif";
  const widths = new Map(); // label width at a 100 px font, measured once per text and weight
  function textWidth(text, bold) {
    const key = (bold ? "b" : "") + text;
    if (!widths.has(key)) {
      measurer.font = (bold ? "600 " : "") + "100px " + FACE;
      widths.set(key, measurer.measureText(text).width);
    }
    return widths.get(key);
  }

  // Rectangles already placed this frame, bucketed in a coarse grid so each test looks at a few.
  function placer() {
    const CELL = 64;
    const grid = new Map();
    const cells = (r, visit) => {
      for (let cx = Math.floor(r.x / CELL); cx <= Math.floor((r.x + r.w) / CELL); cx++)
        for (let cy = Math.floor(r.y / CELL); cy <= Math.floor((r.y + r.h) / CELL); cy++) if (visit(cx + "," + cy)) return true;
      return false;
    };
    return {
      free: (r) =>
        !cells(r, (key) => (grid.get(key) || []).some((o) => r.x < o.x + o.w && o.x < r.x + r.w && r.y < o.y + o.h && o.y < r.y + r.h)),
      take: (r) => cells(r, (key) => void append(grid, key, r)),
    };
  }

  function hiddenNode(id) {
    const item = network.body.nodes[id];
    return !item || item.options.hidden;
  }

  // The overlay of a hovered concept (Obsidian-style): everything else dims, its relations and
  // neighbours come forward. A selected concept gets its relations drawn in full, without the dimming.
  function drawFocus(ctx, id, dim) {
    const here = network.getPosition(id);
    if (dim) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "rgba(255,255,255,0.6)";
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      ctx.restore();
    }
    const scale = network.getScale();
    ctx.save();
    ctx.lineWidth = 2 / Math.max(scale, 0.2);
    for (const e of neighbours.get(id) || []) {
      if (network.body.edges[e.id] === undefined || network.body.edges[e.id].options.hidden) continue;
      const other = e.from === id ? e.to : e.from;
      if (hiddenNode(other)) continue;
      const there = network.getPosition(other);
      ctx.strokeStyle = typeInfo.get(e.type).colour;
      ctx.beginPath();
      ctx.moveTo(here.x, here.y);
      ctx.lineTo(there.x, there.y);
      ctx.stroke();
      if (dim) {
        const base = baseNodes.get(other);
        ctx.fillStyle = base.color.background;
        ctx.beginPath();
        ctx.arc(there.x, there.y, base.size * 0.8, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    if (dim) {
      const base = baseNodes.get(id);
      ctx.fillStyle = base.color.background;
      ctx.strokeStyle = "#111111";
      ctx.beginPath();
      ctx.arc(here.x, here.y, base.size, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  }

  function drawLabels(ctx) {
    const started = performance.now();
    const scale = network.getScale();
    const shift = network.body.view.translation;
    const body = network.body.nodes;
    const frame = network.canvas.frame.canvas;
    const ratio = ctx.canvas.width / Math.max(1, frame.clientWidth);
    const [width, height] = [frame.clientWidth, frame.clientHeight];
    const room = placer();
    const drawn = [];
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    // Topic titles first, above each cluster; one that would overlap another is left out.
    const titleSize = Math.min(22, Math.max(13, 40 * scale));
    ctx.font = "600 " + titleSize + "px " + FACE;
    ctx.globalAlpha = state.highlight ? 0.35 : 0.9;
    // In the study view the plan stands where the titles would: they wait until it is left.
    for (const c of state.highlight && state.highlight.positions ? [] : clusters) {
      if (state.hiddenTopics.has(c.id)) continue;
      const p = network.canvasToDOM({ x: c.x, y: c.y });
      const w = (textWidth(c.label, true) * titleSize) / 100;
      const r = { x: p.x - w / 2, y: p.y - titleSize * 1.3, w, h: titleSize * 1.25 };
      if (r.x > width || r.x + w < 0 || r.y > height || r.y + r.h < 0 || !room.free(r)) continue;
      room.take(r);
      ctx.fillStyle = darker(c.colour);
      ctx.fillText(c.label, p.x, r.y);
      drawn.push({ id: "topic:" + c.id, size: titleSize, x: r.x, y: r.y, w: r.w, h: r.h });
    }
    ctx.globalAlpha = 1;
    const size = Math.max(MIN_LABEL, labelFont * scale);
    const marked = state.highlight ? new Set(state.highlight.nodes) : null;
    const first = [...(marked || []), state.hover, state.selected].filter(Boolean);
    const around = [state.hover, state.selected]
      .filter(Boolean)
      .flatMap((id) => (neighbours.get(id) || []).map((e) => (e.from === id ? e.to : e.from)));
    const seen = new Set();
    for (const id of [...first, ...around, ...importance]) {
      if (seen.has(id)) continue;
      seen.add(id);
      if (drawn.length > 600) break;
      const item = body[id];
      if (!item || item.options.hidden) continue;
      const base = baseNodes.get(id);
      const p = { x: item.x * scale + shift.x, y: item.y * scale + shift.y };
      if (p.x < -400 || p.x > width + 400 || p.y < -50 || p.y > height + 50) continue;
      const strong = (marked && marked.has(id)) || id === state.selected || id === state.hover;
      const w = (textWidth(base.label, strong) * size) / 100 + 4;
      const h = size * 1.2;
      const gap = base.size * scale + 1;
      // Below the node if there is room, else above, right or left of it. What stands out (the
      // highlight, the selected and hovered concepts) is always labelled: below it if nowhere is free.
      const spots = [
        { x: p.x - w / 2, y: p.y + gap, w, h },
        { x: p.x - w / 2, y: p.y - gap - h, w, h },
        { x: p.x + gap + 2, y: p.y - h / 2, w, h },
        { x: p.x - gap - 2 - w, y: p.y - h / 2, w, h },
      ];
      const r = spots.find((spot) => room.free(spot)) || (strong ? spots[0] : null);
      if (!r || r.x > width || r.x + w < 0 || r.y > height || r.y + r.h < 0) continue;
      room.take(r);
      const faded = (marked && !marked.has(id)) || (state.hover && id !== state.hover && !around.includes(id));
      ctx.font = (strong ? "600 " : "") + size + "px " + FACE;
      ctx.lineWidth = 3.5;
      ctx.strokeStyle = faded ? "rgba(255,255,255,0.5)" : "#ffffff";
      ctx.strokeText(base.label, r.x + w / 2, r.y + 1);
      ctx.fillStyle = faded ? "rgba(60,60,60,0.45)" : strong ? "#000000" : "#222222";
      ctx.fillText(base.label, r.x + w / 2, r.y + 1);
      drawn.push({ id, size, x: r.x, y: r.y, w: r.w, h: r.h });
    }
    // A prerequisite highlight is a learning plan: each concept gets its number in the study order,
    // the line `dlgraph prereqs` prints it on (steps, when some of the plan is off this map).
    if (state.highlight && state.highlight.mode === "prereqs") {
      ctx.font = "600 11px " + FACE;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      const numbered = [];
      const steps = state.highlight.steps;
      state.highlight.nodes.slice(1).forEach((id, i) => {
        const item = body[id];
        if (!item || item.options.hidden) return;
        const step = steps ? steps[id] : i + 1;
        numbered[step - 1] = id;
        const x = item.x * scale + shift.x + baseNodes.get(id).size * scale + 6;
        const y = item.y * scale + shift.y - baseNodes.get(id).size * scale - 4;
        ctx.fillStyle = "#d62728";
        ctx.beginPath();
        ctx.arc(x, y, 9, 0, 2 * Math.PI);
        ctx.fill();
        ctx.fillStyle = "#ffffff";
        ctx.fillText(String(step), x, y + 0.5);
      });
      state.badges = state.highlight.nodes.length - 1;
      state.numbered = numbered; // numbered[i] carries the number i + 1 (none: off the map or hidden)
    }
    ctx.restore();
    state.labels = drawn;
    state.labelMs = performance.now() - started;
  }

  network.on("afterDrawing", (ctx) => {
    if (state.selected && !hiddenNode(state.selected)) drawFocus(ctx, state.selected, false);
    if (state.hover && !hiddenNode(state.hover)) drawFocus(ctx, state.hover, true);
    drawLabels(ctx);
    settleDetail();
  });
  // A redraw request, not a redraw: vis batches it with the one it makes for the hover itself.
  const requestRedraw = () => network.body.emitter.emit("_requestRedraw");
  network.on("hoverNode", (params) => {
    state.hover = params.node;
    requestRedraw();
  });
  network.on("blurNode", () => {
    state.hover = null;
    requestRedraw();
  });

  network.once("afterDrawing", () => {
    state.firstScale = network.getScale();
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

  // How each node and edge looks follows from the state (highlight, hidden topics and types, concepts
  // shown because they were found). paint() works it out for everything and sends vis-network one
  // update each for nodes and edges, holding only what changed since the last paint: on a
  // 2,000-concept map a Clear used to be six full DataSet updates.
  const red = { color: "#d62728", highlight: "#d62728", hover: "#d62728", opacity: 1 };

  // A node's look includes where it stands: "@" on the map, "@x,y" in the study view.
  function nodeLook(base, keep, marked) {
    const hidden = state.hiddenTopics.has(base.topic) && !marked.has(base.id) && !state.revealed.has(base.id);
    const mode = !keep ? "plain" : keep.has(base.id) ? "on" : "faded";
    const solid = dashedBorder(base) && mode !== "on" && plainNode(base);
    const plan = state.highlight && state.highlight.positions && state.highlight.positions[base.id];
    const where = "@" + (plan ? plan.join(",") : "");
    return [mode + hidden + (solid ? "~" : "") + where, (before) => {
      const item = { id: base.id, hidden, dlHighlight: mode === "plain" ? null : mode === "on" };
      if (plan || !before.endsWith("@")) Object.assign(item, placeOf(base)); // moved, or moved back
      if (dashedBorder(base)) item.shapeProperties = { borderDashes: solid ? false : base.shapeProperties.borderDashes };
      if (mode === "faded") return Object.assign(item, fadedNode(base));
      return Object.assign(item, { color: base.color, font: { color: mode === "on" ? "#000000" : "#222222" } });
    }];
  }

  // vis-network merges an arrows object into the edge's arrows: say which ends have none, so an arrow
  // a path turned around ("from") goes away again.
  const arrowsOption = (arrows) => (typeof arrows === "string" ? arrows : Object.assign({ from: { enabled: false } }, arrows));
  const arrowsKey = (arrows) => (typeof arrows === "string" ? arrows : JSON.stringify(arrows));

  function edgeLook(base, keep, marked) {
    const hidden = state.hiddenTypes.has(base.type) && !marked.has(base.id);
    const mode = !keep ? "plain" : keep.has(base.id) ? "on" : "faded";
    const plain = mode !== "on" && plainEdge(base);
    // On a path the arrows point the way the caption reads, from its first concept to its last.
    const arrows = mode === "on" && state.highlight.arrows ? state.highlight.arrows[base.id] || base.arrows : plain ? "" : base.arrows;
    return [mode + hidden + (plain ? "~" : "") + arrowsKey(arrows), () => {
      const item = { id: base.id, hidden, dlHighlight: mode === "plain" ? null : mode === "on", arrows: arrowsOption(arrows) };
      if (mode === "on") return Object.assign(item, { color: red, width: base.width + 2, dashes: base.dashes });
      const opacity = mode === "faded" ? 0.12 : base.opacity;
      return Object.assign(item, { color: Object.assign({}, base.color, { opacity }), width: base.width, dashes: plain ? false : base.dashes });
    }];
  }

  // The looks the DataSets were made with (nothing highlighted, hidden or revealed yet).
  const painted = new Map(); // id -> the look last sent ("n:" nodes, "e:" edges)
  for (const n of DATA.nodes) painted.set("n:" + n.id, nodeLook(n, null, new Set())[0]);
  for (const e of DATA.edges) painted.set("e:" + e.id, edgeLook(e, null, new Set())[0]);

  // vis-network draws in the order of its index lists: put what stands out last, so a faded node or
  // label is never drawn over a highlighted one.
  function raiseHighlighted() {
    if (!state.highlight) return;
    const keep = new Set([...state.highlight.nodes, ...state.highlight.edges]);
    for (const list of [network.body.nodeIndices, network.body.edgeIndices]) {
      const low = list.filter((id) => !keep.has(id));
      const high = list.filter((id) => keep.has(id));
      list.splice(0, list.length, ...low, ...high);
    }
  }

  function paint() {
    const spec = state.highlight;
    const keepNodes = spec ? new Set(spec.nodes) : null;
    const keepEdges = spec ? new Set(spec.edges) : null;
    const marked = spec ? new Set([...spec.nodes, ...spec.edges]) : new Set();
    const changes = (list, prefix, look, keep) => {
      const out = [];
      for (const base of list) {
        const [key, make] = look(base, keep, marked);
        const before = painted.get(prefix + base.id);
        if (before === key) continue;
        painted.set(prefix + base.id, key);
        out.push(make(before));
      }
      return out;
    };
    const nodeChanges = changes(DATA.nodes, "n:", nodeLook, keepNodes);
    const edgeChanges = changes(DATA.edges, "e:", edgeLook, keepEdges);
    if (!nodeChanges.length && !edgeChanges.length) {
      raiseHighlighted();
      return;
    }
    quietly(() => {
      if (nodeChanges.length) nodes.update(nodeChanges);
      if (edgeChanges.length) edges.update(edgeChanges);
    });
  }

  // With physics off, vis-network redraws the whole map at once after every DataSet update or
  // unselectAll, and again at the next frame: a Clear drew it three times over. Hold drawing while
  // one action's changes go in (nested calls join the outer one), then draw once, at the next frame.
  let holding = 0;
  function quietly(work) {
    if (holding++ === 0) network.body.emitter.emit("_blockRedraw");
    try {
      return work();
    } finally {
      if (--holding === 0) {
        network.body.emitter.emit("_allowRedraw");
        raiseHighlighted(); // vis-network rebuilt its index lists in the updates
        requestRedraw();
      }
    }
  }

  // --- level of detail: what is drawn plain, and when that changes ---------------------------------

  // The map's box in view, with `margin` screens more on every side, in map coordinates.
  function viewBox(margin) {
    const frame = network.canvas.frame.canvas;
    const [w, h] = [frame.clientWidth, frame.clientHeight];
    const a = network.DOMtoCanvas({ x: -margin * w, y: -margin * h });
    const b = network.DOMtoCanvas({ x: (1 + margin) * w, y: (1 + margin) * h });
    return { left: a.x, top: a.y, right: b.x, bottom: b.y };
  }
  const covers = (box, left, top, right, bottom) =>
    Boolean(box) && right >= box.left && left <= box.right && bottom >= box.top && top <= box.bottom;

  // Drawn plain: on a big map, zoomed out, or away from the part of the map in detail.
  function plainNode(base) {
    if (farScale === null) return false;
    const at = placeOf(base);
    return state.far || !covers(state.view, at.x, at.y, at.x, at.y);
  }
  function plainEdge(base) {
    if (farScale === null) return false;
    if (state.far) return true;
    const a = placeOf(baseNodes.get(base.from));
    const b = placeOf(baseNodes.get(base.to));
    return !covers(state.view, Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y));
  }

  const wantFar = () => farScale !== null && network.getScale() < farScale;
  // Whether the detail drawn suits the view: zoomed out, or zoomed in with the view inside the part
  // drawn in detail.
  function detailFits() {
    if (farScale === null) return true;
    if (wantFar() !== state.far) return false;
    if (state.far) return true;
    const v = viewBox(0);
    const d = state.view;
    return Boolean(d) && v.left >= d.left && v.right <= d.right && v.top >= d.top && v.bottom <= d.bottom;
  }
  // Take the detail the view needs: zoomed in, the view and half a screen around it.
  function takeDetail() {
    state.far = wantFar();
    state.view = farScale === null || state.far ? null : viewBox(0.5);
  }

  // Change the detail once the view rests where it no longer fits: not at every frame of a wheel
  // gesture, a drag or a glide. Called after each drawing; vis-network redraws everything 250 ms
  // after a wheel gesture, so the change, sooner, is in that drawing.
  let detailTimer = null;
  function settleDetail() {
    if (detailTimer !== null) clearTimeout(detailTimer);
    detailTimer = null;
    if (detailFits()) return;
    detailTimer = setTimeout(() => {
      detailTimer = null;
      if (state.gliding || detailFits()) return; // the glide's next frames call again
      takeDetail();
      paint();
    }, 200);
  }

  // Highlight exactly these nodes and edges and fade every other one; null clears the highlight.
  function setHighlight(spec) {
    if (spec && spec.mode === "path") {
      const arrows = {};
      spec.edges.forEach((id, i) => {
        arrows[id] = baseEdges.get(id).to === spec.nodes[i + 1] ? "to" : "from";
      });
      spec = Object.assign({}, spec, { arrows });
    }
    state.highlight = spec;
    paint();
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
    fitTo(found.nodes);
    return found;
  }

  // The study view of a concept: exactly what `dlgraph prereqs` lists, with the relation that pulls
  // each one in, laid out in its study levels (studyLayout) and numbered in study order.
  function showPrereqs(id) {
    const c = cards[id];
    const skipped = knownBefore(id);
    const prereqs = studyOrder(id);
    const plan = studyLayout(id, prereqs);
    const onMap = prereqs.map((p) => p.id).filter((p) => baseNodes.has(p));
    const ids = [id, ...onMap];
    const wanted = prereqs.map((p) => p.edge).filter((e) => baseEdges.has(e));
    let caption = "Study before " + c.name + " (" + prereqs.length + "): " + (prereqs.map((p) => p.name).join(", ") || "nothing");
    if (skipped.length) caption += "; already known (" + skipped.length + "): " + skipped.map((p) => p.name).join(", ");
    setHighlight({
      mode: "prereqs",
      nodes: ids,
      edges: wanted,
      known: skipped.map((p) => p.id),
      steps: Object.fromEntries(prereqs.map((p, i) => [p.id, i + 1])),
      caption,
      levels: plan.levels,
      positions: plan.positions,
    });
    fitTo(ids);
  }

  // --- the study view's layout: dlgraph.render.study_layout's rule, step for step --------------------
  // A column per study level, left to right, or on a map taller than wide (a phone) a row per level,
  // top to bottom; the concept itself alone in the last one, at its own place on the map. Across: each
  // column lists its level top to bottom in study order, centred on that place's height, one row per
  // tallest box of the plan plus a gap; going left, the next column is half the widest box of each of
  // the two columns plus a gap further on. Down: each row lists its level left to right, neighbours
  // half of each one's box plus a gap apart, centred on the concept's x; rows the tallest box plus a gap
  // apart. A --prereqs page carries both plans as Python worked them out; browser tests check this
  // function gives the same.

  // render.label_box: roughly the room a node and the label under it take at zoom 1.
  function labelBox(id) {
    const n = baseNodes.get(id);
    return [Math.max(2 * n.size, 0.56 * labelFont * Array.from(String(n.label)).length), 2 * n.size + labelFont * 1.3];
  }

  function portrait() {
    const frame = network.canvas.frame.canvas;
    return frame.clientHeight > frame.clientWidth;
  }

  const whole = (value) => Math.floor(value + 0.5);

  // prereqs: studyOrder(target), just worked out (studyLevel holds its levels, the target's last).
  function studyLayout(target, prereqs, down) {
    const levels = Array.from({ length: studyLevel.get(target) }, () => []);
    for (const id of [...prereqs.map((p) => p.id), target]) if (baseNodes.has(id)) levels[studyLevel.get(id) - 1].push(id);
    const [gapX, gapY] = DATA.studyGap;
    const stepY = Math.max(...levels.flat().map((id) => labelBox(id)[1])) + gapY;
    const anchor = baseNodes.get(target);
    const last = levels.length - 1;
    const positions = {};
    if (down === undefined ? portrait() : down) {
      levels.forEach((level, i) => {
        const xs = level.map(() => 0);
        for (let j = 1; j < level.length; j++) xs[j] = xs[j - 1] + ((labelBox(level[j - 1])[0] + labelBox(level[j])[0]) / 2 + gapX);
        const shift = xs.length ? anchor.x - xs[xs.length - 1] / 2 : 0;
        const y = anchor.y - (last - i) * stepY;
        level.forEach((id, j) => {
          positions[id] = [whole(xs[j] + shift), whole(y)];
        });
      });
      return { levels, positions, down: true };
    }
    const widths = levels.map((level) => level.reduce((w, id) => Math.max(w, labelBox(id)[0]), 0));
    const xs = levels.map(() => anchor.x);
    for (let i = last - 1; i >= 0; i--) xs[i] = xs[i + 1] - ((widths[i] + widths[i + 1]) / 2 + gapX);
    levels.forEach((level, i) => {
      level.forEach((id, j) => {
        positions[id] = [whole(xs[i]), whole(anchor.y + (j - (level.length - 1) / 2) * stepY)];
      });
    });
    return { levels, positions, down: false };
  }

  // --- study order, mirroring dlgraph.graph.prerequisites ----------------------------------------------
  // Breadth-first from the concept over what each concept needs (nearest first, alphabetical within a
  // step), then layer by layer: first what needs nothing else in the set, then what needs only those.
  // What is known (--known, else the study progress) is left out with what only it needs, as there.

  const known = new Set(DATA.prereq.known || []);

  function needsOf(id) {
    return DATA.prereq.needs[id] || [];
  }

  // The layer of each concept in the last study order worked out: 1 needs nothing else in it.
  const studyLevel = new Map();

  function studyOrder(target, skip = known) {
    studyLevel.clear();
    const dist = new Map([[target, 0]]);
    const reason = new Map();
    let frontier = [target];
    while (frontier.length) {
      const layer = [];
      for (const node of frontier) {
        const needs = needsOf(node).slice().sort((a, b) => byKey(a[0], b[0]));
        for (const [need, edge] of needs) {
          if (dist.has(need) || (skip.has(need) && need !== target)) continue;
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
    let level = 0;
    while (layer.length) {
      layer.sort(byKey);
      order.push(...layer);
      level += 1;
      for (const id of layer) studyLevel.set(id, level);
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
        const edge = reason.get(id);
        return { id, name: nameOf(id), reason: nameOf(source) + " " + DATA.relationLabels[type] + " " + nameOf(dest), edge, depth: dist.get(id) };
      });
  }

  // The known concepts a plan for target leaves out, in the order the whole plan would list them
  // (prerequisites' "skipped"). Call it before studyOrder(target): it leaves studyLevel to that.
  function knownBefore(target) {
    return known.size ? studyOrder(target, new Set()).filter((p) => known.has(p.id)) : [];
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
    // What is still a guess (extracted or from the field, not yet confirmed in dlgraph review).
    const guesses = (c.unconfirmed || []).map((eid) => baseEdges.get(eid)).filter(Boolean);
    if (guesses.length) {
      card.appendChild(el("h3", "Still a guess (" + guesses.length + "): confirm with dlgraph review"));
      const list = card.appendChild(el("ul", null, "unconfirmed"));
      for (const e of guesses) {
        list.appendChild(el("li", nameOf(e.from) + " " + typeInfo.get(e.type).label + " " + nameOf(e.to)));
      }
    }
    // In levels, as a learning plan: level 1 needs nothing else on the list, level 2 only level 1,
    // and so on. The plan `dlgraph prereqs` prints: what is known is left out (with what only it
    // needs) and folds away under the list, and the numbers are the terminal's.
    const skipped = knownBefore(id);
    const prereqs = studyOrder(id);
    const levels = prereqs.length ? studyLevel.get(prereqs[prereqs.length - 1].id) : 0;
    const heading = !prereqs.length
      ? "Study first: nothing"
      : "Study first (" + prereqs.length + ", in order, " + levels + (levels === 1 ? " level)" : " levels)");
    card.appendChild(el("h3", heading));
    if (prereqs.length) {
      const list = el("ol", null, "prereqs");
      let last = 0;
      for (const p of prereqs) {
        const item = list.appendChild(el("li"));
        item.appendChild(jumpButton(p));
        item.title = p.reason;
        item.dataset.level = String(studyLevel.get(p.id));
        item.dataset.step = String(prereqs.indexOf(p) + 1); // its number on the map's study view too
        if (studyLevel.get(p.id) !== last) item.dataset.levelStart = "level " + studyLevel.get(p.id);
        last = studyLevel.get(p.id);
      }
      card.appendChild(list);
    }
    if (skipped.length) {
      const done = card.appendChild(el("details", null, "known"));
      done.appendChild(el("summary", "Already known (" + skipped.length + ")"));
      const list = done.appendChild(el("ul"));
      for (const p of skipped) list.appendChild(el("li")).appendChild(jumpButton(p));
    }
    const actions = card.appendChild(el("div", null, "actions"));
    const prereqButton = actions.appendChild(el("button", "Study view"));
    prereqButton.title = "Lay out what to study first in levels, numbered in study order (Fit or Esc: back)";
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
    if (narrow.matches) {
      setDrawer("panel", true);
      setDrawer("legend", false);
    }
  }

  function select(id) {
    state.selected = id;
    const base = baseNodes.get(id);
    if (nodes.get(id).hidden) {
      state.revealed.add(id); // found by name: show it anyway
      paint();
    }
    network.selectNodes([id]);
    showCard(id);
    centreOn(id);
    return base;
  }

  network.on("click", (params) => {
    if (params.nodes.length) select(params.nodes[0]);
  });

  // --- legend and filters ------------------------------------------------------------------------------

  // Hidden: a topic or relation type switched off in the legend, unless it is highlighted right now.
  function applyFilters() {
    state.revealed.clear();
    paint();
  }

  function checkbox(hiddenSet, key, onChange) {
    const box = el("input");
    box.type = "checkbox";
    box.checked = !hiddenSet.has(key);
    box.value = key;
    box.addEventListener("change", () => {
      if (box.checked) hiddenSet.delete(key);
      else hiddenSet.add(key);
      onChange();
    });
    return box;
  }

  if (DATA.clusteredBy === "community") $("legend-topics-title").textContent = "Clusters (one topic: by community)";
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

  // Loose "related to" links can outnumber everything that says how concepts depend on each other
  // (a glossary deck's see-also lines): past a third of the relations they start hidden, and say so.
  const loose = DATA.legend.types.find((t) => t.id === "related-to");
  if (loose && loose.count * 3 > DATA.edges.length) {
    state.hiddenTypes.add("related-to");
    const note = el("p", "“related to” is hidden at first: " + loose.count + " of the " + DATA.edges.length + " relations. Tick it to show them.", "hint");
    note.id = "related-note";
    $("legend-types").before(note);
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

  // "Did you mean": one button per concept a name could mean; picking one fills the box and goes on.
  function choices(ids, onPick) {
    const list = el("span", null, "choices");
    for (const id of ids) {
      const button = list.appendChild(el("button", nameOf(id), "jump"));
      button.type = "button";
      button.dataset.target = id;
      button.addEventListener("click", () => onPick(id));
    }
    return list;
  }

  // Explains why a typed name names no single concept; returns null when it does.
  function unresolved(text, found, onPick) {
    if (found.id) return null;
    if (found.ambiguous) return say("“" + text + "” could mean: ", choices(found.ids, onPick));
    if (found.ids.length) return say("No concept on this map is called “" + text + "”. Did you mean: ", choices(found.ids, onPick));
    return say("No concept on this map is called “" + text + "”.");
  }

  function find(text) {
    state.finds += 1;
    const found = resolve(text);
    state.lastFind = text;
    if (!found.id) {
      unresolved(text, found, (id) => {
        $("search").value = nameOf(id);
        find(nameOf(id));
      });
      return null;
    }
    say(found.exact ? "" : "Taking “" + text + "” to mean " + nameOf(found.id) + ".");
    select(found.id);
    return found.id;
  }

  // Enter fires keydown and then change: each typed text is looked up once, whichever comes first.
  function onSearch() {
    const text = $("search").value.trim();
    if (text && text !== state.lastFind) find(text);
  }
  $("search").addEventListener("keydown", (event) => {
    // No preventDefault: Enter must still close the box's suggestion list, or it keeps the pointer.
    if (event.key !== "Enter") return;
    const text = $("search").value.trim();
    if (text) find(text);
  });
  $("search").addEventListener("change", onSearch);
  $("search").addEventListener("input", () => {
    state.lastFind = null;
  });

  function onPath() {
    const from = $("path-from").value.trim();
    const to = $("path-to").value.trim();
    for (const [box, text] of [["path-from", from], ["path-to", to]]) {
      const found = resolve(text);
      if (!found.id) {
        unresolved(text, found, (id) => {
          $(box).value = nameOf(id);
          onPath();
        });
        return null;
      }
    }
    return showPath(from, to);
  }
  $("path-go").addEventListener("click", onPath);
  $("path-to").addEventListener("keydown", (event) => {
    if (event.key === "Enter") onPath();
  });

  function reset() {
    quietly(() => {
      setHighlight(null);
      network.unselectAll();
      state.selected = null;
    });
    fitTo([]);
  }
  $("clear").addEventListener("click", () =>
    quietly(() => {
      setHighlight(null);
      network.unselectAll();
      state.selected = null;
    }),
  );
  // Fit: leave the study view (what it lit stays lit, in its place on the map), then fit what stands out.
  function fit() {
    if (state.highlight && state.highlight.positions) {
      const { positions, levels, plans, ...inPlace } = state.highlight;
      setHighlight(inPlace);
    }
    fitTo(state.highlight ? state.highlight.nodes : []);
  }
  $("fit").addEventListener("click", fit);
  // Esc: close an open drawer, else clear the highlight and show the whole map.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (event.target instanceof HTMLInputElement && event.target.value) return; // the box clears itself
    if (narrow.matches && ($("legend").classList.contains("open") || $("panel").classList.contains("open"))) {
      setDrawer("legend", false);
      setDrawer("panel", false);
      return;
    }
    reset();
  });
  $("edge-labels").checked = Boolean(DATA.edgeLabels);
  $("edge-labels").addEventListener("change", (event) => {
    const on = event.target.checked;
    quietly(() => edges.update(DATA.edges.map((e) => ({ id: e.id, label: on ? typeInfo.get(e.type).label : "" }))));
  });

  // --- a keyboard route to every concept ---------------------------------------------------------------
  // The canvas cannot be tabbed through: it gets a label saying so, and the legend a list of every
  // concept (filtered as you type) whose buttons select the concept like a click on the map.

  const canvas = $("map").querySelector("canvas");
  if (canvas) {
    canvas.setAttribute("role", "img");
    canvas.setAttribute(
      "aria-label",
      "Concept map of " + DATA.nodes.length + " concepts and " + DATA.edges.length + " relations. " +
        "Pick a concept with Find or from the concept list in the legend to read its card.",
    );
  }
  const listItems = [];
  for (const id of Object.keys(cards).sort(byKey)) {
    const item = $("concept-list").appendChild(el("li"));
    item.appendChild(jumpButton({ id, name: cards[id].name }));
    listItems.push([item, [cards[id].name, ...cards[id].aliases].map(normalize).join("|")]);
  }
  $("concepts-title").textContent = "Concepts (" + listItems.length + ")";
  $("list-filter").addEventListener("input", (event) => {
    const key = normalize(event.target.value);
    for (const [item, labels] of listItems) item.hidden = Boolean(key) && !labels.includes(key);
  });

  // --- drawers on narrow screens -------------------------------------------------------------------
  // Below 900 px the legend and the card overlay the map; their toolbar buttons open and close them.

  function setDrawer(id, open) {
    $(id).classList.toggle("open", open);
    $(id === "legend" ? "legend-toggle" : "card-toggle").setAttribute("aria-expanded", String(open));
  }
  $("legend-toggle").addEventListener("click", () => {
    const open = !$("legend").classList.contains("open");
    setDrawer("legend", open);
    if (open) setDrawer("panel", false);
  });
  $("card-toggle").addEventListener("click", () => {
    const open = !$("panel").classList.contains("open");
    setDrawer("panel", open);
    if (open) setDrawer("legend", false);
  });

  if (state.hiddenTypes.size) paint();
  // A page written with --path, --prereqs or --focus opens on what it is about, before the first paint.
  if (DATA.highlight) {
    const plans = DATA.highlight.plans;
    const spec = plans ? Object.assign({}, DATA.highlight, { positions: plans[portrait() ? "down" : "across"] }) : DATA.highlight;
    // The view first: painting draws at once, and the first drawing is to be the fitted one. fitTo
    // reads a plan's places from the state, and the map's size after the caption took its room.
    state.highlight = spec;
    say(spec.caption);
    fitTo(spec.nodes, 0);
    takeDetail();
    setHighlight(spec);
  } else if (DATA.focus) {
    state.selected = DATA.focus;
    network.selectNodes([DATA.focus]);
    showCard(DATA.focus);
    fitTo([], 0);
  } else {
    fitTo([], 0);
  }
  // The level of detail of the view just set, before the first drawing.
  if (!detailFits()) {
    takeDetail();
    paint();
  }

  // For tests, benchmarks and the browser console.
  window.dlgraph = {
    network, nodes, edges, data: DATA, state, select, lookup, resolve, find, findPath, showPath, showPrereqs,
    studyOrder, studyLayout, setHighlight, fitTo, fit, reset,
  };
})();
