// With htmlLabels off Mermaid writes <sub>, <sup>, <b>/<strong>, <i>/<em> as literal text, each tag a
// word of its own with a space before it. Turn them into tspans carrying explicit attributes (dy +
// font-size, font-weight, font-style: engines that ignore style sheets draw them too), in the saved
// SVG (out) and in the page the PNG is taken of (live), which have the same structure.
const RICH_TAG = /<\s*(\/?)\s*(sub|sup|b|strong|i|em)\s*>/gi;
const SHIFT = {sub: {size: 0.7, dy: 0.25}, sup: {size: 0.7, dy: -0.4}};  // in ems of the line's size
const TEXT_PUNCT = /^[)\]}.,;:!?%，。；：、！？）】」』]/;
const isTag = (w) => new RegExp('^' + RICH_TAG.source + '$', 'i').exec(w);

// Mermaid joins a line's words with single spaces: whether the source had a space there is read
// from the source itself, else guessed (a tag hugs its neighbours; a closing tag keeps a space
// before a following word unless that starts with punctuation).
const gapsOf = (words, src) => {
  const esc = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(words.map(esc).join('([\\s*_`]*)')).exec(src);
  if (found) return words.map((_, i) => (i === 0 ? false : /\s/.test(found[i])));
  return words.map((w, i) => {
    if (i === 0) return false;
    const prev = isTag(words[i - 1]), here = isTag(w);
    if (here && (here[1] || /^su[bp]$/i.test(here[2]))) return false;
    if (prev && !prev[1]) return false;
    if (prev && prev[1]) return !TEXT_PUNCT.test(w);
    return true;
  });
};

// Leaves (text/tspan holding only text) grouped by parent: one group is one drawn line.
const lineGroups = (text) => {
  const leaves = [text, ...text.querySelectorAll('tspan')].filter((el) => el.children.length === 0);
  const groups = [];
  for (const leaf of leaves) {
    const last = groups[groups.length - 1];
    if (last && leaf !== text && last[0].parentNode === leaf.parentNode) last.push(leaf);
    else groups.push([leaf]);
  }
  return groups;
};

// One line's leaves -> pieces {leaf, text, shift, bold, italic}; null when it holds no tag.
const piecesOf = (leaves, src) => {
  let words = leaves.map((l) => l.textContent);
  if (!words.some((w) => new RegExp(RICH_TAG.source, 'i').test(w))) return null;
  if (leaves.length > 1 && words.slice(1).every((w) => w.startsWith(' '))) {
    words = words.map((w, i) => (i ? w.slice(1) : w));
    const gaps = gapsOf(words, src);
    words = words.map((w, i) => (gaps[i] ? ' ' + w : w));
  }
  const pieces = [];
  let shift = null, bold = false, italic = false;
  words.forEach((word, i) => {
    let pos = 0;
    for (const m of [...word.matchAll(RICH_TAG), null]) {
      const chunk = m ? word.slice(pos, m.index) : word.slice(pos);
      const last = pieces[pieces.length - 1];
      if (chunk && last && last.leaf === leaves[i] && last.shift === shift && last.bold === bold &&
          last.italic === italic) last.text += chunk;
      else if (chunk) pieces.push({leaf: leaves[i], text: chunk, shift, bold, italic});
      if (!m) break;
      pos = m.index + m[0].length;
      const closing = Boolean(m[1]), tag = m[2].toLowerCase();
      if (tag === 'sub' || tag === 'sup') shift = closing ? null : tag;
      else if (tag === 'b' || tag === 'strong') bold = !closing;
      else italic = !closing;
    }
  });
  return pieces;
};

// Replace one line's leaves by tspans, in both trees; size is the line's font size in px. Mermaid's
// word tspans are copied (they carry its markdown bold/italic); a single leaf (a whole line, maybe
// positioned with x/y) keeps its place and gets plain tspans inside.
const round = (v) => String(Math.round(v * 100) / 100);
const rewriteLine = (outLeaves, liveLeaves, pieces, size) => {
  const words = outLeaves.length > 1;
  const firsts = [];
  for (const [leaves, live] of [[liveLeaves, true], [outLeaves, false]]) {
    let offset = 0;
    const made = pieces.map((p) => {
      const leaf = leaves[outLeaves.indexOf(p.leaf)];
      const span = words ? leaf.cloneNode(false)
        : leaf.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'tspan');
      const set = (name, value) => { span.setAttribute(name, value); if (live) span.style.setProperty(name, value); };
      const want = p.shift ? SHIFT[p.shift].dy * size : 0;
      if (want !== offset) span.setAttribute('dy', round(want - offset));
      offset = want;
      if (p.shift) set('font-size', round(SHIFT[p.shift].size * size) + 'px');
      if (p.bold) set('font-weight', 'bold');
      if (p.italic) set('font-style', 'italic');
      span.textContent = p.text;
      return span;
    });
    firsts.push(made[0]);
    if (!words) { leaves[0].replaceChildren(...made); continue; }
    leaves[0].before(...made);
    for (const leaf of leaves) leaf.remove();
  }
  return firsts;
};

// A subgraph title is placed from its left end at Mermaid's measured width: the shorter text moves
// right by half of what it lost, so it stays centred.
const recentre = (liveLine, firsts, before) => {
  if (!liveLine.closest('.cluster-label') || getComputedStyle(liveLine).textAnchor !== 'start') return;
  const dx = (before - liveLine.getComputedTextLength()) / 2;
  if (Math.abs(dx) >= 0.01) for (const span of firsts) span.setAttribute('dx', round(dx));
};

const richText = (out, live, src) => {
  const outTexts = [...out.querySelectorAll('text')], liveTexts = [...live.querySelectorAll('text')];
  outTexts.forEach((text, t) => {
    const outLines = lineGroups(text), liveLines = lineGroups(liveTexts[t]);
    outLines.forEach((leaves, i) => {
      const pieces = piecesOf(leaves, src);
      if (!pieces) return;
      const live = liveLines[i], line = live.length > 1 ? live[0].parentNode : live[0];
      const size = parseFloat(getComputedStyle(live[0]).fontSize) || 16, before = line.getComputedTextLength();
      recentre(line, rewriteLine(leaves, live, pieces, size), before);
    });
  });
};
