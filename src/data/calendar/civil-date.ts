/**
 * Calendar dates without time zones: an ISO string `YYYY-MM-DD` and its day number (days
 * since 1970-01-01). Exchange calendars are about local trading days, so they never touch
 * the clock or a time zone.
 */
export type IsoDate = string & { readonly __brand: 'IsoDate' };

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIsoDate(text: string): IsoDate {
  const m = ISO.exec(text);
  if (!m) throw new RangeError(`'${text}' is not a date: write YYYY-MM-DD`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = dayNumber(y, mo, d);
  if (isoOf(day) !== text) throw new RangeError(`'${text}' is not a calendar date`);
  return text as IsoDate;
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

export function dayOfIso(date: string): number {
  const m = ISO.exec(date)!;
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isoOf(day: number): IsoDate {
  return new Date(day * 86_400_000).toISOString().slice(0, 10) as IsoDate;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function yearOf(day: number): number {
  return new Date(day * 86_400_000).getUTCFullYear();
}

/** The n-th (1-based) given weekday of a month; n = -1 for the last. */
export function nthWeekday(year: number, month: number, dow: number, n: number): number {
  if (n > 0) {
    const first = dayNumber(year, month, 1);
    return first + ((dow - weekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = dayNumber(year, month + 1, 1) - 1;
  return last - ((weekday(last) - dow + 7) % 7);
}

/** Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, day);
}

/** The calendar day after an ISO date: the exclusive end of a window that includes the date. */
export function dayAfter(date: string): IsoDate {
  return isoOf(dayOfIso(date) + 1);
}
