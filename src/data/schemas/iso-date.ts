import { z } from 'zod';
import { parseIsoDate } from '../calendar/civil-date.js';

function isCalendarDate(text: string): boolean {
  try {
    parseIsoDate(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A calendar date as configs and data write it, YYYY-MM-DD, and a real one: '2019-13-45' has
 * the shape but no such day, and accepted here it would fail later inside DuckDB or, worse,
 * roll over to another date in a Date constructor.
 */
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date (months are 01-12, and the day must be one the month has)');
