// Parsers for option values, run by commander as each flag is parsed: a bad value is a one-line usage error
// naming the flag, before anything connects.
import { usageError } from '../errors.js';

export function parsePortValue(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > 65535)
      throw usageError('E_USAGE', `invalid ${flag} "${text}"`, `give a port between 1 and 65535, e.g. ${flag} 9119`);
    return n;
  };
}

export function parseSeconds(flag: string, o: { min?: number; max?: number } = {}): (text: string) => number {
  const min = o.min ?? 0;
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (o.max !== undefined && n > o.max)) {
      throw usageError(
        'E_USAGE',
        `invalid ${flag} "${text}"`,
        `give a number of seconds${o.max !== undefined ? ` between ${min} and ${o.max}` : min > 0 ? ` above ${min}` : ' (0 = do not wait)'}`,
      );
    }
    return n;
  };
}

export function parseWholeNumber(flag: string, min: number, max: number, what: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max)
      throw usageError(
        'E_USAGE',
        `invalid ${flag} "${text}"`,
        `give a whole number of ${what} between ${min} and ${max}`,
      );
    return n;
  };
}

export function parseUsername(text: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(text))
    throw usageError('E_USAGE', `invalid --username "${text}"`, 'use letters, digits, . _ - (at most 64)');
  return text;
}
