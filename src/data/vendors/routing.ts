import { parseIsoDate } from '../calendar/civil-date.js';
import { nyseSessions } from '../calendar/nyse.js';

export type IngestRoute = 'rest' | 'flatfiles' | 'stream';

export interface RoutingThresholds {
  /** Use flat files when a request needs at least this many (symbol, session) bars... */
  flatfilesMinBars: number;
  /** ...and spans at least this many sessions (one file per session is fetched either way). */
  flatfilesMinSessions: number;
}

export interface RouteDecision {
  route: IngestRoute;
  reason: string;
  bars: number;
  sessions: number;
}

/**
 * REST for small requests, flat files for large historical ranges, the WebSocket feed for live
 * increments: a request that reaches today with `live` set streams; otherwise the size of the
 * request (symbols x sessions) against the thresholds decides. The reason is kept with the data.
 */
export function routeRequest(request: { symbols: number; start: string; end: string; live: boolean }, today: string | undefined, t: RoutingThresholds): RouteDecision {
  const sessions = request.end < request.start ? 0 : nyseSessions(parseIsoDate(request.start), parseIsoDate(request.end)).length;
  const bars = sessions * request.symbols;
  if (request.live && today !== undefined && request.end >= today) {
    return { route: 'stream', reason: `the range reaches today (${today}) and live increments were asked for`, bars, sessions };
  }
  if (bars >= t.flatfilesMinBars && sessions >= t.flatfilesMinSessions) {
    return { route: 'flatfiles', reason: `${bars} bars over ${sessions} sessions: at least ${t.flatfilesMinBars} bars and ${t.flatfilesMinSessions} sessions`, bars, sessions };
  }
  return {
    route: 'rest',
    reason: `${bars} bars over ${sessions} sessions: under ${t.flatfilesMinBars} bars or ${t.flatfilesMinSessions} sessions`,
    bars,
    sessions,
  };
}
