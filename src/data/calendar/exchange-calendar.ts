import type { IsoDate } from './civil-date.js';
import { isNyseSession, nyseEarlyClosesBetween, nyseSessions, NYSE_REGULAR_CLOSE } from './nyse.js';

/** A trading calendar: which local dates are sessions, and which close early. */
export interface ExchangeCalendar {
  readonly code: string;
  readonly name: string;
  readonly timeZone: string;
  readonly regularClose: string;
  sessions(start: IsoDate, end: IsoDate): IsoDate[];
  earlyCloses(start: IsoDate, end: IsoDate): { date: IsoDate; close: string }[];
  isSession(date: IsoDate): boolean;
}

const CALENDARS: Record<string, ExchangeCalendar> = {
  XNYS: {
    code: 'XNYS',
    name: 'New York Stock Exchange',
    timeZone: 'America/New_York',
    regularClose: NYSE_REGULAR_CLOSE,
    sessions: nyseSessions,
    earlyCloses: nyseEarlyClosesBetween,
    isSession: isNyseSession,
  },
};

export const SUPPORTED_EXCHANGES = Object.keys(CALENDARS);

export function exchangeCalendar(code: string): ExchangeCalendar {
  const calendar = CALENDARS[code.toUpperCase()];
  if (!calendar) throw new RangeError(`no calendar for exchange '${code}' (supported: ${SUPPORTED_EXCHANGES.join(', ')})`);
  return calendar;
}
