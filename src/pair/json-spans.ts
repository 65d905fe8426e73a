// Where each member of a JSON object sits in the text, so one member can be replaced or added while every other
// byte of the file stays as it was. Assumes text that JSON.parse accepts (callers check first). Pure.

export interface MemberSpan {
  key: string;
  /** Index of the key's opening quote. */
  keyStart: number;
  valueStart: number;
  /** Index just after the value. */
  valueEnd: number;
}

export interface ObjectSpan {
  start: number;
  /** Index just after the closing brace. */
  end: number;
  members: MemberSpan[];
}

const WS = new Set([' ', '\t', '\n', '\r']);

export function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text[i]!)) i += 1;
  return i;
}

function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j += 1) {
    if (text[j] === '\\') j += 1;
    else if (text[j] === '"') return j + 1;
  }
  throw new Error('unterminated string');
}

/** Index just after the JSON value starting at `i`. */
export function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j += 1) {
      const d = text[j];
      if (d === '"') {
        j = skipString(text, j) - 1;
        continue;
      }
      if (d === '{' || d === '[') depth += 1;
      else if (d === '}' || d === ']') {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
    }
    throw new Error('unterminated container');
  }
  let j = i;
  while (j < text.length && !WS.has(text[j]!) && text[j] !== ',' && text[j] !== '}' && text[j] !== ']') j += 1;
  return j;
}

/** The members of the object whose `{` is at `start`. */
export function scanObject(text: string, start: number): ObjectSpan {
  if (text[start] !== '{') throw new Error(`expected an object at ${start}`);
  const members: MemberSpan[] = [];
  let i = skipWs(text, start + 1);
  if (text[i] === '}') return { start, end: i + 1, members };
  for (;;) {
    const keyStart = i;
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(keyStart, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') throw new Error(`expected ':' at ${i}`);
    const valueStart = skipWs(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, keyStart, valueStart, valueEnd });
    i = skipWs(text, valueEnd);
    if (text[i] === '}') return { start, end: i + 1, members };
    if (text[i] !== ',') throw new Error(`expected ',' or '}' at ${i}`);
    i = skipWs(text, i + 1);
  }
}

/** The whitespace that starts the line holding index `i`, or undefined when something else precedes `i` on it. */
export function lineIndent(text: string, i: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', i - 1) + 1;
  const lead = text.slice(lineStart, i);
  return /^[ \t]*$/.test(lead) ? lead : undefined;
}

/** JSON.stringify(value, null, 2) with every line after the first indented by `indent`; compact when undefined. */
export function renderAt(value: unknown, indent: string | undefined): string {
  if (indent === undefined) return JSON.stringify(value);
  return JSON.stringify(value, null, 2).split('\n').join(`\n${indent}`);
}

/**
 * Sets `key` of the object at `obj` to `value`: replaces that member's value, or appends a member after the last
 * one (or into an empty object). Every byte outside the edited member is kept.
 */
export function setMember(text: string, obj: ObjectSpan, key: string, value: unknown): string {
  const found = obj.members.find((m) => m.key === key);
  if (found) {
    const indent = lineIndent(text, found.keyStart);
    return text.slice(0, found.valueStart) + renderAt(value, indent) + text.slice(found.valueEnd);
  }
  const last = obj.members[obj.members.length - 1];
  if (last) {
    const indent = lineIndent(text, last.keyStart);
    const sep = indent === undefined ? ',' : `,\n${indent}`;
    const member = `${JSON.stringify(key)}:${indent === undefined ? '' : ' '}${renderAt(value, indent)}`;
    return text.slice(0, last.valueEnd) + sep + member + text.slice(last.valueEnd);
  }
  const lineStart = text.lastIndexOf('\n', obj.start - 1) + 1;
  const outer = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  if (!text.includes('\n'))
    return `${text.slice(0, obj.start)}{${JSON.stringify(key)}:${JSON.stringify(value)}}${text.slice(obj.end)}`;
  const inner = `${outer}  `;
  return `${text.slice(0, obj.start)}{\n${inner}${JSON.stringify(key)}: ${renderAt(value, inner)}\n${outer}}${text.slice(obj.end)}`;
}
