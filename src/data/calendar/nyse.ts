import { dayNumber, dayOfIso, easterSunday, isoOf, nthWeekday, weekday, yearOf, type IsoDate } from './civil-date.js';

/**
 * The New York Stock Exchange calendar (XNYS), computed from its rules for 1990 onwards:
 * weekends, the recurring holidays with their observance rules and the years they began,
 * the one-off closures, and the early closes with their closing times (New York time).
 * Sources of the rules: NYSE's published holiday and early-close schedules and its history
 * of closings.
 */

export const NYSE_FIRST_SUPPORTED_YEAR = 1990;
export const NYSE_REGULAR_CLOSE = '16:00';

const SUN = 0;
const MON = 1;
const TUE = 2;
const WED = 3;
const THU = 4;
const FRI = 5;
const SAT = 6;

/** Full-day closures that no rule predicts. */
const ONE_OFF_CLOSURES: Record<string, string> = {
  '1994-04-27': 'funeral of former President Nixon',
  '2001-09-11': 'September 11 attacks',
  '2001-09-12': 'September 11 attacks',
  '2001-09-13': 'September 11 attacks',
  '2001-09-14': 'September 11 attacks',
  '2004-06-11': 'national day of mourning for former President Reagan',
  '2007-01-02': 'national day of mourning for former President Ford',
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'national day of mourning for former President George H. W. Bush',
  '2025-01-09': 'national day of mourning for former President Carter',
};

/** Early closes that no rule predicts: date → closing time. */
const ONE_OFF_EARLY_CLOSES: Record<string, string> = {
  '1990-12-24': '14:00',
  '1991-12-24': '14:00',
  '1992-12-24': '14:00',
  '1994-02-11': '14:30', // snowstorm
  '1996-01-08': '14:00', // snowstorm
  '1996-12-24': '13:00',
  '1997-10-27': '15:30', // circuit breaker
  '1997-12-24': '13:00',
  '1997-12-26': '13:00',
  '1998-12-24': '13:00',
  '2003-12-26': '13:00',
  '2005-06-01': '15:56', // systems communication problem
  '2013-07-03': '13:00',
};

/** A fixed-date holiday moved to Friday when it falls on Saturday and to Monday on Sunday. */
function nearestWeekday(day: number): number {
  const w = weekday(day);
  return w === SAT ? day - 1 : w === SUN ? day + 1 : day;
}

/** The regular holidays of one year, as day numbers, with their names. */
export function nyseHolidays(year: number): Map<number, string> {
  const out = new Map<number, string>();
  const add = (day: number, name: string) => {
    if (weekday(day) !== SAT && weekday(day) !== SUN) out.set(day, name);
  };
  // New Year's Day: Sunday moves to Monday; Saturday is not made up on the Friday before.
  const newYear = dayNumber(year, 1, 1);
  add(weekday(newYear) === SUN ? newYear + 1 : newYear, "New Year's Day");
  if (year >= 1998) add(nthWeekday(year, 1, MON, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(year, 2, MON, 3), "Washington's Birthday");
  add(easterSunday(year) - 2, 'Good Friday');
  add(nthWeekday(year, 5, MON, -1), 'Memorial Day');
  if (year >= 2022) add(nearestWeekday(dayNumber(year, 6, 19)), 'Juneteenth');
  add(nearestWeekday(dayNumber(year, 7, 4)), 'Independence Day');
  add(nthWeekday(year, 9, MON, 1), 'Labor Day');
  add(nthWeekday(year, 11, THU, 4), 'Thanksgiving Day');
  add(nearestWeekday(dayNumber(year, 12, 25)), 'Christmas Day');
  for (const [date, name] of Object.entries(ONE_OFF_CLOSURES)) if (date.startsWith(`${year}-`)) out.set(dayOfIso(date), name);
  return out;
}

/** The early closes of one year: day number → closing time. */
export function nyseEarlyCloses(year: number): Map<number, string> {
  const out = new Map<number, string>();
  const july3 = dayNumber(year, 7, 3);
  const w3 = weekday(july3);
  if (year >= 1995 && (w3 === MON || w3 === TUE || w3 === THU)) out.set(july3, '13:00');
  if (year >= 2013 && w3 === WED) out.set(july3, '13:00');
  const july5 = dayNumber(year, 7, 5);
  if (year >= 1996 && year <= 2012 && weekday(july5) === FRI) out.set(july5, '13:00');
  if (year >= 1992) out.set(nthWeekday(year, 11, THU, 4) + 1, year === 1992 ? '14:00' : '13:00');
  const dec24 = dayNumber(year, 12, 24);
  const w24 = weekday(dec24);
  if (year >= 1999 && w24 >= MON && w24 <= THU) out.set(dec24, '13:00');
  for (const [date, time] of Object.entries(ONE_OFF_EARLY_CLOSES)) if (date.startsWith(`${year}-`)) out.set(dayOfIso(date), time);
  // A holiday is never also an early close.
  for (const day of nyseHolidays(year).keys()) out.delete(day);
  return out;
}

function checkRange(start: number, end: number): void {
  if (yearOf(start) < NYSE_FIRST_SUPPORTED_YEAR) {
    throw new RangeError(`the XNYS calendar is computed from ${NYSE_FIRST_SUPPORTED_YEAR}-01-01 on; ${isoOf(start)} is earlier`);
  }
  if (end < start) throw new RangeError(`the end ${isoOf(end)} is before the start ${isoOf(start)}`);
}

export function isNyseSession(date: IsoDate): boolean {
  const day = dayOfIso(date);
  const w = weekday(day);
  return w !== SAT && w !== SUN && !nyseHolidays(yearOf(day)).has(day);
}

/** Every trading session from start to end, both included, in order. */
export function nyseSessions(start: IsoDate, end: IsoDate): IsoDate[] {
  const [first, last] = [dayOfIso(start), dayOfIso(end)];
  checkRange(first, last);
  const out: IsoDate[] = [];
  let holidays = nyseHolidays(yearOf(first));
  let year = yearOf(first);
  for (let day = first; day <= last; day++) {
    const y = yearOf(day);
    if (y !== year) {
      year = y;
      holidays = nyseHolidays(y);
    }
    const w = weekday(day);
    if (w !== SAT && w !== SUN && !holidays.has(day)) out.push(isoOf(day));
  }
  return out;
}

/** Early closes from start to end: date and closing time (New York). */
export function nyseEarlyClosesBetween(start: IsoDate, end: IsoDate): { date: IsoDate; close: string }[] {
  const [first, last] = [dayOfIso(start), dayOfIso(end)];
  checkRange(first, last);
  const out: { date: IsoDate; close: string }[] = [];
  for (let y = yearOf(first); y <= yearOf(last); y++) {
    for (const [day, close] of nyseEarlyCloses(y)) if (day >= first && day <= last) out.push({ date: isoOf(day), close });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : 1));
}
