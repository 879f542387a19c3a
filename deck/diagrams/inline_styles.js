// The fallback SVG must draw the same in engines that ignore <style> sheets: every painted
// element gets its computed paint (and text its font) as presentation attributes, then the
// sheet, classes and style attributes go. Uses rgba() from colors.js.
const PAINT = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin'];
const FONT = ['font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline'];
const PAINTED = new Set(['path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan']);
// A dash array without a gap (an odd-length list repeats) draws a solid line.
const solid = (dashes) => {
  const d = dashes.split(/[\s,]+/).map(parseFloat);
  return !(d.length % 2 ? [...d, ...d] : d).some((v, i) => i % 2 === 1 && v > 0);
};
const inlineStyles = (shown, root) => {
  const live = [shown, ...shown.querySelectorAll('*')], out = [root, ...root.querySelectorAll('*')];
  for (let i = 0; i < out.length; i++) {
    const el = out[i], name = el.localName;
    if (PAINTED.has(name) && live[i] && live[i].localName === name) {
      const s = getComputedStyle(live[i]);
      for (const prop of PAINT) {
        const v = s.getPropertyValue(prop);
        if (prop === 'fill' || prop === 'stroke') {
          const c = rgba(v);
          el.setAttribute(prop, c && c.alpha > 0 ? '#' + c.hex : 'none');
          if (c && c.alpha > 0 && c.alpha < 1) el.setAttribute(prop + '-opacity', String(c.alpha));
        } else if (prop === 'stroke-dasharray' && v && v !== 'none' && solid(v)) {
          el.setAttribute(prop, 'none');  // same line; one engine drew no picture at all for "1px, 0px"
        } else if (v) el.setAttribute(prop, v);
      }
      const opacity = parseFloat(s.opacity);
      if (opacity < 1) el.setAttribute('opacity', String(opacity));
      if (s.display === 'none') el.setAttribute('display', 'none');
      if (s.visibility === 'hidden') el.setAttribute('visibility', 'hidden');
      if (name === 'text' || name === 'tspan') for (const prop of FONT) el.setAttribute(prop, s.getPropertyValue(prop));
    }
    if (el !== root) { el.removeAttribute('class'); el.removeAttribute('style'); }
  }
  for (const sheet of [...root.querySelectorAll('style')]) sheet.remove();
  root.removeAttribute('class');
};
