// Scene extraction: runs after the SVG is in the page (getBBox/getComputedStyle need layout).
const sceneOf = (shown, db, id, vbx, vby) => {
  const r2 = (v) => Math.round(v * 100) / 100;
  const base = shown.getScreenCTM().inverse();
  const mapper = (el) => {
    const m = base.multiply(el.getScreenCTM());
    return (x, y) => [r2(m.a * x + m.c * y + m.e - vbx), r2(m.b * x + m.d * y + m.f - vby)];
  };
  const box = (el) => {
    const b = el.getBBox(), f = mapper(el);
    const pts = [f(b.x, b.y), f(b.x + b.width, b.y), f(b.x, b.y + b.height), f(b.x + b.width, b.y + b.height)];
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const x = Math.min(...xs), y = Math.min(...ys);
    return {x, y, w: r2(Math.max(...xs) - x), h: r2(Math.max(...ys) - y)};
  };
  const paint = (el) => {
    const s = getComputedStyle(el);
    const gaps = (s.strokeDasharray || 'none').split(/[\s,]+/).map(parseFloat).filter(Number.isFinite);
    return {fill: hex(s.fill), stroke: hex(s.stroke), stroke_width: r2(parseFloat(s.strokeWidth) || 0),
            dashed: gaps.some((v, i) => i % 2 === 1 && v > 0)};
  };
  const GEOM = 'rect,circle,ellipse,path,polygon,polyline';
  const geom = (el) => (el.matches(GEOM) ? el : el.querySelector(GEOM));
  const ops = (el) => {
    const f = mapper(el);
    const attr = (name) => el[name].baseVal.value;
    if (el.localName === 'circle' || el.localName === 'ellipse') {  // four quarter arcs as cubics
      const cx = attr('cx'), cy = attr('cy'), K = 0.5523;
      const rx = attr(el.localName === 'circle' ? 'r' : 'rx'), ry = attr(el.localName === 'circle' ? 'r' : 'ry');
      const out = [['M', ...f(cx + rx, cy)]];
      for (const [ax, ay, bx, by] of [[1, 0, 0, 1], [0, 1, -1, 0], [-1, 0, 0, -1], [0, -1, 1, 0]]) {
        out.push(['C', ...f(cx + rx * (ax + K * bx), cy + ry * (ay + K * by)),
                  ...f(cx + rx * (bx + K * ax), cy + ry * (by + K * ay)), ...f(cx + rx * bx, cy + ry * by)]);
      }
      out.push(['Z']);
      return out;
    }
    if (el.localName === 'rect') {
      const x = attr('x'), y = attr('y'), w = attr('width'), h = attr('height');
      return [['M', ...f(x, y)], ['L', ...f(x + w, y)], ['L', ...f(x + w, y + h)], ['L', ...f(x, y + h)], ['Z']];
    }
    if (el.localName === 'polygon' || el.localName === 'polyline') {
      const n = (el.getAttribute('points') || '').trim().split(/[\s,]+/).map(Number);
      const out = [];
      for (let i = 0; i + 1 < n.length; i += 2) out.push([i ? 'L' : 'M', ...f(n[i], n[i + 1])]);
      if (el.localName === 'polygon') out.push(['Z']);
      return out;
    }
    if (el.localName !== 'path') return [];
    const t = (el.getAttribute('d') || '').match(/[a-zA-Z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) || [];
    const out = [];
    let i = 0, cmd = null, cx = 0, cy = 0, sx = 0, sy = 0, ok = true;
    const num = () => Number(t[i++]);
    while (ok && i < t.length) {
      if (/[a-zA-Z]/.test(t[i])) cmd = t[i++];
      else if (cmd === null) { ok = false; break; }
      const C = cmd.toUpperCase(), rel = cmd !== C, ox = rel ? cx : 0, oy = rel ? cy : 0;
      if (C === 'M') {
        cx = ox + num(); cy = oy + num(); sx = cx; sy = cy;
        out.push(['M', ...f(cx, cy)]); cmd = rel ? 'l' : 'L';
      }
      else if (C === 'L') { cx = ox + num(); cy = oy + num(); out.push(['L', ...f(cx, cy)]); }
      else if (C === 'H') { cx = ox + num(); out.push(['L', ...f(cx, cy)]); }
      else if (C === 'V') { cy = oy + num(); out.push(['L', ...f(cx, cy)]); }
      else if (C === 'C') {
        const x1 = ox + num(), y1 = oy + num(), x2 = ox + num(), y2 = oy + num();
        cx = ox + num(); cy = oy + num();
        out.push(['C', ...f(x1, y1), ...f(x2, y2), ...f(cx, cy)]);
      } else if (C === 'Q') {
        const x1 = ox + num(), y1 = oy + num(), ex = ox + num(), ey = oy + num();
        out.push(['C', ...f(cx + 2 / 3 * (x1 - cx), cy + 2 / 3 * (y1 - cy)),
                  ...f(ex + 2 / 3 * (x1 - ex), ey + 2 / 3 * (y1 - ey)), ...f(ex, ey)]);
        cx = ex; cy = ey;
      } else if (C === 'Z') { cx = sx; cy = sy; out.push(['Z']); cmd = null; }
      else ok = false;
    }
    if (ok && out.every((o) => o.slice(1).every(Number.isFinite))) return out;
    // Arcs, smooth curves: follow the drawn path with short lines instead, each subpath on its own
    // (a cylinder's arcs are separate pieces).
    const pieces = (el.getAttribute('d') || '').split(/(?=M)/).filter((d) => d.trim());
    const pts = [];
    for (const d of pieces.length > 1 ? pieces : [el.getAttribute('d') || '']) {
      const piece = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      piece.setAttribute('d', d);
      el.parentNode.insertBefore(piece, el);
      piece.setAttribute('transform', el.getAttribute('transform') || '');
      const len = piece.getTotalLength(), n = Math.min(400, Math.max(48, Math.ceil(len / 3)));  // <= 3 px apart: corners stay
      for (let k = 0; k <= n; k++) {
        const p = piece.getPointAtLength(len * k / n);
        pts.push([k ? 'L' : 'M', ...f(p.x, p.y)]);
      }
      piece.remove();
    }
    return pts;
  };
  const label = (el, raw, labelType) => {
    if (!el || !raw) return null;
    // The colour the text is drawn in: its innermost span with text (classDef color: lands there).
    const spans = [...el.querySelectorAll('text, tspan')].filter((t) => t.textContent.trim());
    const text = spans.length ? spans[spans.length - 1] : el.querySelector('text');
    const s = text ? getComputedStyle(text) : null;
    return {raw: String(raw), markdown: labelType === 'markdown', box: box(el),
            color: s ? hex(s.fill) : null, size: s ? r2(parseFloat(s.fontSize)) : 16,
            bold: s ? Number(s.fontWeight) >= 600 : false};
  };
  // style, class or classDef default: Mermaid compiled them into cssCompiledStyles.
  const styledBy = (n) => (n.cssStyles || []).length > 0 || (n.cssCompiledStyles || []).length > 0 ||
    String(n.cssClasses || '').split(/\s+/).some((c) => c && c !== 'default');
  const data = db.getData();
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const depth = (n) => {
    let d = 0;
    for (let p = n.parentId; p && byId.has(p); p = byId.get(p).parentId) d++;
    return d;
  };
  const unsupported = [];
  const nodes = [], clusters = [];
  for (const n of data.nodes) {
    if (n.isGroup) {
      const g = shown.querySelector('#' + CSS.escape(id + '-' + n.id));
      const rect = g && g.querySelector(':scope > rect');
      if (!rect) { unsupported.push('subgraph ' + n.id + ' not found in the SVG'); continue; }
      clusters.push({id: n.id, box: box(rect), paint: paint(rect), styled: styledBy(n), depth: depth(n),
                     title: label(g.querySelector(':scope > .cluster-label'), n.label, n.labelType)});
      continue;
    }
    if (n.img || n.icon || /^(image|icon)/i.test(n.shape || '')) unsupported.push('image/icon node ' + n.id);
    const g = shown.querySelector('#' + CSS.escape(id + '-' + n.domId));
    const shapeEl = g && [...g.children].find((c) => !c.classList.contains('label'));
    const el = shapeEl && geom(shapeEl);
    if (!el) { unsupported.push('node ' + n.id + ' not found in the SVG'); continue; }
    // What Mermaid draws besides the outline (a second ring, an X, dividing lines, stacked copies).
    const parts = [shapeEl, ...shapeEl.querySelectorAll(GEOM)].filter((x) => x !== el && x.matches(GEOM));
    nodes.push({id: n.id, shape: n.shape || 'squareRect', box: box(shapeEl), paint: paint(el), styled: styledBy(n),
                label: label(g.querySelector(':scope > .label'), n.label, n.labelType), outline: ops(el),
                detail: parts.flatMap(ops)});
  }
  const paths = new Map([...shown.querySelectorAll('path[data-id]')].map((p) => [p.getAttribute('data-id'), p]));
  const labels = new Map([...shown.querySelectorAll('.edgeLabel .label[data-id]')]
    .map((l) => [l.getAttribute('data-id'), l]));
  const edges = [];
  for (const e of data.edges) {
    const p = paths.get(e.id);
    if (!p) { unsupported.push('edge ' + e.id + ' not found in the SVG'); continue; }
    let path = ops(p);
    // Mermaid stops a line short of its arrowhead; DrawingML draws the head at the line's end, so
    // end where Mermaid's routed points do (on the node's border), unless Mermaid cut the line at a
    // subgraph's frame. A circle end is centred where Mermaid centres its circle marker.
    const f = mapper(p);
    const moveEnd = (to) => {
      const last = path[path.length - 1], out = [...last], n = last.length;
      const dx = to[0] - last[n - 2], dy = to[1] - last[n - 1];
      out[n - 2] = to[0]; out[n - 1] = to[1];
      if (last[0] === 'C') { out[3] += dx; out[4] += dy; }
      path[path.length - 1] = out;
    };
    const moveStart = (to) => {
      const dx = to[0] - path[0][1], dy = to[1] - path[0][2], next = path[1];
      path[0] = ['M', to[0], to[1]];
      if (next[0] === 'C') path[1] = ['C', next[1] + dx, next[2] + dy, ...next.slice(3)];
    };
    const MARKER_GAP = 16;  // px: above Mermaid's arrowhead offset, below any cut at a frame
    const CIRCLE_BACK = 6.6;  // px: Mermaid's circle marker centre before the line's end
    let pts = null;
    try { pts = JSON.parse(atob(p.getAttribute('data-points') || '')); } catch (err) { pts = null; }
    if (path.length > 1 && path[0][0] === 'M') {
      const near = (q, x, y) => {
        if (!q) return null;
        const [nx, ny] = f(q.x, q.y);
        return Math.hypot(nx - x, ny - y) <= MARKER_GAP ? [nx, ny] : null;
      };
      const len = p.getTotalLength(), at = (d) => { const q = p.getPointAtLength(d); return f(q.x, q.y); };
      const last = path[path.length - 1], ok = Array.isArray(pts) && pts.length > 1;
      const end = ok && e.arrowTypeEnd === 'arrow_point' &&
        near(pts[pts.length - 1], last[last.length - 2], last[last.length - 1]);
      if (end) moveEnd(end);
      else if (e.arrowTypeEnd === 'arrow_circle' && len > 2 * CIRCLE_BACK) moveEnd(at(len - CIRCLE_BACK));
      const start = ok && e.arrowTypeStart === 'arrow_point' && near(pts[0], path[0][1], path[0][2]);
      if (start) moveStart(start);
      else if (e.arrowTypeStart === 'arrow_circle' && len > 2 * CIRCLE_BACK) moveStart(at(CIRCLE_BACK));
    }
    const l = labels.get(e.id);
    const inner = l && (l.querySelector(':scope > g') || l);
    edges.push({id: e.id, source: e.start, target: e.end, path, start: e.arrowTypeStart || 'none',
                end: e.arrowTypeEnd || 'none', paint: {...paint(p), dashed: paint(p).dashed || e.pattern === 'dotted'},
                styled: (e.style || []).length > 0 || (e.cssCompiledStyles || []).length > 0,
                thick: e.thickness === 'thick', label: e.label ? label(inner, e.label, e.labelType) : null});
  }
  return {scene: {nodes, clusters, edges}, unsupported};
};
