// Editing a user's crontab so that only our own line changes (pure). The text is the crontab's bytes as latin1
// code units, so every byte survives (CR, backspace, non-UTF-8 comments); a line ends at \n, a CR stays part of it.
//
// The rules (also in README.md, "cron"):
// - Our entry for a target is a line that is not a comment and ends with ` # hermes-setup:<target>` (optionally
//   followed by ` created-crontab`, and by a CR if an editor converted the file). Everything else is kept byte for
//   byte: other lines, blank lines anywhere (leading, trailing), CRLF endings, comments, `%`, other targets' entries.
// - install replaces our entry in place (one line; duplicates of it dropped), or appends it at the end.
// - remove drops our entry and its newline.
// - Having no crontab is a state of its own (null), distinct from an empty one. When install finds no crontab, our
//   line is tagged ` created-crontab`. When remove takes out a tagged line and leaves zero bytes, the crontab is
//   removed (null), so a user who had none has none again. If other hermes-setup entries remain, the tag moves to
//   the first of them, so the last one out removes the crontab. Anything the user added after our install (even a
//   blank line) leaves bytes behind, so the crontab, and what they added, stay.
import { cronMarker } from './cron-line.js';

export const CREATED_TAG = 'created-crontab';

const ENTRY = / # hermes-setup:(\S+?)( created-crontab)?\r?$/;

interface Entry {
  marker: string;
  created: boolean;
}

/** The crontab split into lines, each with its own `\n` (the last may have none). */
export function splitCrontab(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function entryOf(line: string): Entry | undefined {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (/^\s*#/.test(body)) return undefined;
  const m = ENTRY.exec(body);
  return m ? { marker: `# hermes-setup:${m[1]!}`, created: m[2] !== undefined } : undefined;
}

function withTag(line: string): string {
  const m = /\r?\n?$/.exec(line)!;
  return `${line.slice(0, m.index)} ${CREATED_TAG}${m[0]}`;
}

function installEntry(current: string | null, lines: string[], isMine: (l: string) => boolean, line: string): string {
  const created = current === null || lines.some((l) => isMine(l) && entryOf(l)!.created);
  const entry = `${line}${created ? ` ${CREATED_TAG}` : ''}\n`;
  const at = lines.findIndex(isMine);
  if (at >= 0) return lines.flatMap((l, i) => (i === at ? [entry] : isMine(l) ? [] : [l])).join('');
  const text = current ?? '';
  return `${text}${text !== '' && !text.endsWith('\n') ? '\n' : ''}${entry}`;
}

function removeEntry(lines: string[], isMine: (l: string) => boolean): string | null {
  const rest = lines.filter((l) => !isMine(l));
  const created = lines.some((l) => isMine(l) && entryOf(l)!.created);
  if (!created || rest.some((l) => entryOf(l)?.created)) return rest.join('');
  if (rest.length === 0) return null;
  const other = rest.findIndex((l) => entryOf(l) !== undefined);
  if (other >= 0) rest[other] = withTag(rest[other]!);
  return rest.join('');
}

/**
 * The crontab after installing `line` (or removing, when `line` is undefined) as the entry for `label`.
 * `current` null: the user has no crontab; a null result: remove the crontab (`crontab -r`).
 */
export function editCrontab(current: string | null, label: string, line?: string): string | null {
  const marker = cronMarker(label);
  const lines = current === null ? [] : splitCrontab(current);
  const isMine = (l: string): boolean => entryOf(l)?.marker === marker;
  if (line !== undefined) return installEntry(current, lines, isMine, line);
  if (current === null) return null;
  if (!lines.some(isMine)) return current;
  return removeEntry(lines, isMine);
}
