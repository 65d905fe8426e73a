'use strict';
// Minimal XML property-list reader/writer for the launchd emulator (no npm deps; node >= 18).
// Supports dict, array, string, integer, real, true, false, date, data. Binary plists are refused.

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e];
  });
}

function encodeEntities(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Tokenises tags and text; comments, PI and DOCTYPE are dropped. */
function tokenize(xml) {
  const body = xml
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[\s\S]*?>/g, '');
  const tokens = [];
  const re = /<(\/?)([A-Za-z]+)([^>]*?)(\/?)>|([^<]+)/g;
  let m;
  while ((m = re.exec(body)) !== null) {
    if (m[5] !== undefined) {
      tokens.push({ text: m[5] });
      continue;
    }
    tokens.push({ close: m[1] === '/', name: m[2], selfClose: m[4] === '/' });
  }
  return tokens;
}

function parsePlist(xml) {
  if (xml.startsWith('bplist')) throw new Error('binary plist not supported by the emulator');
  const toks = tokenize(xml).filter((t) => !(t.text !== undefined && t.text.trim() === ''));
  let i = 0;
  const expectOpen = () => {
    const t = toks[i++];
    if (!t || t.text !== undefined || t.close) throw new Error(`plist: unexpected token at ${i}`);
    return t;
  };
  const textUntilClose = (name) => {
    let s = '';
    while (toks[i] && toks[i].text !== undefined) s += toks[i++].text;
    const c = toks[i++];
    if (!c || !c.close || c.name !== name) throw new Error(`plist: expected </${name}>`);
    return decodeEntities(s);
  };
  const value = () => {
    const t = expectOpen();
    switch (t.name) {
      case 'dict': {
        const out = {};
        if (t.selfClose) return out;
        for (;;) {
          const k = toks[i];
          if (k && k.close && k.name === 'dict') {
            i++;
            return out;
          }
          const kt = expectOpen();
          if (kt.name !== 'key') throw new Error('plist: dict expects <key>');
          const key = kt.selfClose ? '' : textUntilClose('key');
          out[key] = value();
        }
      }
      case 'array': {
        const out = [];
        if (t.selfClose) return out;
        for (;;) {
          const k = toks[i];
          if (k && k.close && k.name === 'array') {
            i++;
            return out;
          }
          out.push(value());
        }
      }
      case 'string':
        return t.selfClose ? '' : textUntilClose('string');
      case 'integer': {
        const n = Number(textUntilClose('integer').trim());
        if (!Number.isInteger(n)) throw new Error('plist: bad integer');
        return n;
      }
      case 'real':
        return Number(textUntilClose('real').trim());
      case 'true':
        if (!t.selfClose) textUntilClose('true');
        return true;
      case 'false':
        if (!t.selfClose) textUntilClose('false');
        return false;
      case 'date':
        return new Date(textUntilClose('date').trim());
      case 'data':
        return Buffer.from(textUntilClose('data').replace(/\s+/g, ''), 'base64');
      default:
        throw new Error(`plist: unsupported element <${t.name}>`);
    }
  };
  const root = expectOpen();
  if (root.name !== 'plist') throw new Error('plist: root element must be <plist>');
  const v = value();
  const end = toks[i++];
  if (!end || !end.close || end.name !== 'plist') throw new Error('plist: expected </plist>');
  return v;
}

function renderValue(v, ind) {
  const pad = '\t'.repeat(ind);
  if (v === true) return `${pad}<true/>`;
  if (v === false) return `${pad}<false/>`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${pad}<integer>${v}</integer>` : `${pad}<real>${v}</real>`;
  if (typeof v === 'string') return `${pad}<string>${encodeEntities(v)}</string>`;
  if (Array.isArray(v)) return [`${pad}<array>`, ...v.map((x) => renderValue(x, ind + 1)), `${pad}</array>`].join('\n');
  if (v && typeof v === 'object') {
    const lines = [`${pad}<dict>`];
    for (const [k, x] of Object.entries(v))
      lines.push(`${pad}\t<key>${encodeEntities(k)}</key>`, renderValue(x, ind + 1));
    lines.push(`${pad}</dict>`);
    return lines.join('\n');
  }
  throw new Error(`plist: cannot render ${typeof v}`);
}

function renderPlist(v) {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    renderValue(v, 0),
    '</plist>',
    '',
  ].join('\n');
}

module.exports = { parsePlist, renderPlist };
