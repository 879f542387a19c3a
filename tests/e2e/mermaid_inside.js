// Whether points (root user space, the viewBox origin at 0, 0) lie inside a node of the reference
// render left in the page by mermaid_reference.js: [[domId, x, y], ...] -> [true|false, ...].
(queries) => {
  const root = document.querySelector('#reference svg');
  const vb = root.viewBox.baseVal;
  const GEOM = 'rect,circle,ellipse,path,polygon';
  return queries.map(([domId, x, y]) => {
    const g = [...root.querySelectorAll('g.node')].find((n) => n.id.endsWith('-' + domId));
    if (!g) return false;
    return [...g.querySelectorAll(GEOM)].filter((el) => !el.closest('.label')).some((el) => {
      const m = el.getScreenCTM().inverse().multiply(root.getScreenCTM());
      const p = new DOMPoint(x + vb.x, y + vb.y).matrixTransform(m);
      return el.isPointInFill(p);
    });
  });
}
