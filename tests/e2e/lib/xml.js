'use strict';
// A minimal XML reader for Twilio's <TwilioResponse> documents (elements, attributes, text;
// no DTDs, no CDATA, no namespaces). Enough to check structure and values in tests without
// another dependency. parse() throws on malformed input.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s) => s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e) => {
  if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  if (e in ENTITIES) return ENTITIES[e];
  throw new Error(`unknown entity ${m}`);
});

/** Returns the root element: {name, attrs, children: [element], text}. */
function parse(xml) {
  let i = 0;
  const s = xml.replace(/^\uFEFF/, '');
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(s.slice(i))[0];
      i += ws.length;
      if (s.startsWith('<?', i)) { i = s.indexOf('?>', i) + 2; if (i < 2) throw new Error('unterminated <?'); }
      else if (s.startsWith('<!--', i)) { i = s.indexOf('-->', i) + 3; if (i < 3) throw new Error('unterminated comment'); }
      else return;
    }
  };
  const element = () => {
    const m = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(s.slice(i));
    if (!m) throw new Error(`expected an element at ${i}: ${JSON.stringify(s.slice(i, i + 40))}`);
    i += m[0].length;
    const attrs = {};
    for (const a of m[2].matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]] = decode(a[2] ?? a[3]);
    const el = { name: m[1], attrs, children: [], text: '' };
    if (m[3]) return el;
    for (;;) {
      const lt = s.indexOf('<', i);
      if (lt < 0) throw new Error(`unterminated <${el.name}>`);
      el.text += decode(s.slice(i, lt));
      i = lt;
      if (s.startsWith('</', i)) {
        const close = /^<\/([\w.-]+)\s*>/.exec(s.slice(i));
        if (!close || close[1] !== el.name) throw new Error(`mismatched close of <${el.name}> at ${i}`);
        i += close[0].length;
        if (el.children.length) el.text = el.text.trim() === '' ? '' : el.text;
        return el;
      }
      if (s.startsWith('<!--', i)) { i = s.indexOf('-->', i) + 3; continue; }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== s.length) throw new Error(`trailing content after the root element: ${JSON.stringify(s.slice(i, i + 40))}`);
  return root;
}

const child = (el, name) => el.children.find((c) => c.name === name);

module.exports = { parse, child };
