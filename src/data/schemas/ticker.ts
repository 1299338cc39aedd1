import { z } from 'zod';

/** A ticker as Quanto stores it: upper case, digits, '.', '-', and '^' for indices (^GSPC). */
export const tickerSchema = z.string().regex(/^[A-Z0-9^][A-Z0-9.^-]*$/, 'upper-case ticker');
