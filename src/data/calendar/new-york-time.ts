import { dayNumber, dayOfIso, nthWeekday, yearOf } from './civil-date.js';

const SUN = 0;

/**
 * Whether US daylight saving time is in force in New York on a date (at midday): since 2007
 * from the second Sunday of March to the first Sunday of November, 1987-2006 from the first
 * Sunday of April to the last Sunday of October. Enough for session opens and closes, which
 * never fall in the 02:00 transition hour.
 */
export function isNewYorkDst(date: string): boolean {
  const day = dayOfIso(date);
  const year = yearOf(day);
  const [start, end] =
    year >= 2007 ? [nthWeekday(year, 3, SUN, 2), nthWeekday(year, 11, SUN, 1)] : [nthWeekday(year, 4, SUN, 1), nthWeekday(year, 10, SUN, -1)];
  return day >= start && day < end;
}

/** The UTC instant, ISO 8601 with Z, of a New York wall-clock time (HH:MM) on a date. */
export function newYorkTimeToUtc(date: string, time: string): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const offset = isNewYorkDst(date) ? 4 : 5;
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const ms = (dayNumber(y, mo, d) * 24 * 60 + (h + offset) * 60 + m) * 60_000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The New York calendar date of an instant (epoch ms): the session date a live feed is in. */
export function newYorkDate(ms: number): string {
  const utcDate = new Date(ms).toISOString().slice(0, 10);
  const offsetHours = isNewYorkDst(utcDate) ? 4 : 5;
  return new Date(ms - offsetHours * 3600_000).toISOString().slice(0, 10);
}
