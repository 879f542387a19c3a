// What a second SVG engine (Aspose.Slides, seen in a test) gets wrong in Mermaid's SVG, fixed in the
// saved copy (out) only, read from the page's drawing (live, same structure): markers (arrowheads)
// it drops become plain shapes beside their line; rects without a size, which draw nothing, it
// paints over the whole picture, so they go; word tspans lose their leading space there, so
// neighbours that look the same are merged into one; em lengths in text positions become px.
const MARKERS = [['marker-start', 'start'], ['marker-end', 'end']];

// The transform that places a marker's content at one end of a drawn line (SVG 2, "painting markers").
const markerTransform = (line, marker, at) => {
  const len = line.getTotalLength();
  if (!(len > 0)) return null;
  const step = Math.min(0.5, len / 2);
  const [p, q] = at === 'end' ? [line.getPointAtLength(len), line.getPointAtLength(len - step)]
    : [line.getPointAtLength(0), line.getPointAtLength(step)];
  const along = at === 'end' ? Math.atan2(p.y - q.y, p.x - q.x) : Math.atan2(q.y - p.y, q.x - p.x);
  const orient = marker.getAttribute('orient') || '0';
  let angle = parseFloat(orient) || 0;
  if (orient === 'auto' || orient === 'auto-start-reverse') {
    angle = along * 180 / Math.PI + (orient === 'auto-start-reverse' && at === 'start' ? 180 : 0);
  }
  const units = marker.getAttribute('markerUnits') === 'userSpaceOnUse' ? 1
    : parseFloat(getComputedStyle(line).strokeWidth) || 1;
  let sx = 1, sy = 1;
  const vb = (marker.getAttribute('viewBox') || '').trim().split(/[\s,]+/).map(Number);
  if (vb.length === 4 && vb[2] > 0 && vb[3] > 0) {
    sx = (parseFloat(marker.getAttribute('markerWidth')) || 3) / vb[2];
    sy = (parseFloat(marker.getAttribute('markerHeight')) || 3) / vb[3];
    if ((marker.getAttribute('preserveAspectRatio') || '').trim() !== 'none') sx = sy = Math.min(sx, sy);
  }
  const r = (v) => Math.round(v * 1000) / 1000;
  const refX = parseFloat(marker.getAttribute('refX')) || 0, refY = parseFloat(marker.getAttribute('refY')) || 0;
  return `translate(${r(p.x)} ${r(p.y)}) rotate(${r(angle)}) scale(${r(sx * units)} ${r(sy * units)}) ` +
    `translate(${r(-refX)} ${r(-refY)})`;
};

const PLACED = ['x', 'y', 'dx', 'dy', 'rotate'];
// A tspan that continues the one before it in the same look (position attributes only on the first).
const continues = (span, next) => next && next.localName === 'tspan' && !span.children.length &&
  !next.children.length && !PLACED.some((a) => next.hasAttribute(a)) &&
  [...span.attributes].filter((a) => !PLACED.includes(a.name)).length === next.attributes.length &&
  [...next.attributes].every((a) => span.getAttribute(a.name) === a.value);

const portable = (shown, root) => {
  // inlineStyles took the style sheets out of the saved copy only.
  const live = [shown, ...shown.querySelectorAll('*')].filter((el) => el.localName !== 'style');
  const out = [root, ...root.querySelectorAll('*')];
  const index = new Map(live.map((el, i) => [el, i]));
  const heads = [], empty = [];
  live.forEach((el, i) => {
    if (el.localName === 'text' || el.localName === 'tspan') {
      // Text positions in em (Mermaid's line spacing) in px: that engine read "1.1em" as 1.1 px.
      const size = parseFloat(getComputedStyle(el).fontSize) || 16;
      for (const name of PLACED.slice(0, 4)) {
        const v = out[i].getAttribute(name);
        if (v && /em/.test(v)) {
          out[i].setAttribute(name, v.trim().split(/[\s,]+/).map((x) =>
            (x.endsWith('em') ? String(Math.round(parseFloat(x) * size * 1000) / 1000) : x)).join(' '));
        }
      }
    }
    if (el.localName === 'rect') {
      const b = el.getBBox();
      if (!(b.width > 0 && b.height > 0)) empty.push(out[i]);
    }
    if (!(el instanceof SVGGeometryElement) || el.closest('marker')) return;
    for (const [prop, at] of MARKERS) {
      const id = /url\(\s*["']?#([^"')]+)["']?\s*\)/.exec(getComputedStyle(el).getPropertyValue(prop));
      const marker = id && shown.querySelector('marker#' + CSS.escape(id[1]));
      const transform = marker && markerTransform(el, marker, at);
      if (transform) heads.push({line: out[i], content: out[index.get(marker)], transform});
    }
  });
  for (const {line, content, transform} of heads.reverse()) {
    const g = root.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'g');
    // The marker is drawn in the line's own coordinates, its transform included.
    g.setAttribute('transform', ((line.getAttribute('transform') || '') + ' ' + transform).trim());
    for (const child of content.children) {
      const copy = child.cloneNode(true);
      for (const el of [copy, ...copy.querySelectorAll('[id]')]) el.removeAttribute('id');
      g.append(copy);
    }
    line.after(g);
  }
  for (const el of out) for (const [prop] of MARKERS) el.removeAttribute(prop);
  for (const marker of [...root.querySelectorAll('marker')]) marker.remove();
  for (const rect of empty) rect.remove();
  for (const span of [...root.querySelectorAll('tspan')]) {
    if (!span.parentNode) continue;  // merged into the one before it
    for (let next = span.nextElementSibling; continues(span, next); next = span.nextElementSibling) {
      span.textContent += next.textContent;
      next.remove();
    }
  }
  for (const el of root.querySelectorAll('text, tspan')) {
    // y + dy as one y: that engine ignored dy beside y and drew every label a line too high.
    const y = el.getAttribute('y'), dy = el.getAttribute('dy');
    if (y && dy && /^-?[\d.]+$/.test(y.trim()) && /^-?[\d.]+$/.test(dy.trim())) {
      el.setAttribute('y', String(Math.round((parseFloat(y) + parseFloat(dy)) * 1000) / 1000));
      el.removeAttribute('dy');
    }
    // It also drops a space at either end of a tspan (between two looks): a no-break space stays.
    if (el.localName === 'tspan' && !el.children.length) el.textContent = el.textContent.replace(/^ | $/g, '\u00a0');
  }
};
