// Paste safety for pairing codes: terminals wrap pastes in bracketed-paste markers, and copies from a terminal can
// carry colour codes or control characters. What is left must be 6 characters [A-Z0-9] (docs/hermes-contract.md#c16).

export const CODE_RE = /^[A-Z0-9]{6}$/;

export interface CleanedCode {
  code: string;
  /** True when anything besides case was removed. */
  changed: boolean;
}

const BRACKETED_PASTE = /\x1b\[20[01]~|\^\[\[20[01]~|\[20[01]~/g;
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const OTHER_ESC = /\x1b[@-Z\\-_]?/g;
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
const SEPARATORS = /[\s\u200b-\u200d\ufeff-]+/g;

/** Removes bracketed-paste markers and ANSI escape sequences (colours, titles), keeping line breaks. */
export function stripAnsi(text: string): string {
  return text.replace(BRACKETED_PASTE, '').replace(OSC, '').replace(CSI, '').replace(OTHER_ESC, '');
}

/** Strips paste markers, ANSI sequences, control characters, spaces and dashes; upper-cases the rest. */
export function cleanPairingCode(raw: string): CleanedCode {
  const stripped = stripAnsi(raw).replace(CONTROL, '').replace(SEPARATORS, '');
  return { code: stripped.toUpperCase(), changed: stripped !== raw.trim() };
}

export function isPairingCode(code: string): boolean {
  return CODE_RE.test(code);
}
