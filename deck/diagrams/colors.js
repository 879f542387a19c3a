// Computed rgb()/rgba() -> RRGGBB: shared by the style inliner and the scene reader.
const rgba = (c) => {
  const m = /rgba?\(([^)]+)\)/.exec(c || '');
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return {hex: p.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('').toUpperCase(),
          alpha: p.length > 3 ? p[3] : 1};
};
const hex = (c) => { const v = rgba(c); return v && v.alpha > 0 ? v.hex : null; };
