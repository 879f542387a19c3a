// Runs in the page: parse + render, then check and normalise the SVG before it touches the live
// document. Errors come back as data (message + line) because exceptions lose Mermaid's hash.
// Uses inlineStyles (inline_styles.js), richText (rich_text.js), portable (portable.js) and sceneOf
// (scene.js), defined before it.
async ({id, src, scale, minLong, maxLong, withScene, maxText}) => {
  const fail = (e) => {
    document.getElementById('d' + id)?.remove();  // a failed render leaves its container behind
    const h = e && e.hash;
    let line = null;
    if (h && h.loc && Number.isInteger(h.loc.first_line)) line = h.loc.first_line;
    else if (h && Number.isInteger(h.line)) line = h.line + 1;
    return {error: String((e && e.message) || e), line};
  };
  let svg;
  try {
    await mermaid.parse(src);
    ({svg} = await mermaid.render(id, src));
  } catch (e) {
    return fail(e);
  }
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.localName !== 'svg') {
    const why = (doc.querySelector('parsererror')?.textContent || '').replace(/\s+/g, ' ').trim();
    return {error: 'Mermaid did not return an SVG document' + (why ? ' (' + why.slice(0, 200) + ')' : '')};
  }
  // Mermaid draws some failures as a picture instead of throwing: never cache one of those.
  const role = root.getAttribute('aria-roledescription') || '';
  if (role === 'error') return {error: 'Mermaid drew its error picture (syntax error in text)'};
  if (src.length > maxText || /Maximum text size in diagram exceeded/.test(root.textContent)) {
    return {error: 'Mermaid drew its error picture (maximum text size in diagram exceeded)'};
  }
  const problems = new Set();
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const name = el.localName.toLowerCase();
    if (name === 'foreignobject') problems.add('foreignObject (HTML labels: remove htmlLabels from its config)');
    if (name === 'script') problems.add('<script> element');
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) problems.add('event handler attribute ' + a.name);
      if (/^javascript:/i.test(a.value.replace(/[\s\u0000-\u001f]/g, ''))) {
        problems.add('javascript: URL in ' + a.name);
      }
    }
  }
  if (problems.size) return {error: 'unsafe or unsupported SVG: ' + [...problems].join(', ')};
  const vb = (root.getAttribute('viewBox') || '').trim().split(/[\s,]+/).map(Number);
  if (vb.length !== 4 || !vb.every(Number.isFinite) || vb[2] <= 0 || vb[3] <= 0) {
    return {error: 'Mermaid returned an SVG without a usable viewBox'};
  }
  const w = Math.round(vb[2] * 100) / 100, h = Math.round(vb[3] * 100) / 100;
  // Absolute size instead of width="100%" + max-width, so PowerPoint and viewers size it right.
  root.setAttribute('width', String(w));
  root.setAttribute('height', String(h));
  root.style.removeProperty('max-width');
  if (!root.getAttribute('style')) root.removeAttribute('style');
  // Larger than its natural size if scale alone would not reach the minimum PNG size; smaller if it
  // would pass the maximum (a huge PNG is slow to take and past Chromium's texture limit).
  const k = Math.min(Math.max(1, (minLong + 1) / (Math.max(w, h) * scale)), maxLong / (Math.max(w, h) * scale));
  const shown = document.importNode(root, true);
  shown.style.width = Math.ceil(w * k) + 'px';
  shown.style.height = Math.ceil(h * k) + 'px';
  document.getElementById('stage').replaceChildren(shown);
  let scene = null, unsupported = [];
  if (withScene && role === 'flowchart-v2') {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(src);
    ({scene, unsupported} = sceneOf(shown, diagram.db, id, vb[0], vb[1]));
    scene.width = w; scene.height = h;
  }
  inlineStyles(shown, root);
  richText(root, shown, src);  // after the scene: native labels read Mermaid's own markup
  portable(shown, root);
  const out = new XMLSerializer().serializeToString(root);
  const r = shown.getBoundingClientRect();
  // The scene as JSON text: Playwright hands a string over whole, but walks and checks an object
  // value by value (~2 s of Python for the 100 corpus flowcharts). Undefined becomes null, as it did;
  // JSON has no NaN or Infinity, so a scene holding one stays a picture.
  let nonFinite = false;
  const sceneJson = scene && JSON.stringify(scene, (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) nonFinite = true;
    return value === undefined ? null : value;
  });
  if (nonFinite) unsupported.push('a size or position the browser could not measure');
  return {svg: out, clip: {x: r.x, y: r.y, width: r.width, height: r.height}, scene: sceneJson, unsupported, role};
}
