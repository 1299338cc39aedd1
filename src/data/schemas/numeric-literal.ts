/**
 * The numeric-literal grammar data files are read by, one for the TypeScript readers and the
 * SQL ones (the same pattern: RE2, which DuckDB uses, and JavaScript agree on it). Lenient
 * parsers change data without a word: Number() takes '0x1A' as 26 and ' 12 ' as 12, DuckDB takes
 * '6_9.0625' as 69.0625 and rounds '55268200.7' into a BIGINT. NaN and Infinity are numbers to the
 * grammar on purpose, so the checks that follow can give them their own reason.
 */
export const DECIMAL_LITERAL = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?(nan|NaN|inf|Inf|infinity|Infinity)';

/** Whole numbers; a fraction of zeros ('100.0', as some vendors write counts) is still whole. */
export const WHOLE_LITERAL = '[+-]?[0-9]+([.]0+)?';

const DECIMAL = new RegExp(`^(${DECIMAL_LITERAL})$`);

/** The number a cell holds, or undefined when it does not match the grammar exactly. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^[+]/, '');
  if (lower === 'nan' || lower === '-nan') return Number.NaN;
  if (/^-?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}
