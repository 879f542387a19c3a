// Mermaid's own render of a flowchart, read back as plain data: the reference the fidelity test
// compares our slides with. Deliberately independent of deck/diagrams/scene.js: the raw SVG of
// mermaid.render() is put in the page and read with the DOM (computed styles, marker
// definitions); only the shape names and edge ends come from Mermaid's flowchart db.
async ({id, src}) => {
  const hex = (c) => {
    const m = String(c || '').match(/rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?/);
    if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
    return [m[1], m[2], m[3]].map((v) => Math.round(Number(v)).toString(16).padStart(2, '0')).join('').toUpperCase();
  };
  const {svg} = await mermaid.render(id, src);
  const host = document.createElement('div');
  host.id = 'reference';
  document.getElementById('reference')?.remove();
  document.body.appendChild(host);
  host.innerHTML = svg;
  const root = host.querySelector('svg');
  const vb = root.viewBox.baseVal;
  const db = (await mermaid.mermaidAPI.getDiagramFromText(src)).db.getData();
  const text = (el) => {
    if (!el) return '';
    const t = [...el.querySelectorAll('text')].map((x) => x.textContent).join(' ');
    return t.replace(/\s+/g, ' ').trim();
  };
  const ink = (el) => {  // the colour of a label's visible text: its innermost tspan with text
    const spans = el ? [...el.querySelectorAll('tspan, text')].filter((s) => s.textContent.trim()) : [];
    return spans.length ? hex(getComputedStyle(spans[spans.length - 1]).fill) : null;
  };
  const GEOM = 'rect,circle,ellipse,path,polygon,polyline,line';
  // Points in the root's user space (what viewBox coordinates are).
  const toRoot = (el) => root.getScreenCTM().inverse().multiply(el.getScreenCTM());
  const nodes = [];
  for (const n of db.nodes) {
    if (n.isGroup) continue;
    const g = root.querySelector('#' + CSS.escape(id + '-' + n.domId));
    if (!g) continue;
    const parts = [...g.querySelectorAll(GEOM)].filter((el) => !el.closest('.label'));
    const s = parts.map((el) => getComputedStyle(el));
    const fill = s.map((x) => hex(x.fill)).find(Boolean) || null;
    const stroke = s.filter((x) => parseFloat(x.strokeWidth) > 0).map((x) => hex(x.stroke)).find(Boolean) || null;
    const r = g.getBoundingClientRect();
    const label = text(g.querySelector(':scope > .label'));
    nodes.push({id: n.id, domId: n.domId, shape: n.shape || 'squareRect', label, fill, stroke,
                color: ink(g.querySelector(':scope > .label')), parts: parts.length, visible: r.width > 0});
  }
  const clusters = [...root.querySelectorAll('g.cluster')].map((g) => {
    const rect = g.querySelector(':scope > rect');
    const s = rect ? getComputedStyle(rect) : null;
    const title = g.querySelector(':scope > .cluster-label');
    return {id: g.id.slice(id.length + 1), title: text(title), color: ink(title),
            fill: s ? hex(s.fill) : null, stroke: s ? hex(s.stroke) : null, width: s ? parseFloat(s.strokeWidth) || 0 : 0};
  });
  const byId = new Map(db.edges.map((e) => [e.id, e]));
  const markerOf = (url) => {  // url("#id") -> the marker element
    const m = String(url || '').match(/#([^)"']+)/);
    return m ? root.querySelector('#' + CSS.escape(m[1])) : null;
  };
  const kind = (marker) => {
    if (!marker) return 'none';
    const name = marker.id.slice(id.length).toLowerCase();  // the diagram's id may say "circle" too
    return /circle/.test(name) ? 'circle' : /cross/.test(name) ? 'cross' : /point|arrow/.test(name) ? 'arrow' : 'other';
  };
  // Where a marker draws, in root user space: its shape's centre and the point farthest along the
  // edge (the tip), from the marker's refX/refY, viewBox and size (orient="auto").
  const placed = (path, marker, atEnd) => {
    const shape = marker.querySelector(GEOM);
    if (!shape) return null;
    // The marker's anchor (the path's end or start) and the path's forward direction there.
    const len = path.getTotalLength();
    const a = path.getPointAtLength(atEnd ? Math.max(len - 1, 0) : 0);
    const b = path.getPointAtLength(atEnd ? len : Math.min(1, len));
    const m = toRoot(path);
    const pa = new DOMPoint(a.x, a.y).matrixTransform(m), pb = new DOMPoint(b.x, b.y).matrixTransform(m);
    let ang = Math.atan2(pb.y - pa.y, pb.x - pa.x);
    const anchor = atEnd ? pb : pa;
    const orient = marker.getAttribute('orient') || '0';
    if (orient === 'auto-start-reverse' && !atEnd) ang += Math.PI;
    else if (!/auto/.test(orient)) ang = Number(orient) * Math.PI / 180;
    const box = marker.viewBox.baseVal;
    const sx = box && box.width ? marker.markerWidth.baseVal.value / box.width : 1;
    const sy = box && box.height ? marker.markerHeight.baseVal.value / box.height : 1;
    const units = marker.getAttribute('markerUnits') === 'userSpaceOnUse' ? 1 :
      parseFloat(getComputedStyle(path).strokeWidth) || 1;
    const bb = shape.getBBox(), rx = marker.refX.baseVal.value, ry = marker.refY.baseVal.value;
    const at = (x, y) => {
      const u = (x - rx) * sx * units, v = (y - ry) * sy * units;
      return [anchor.x + u * Math.cos(ang) - v * Math.sin(ang) - vb.x,
              anchor.y + u * Math.sin(ang) + v * Math.cos(ang) - vb.y];
    };
    // tip: the marker's extreme toward the node it points at.
    return {centre: at(bb.x + bb.width / 2, bb.y + bb.height / 2), tip: at(atEnd ? bb.x + bb.width : bb.x, ry),
            size: Math.max(bb.width * sx, bb.height * sy) * units};
  };
  const edges = [];
  for (const p of root.querySelectorAll('path[data-id]')) {
    const e = byId.get(p.getAttribute('data-id'));
    if (!e) continue;
    const s = getComputedStyle(p);
    const width = parseFloat(s.strokeWidth) || 0;
    const drawn = s.stroke !== 'none' && width > 0 && s.visibility !== 'hidden' && Number(s.opacity) > 0 &&
      !p.classList.contains('invisible');
    const gaps = (s.strokeDasharray || 'none').split(/[\s,]+/).map(parseFloat).filter(Number.isFinite);
    const ends = {};
    for (const [side, prop] of [['start', 'markerStart'], ['end', 'markerEnd']]) {
      const marker = markerOf(s[prop] !== 'none' ? s[prop] : p.getAttribute('marker-' + side));
      ends[side] = kind(marker);
      ends[side + '_at'] = marker ? placed(p, marker, side === 'end') : null;
    }
    const lab = root.querySelector('.edgeLabel .label[data-id="' + CSS.escape(e.id) + '"]');
    edges.push({id: e.id, source: e.start, target: e.end, drawn, stroke: hex(s.stroke), width,
                dashed: gaps.length > 0 && gaps.some((v) => v > 0) && !(gaps.length === 2 && gaps[1] === 0),
                label: text(lab), color: ink(lab), ...ends});
  }
  return {width: vb.width, height: vb.height, nodes, clusters, edges};
}
