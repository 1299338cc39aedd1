import { parseIsoDate } from '../data/calendar/civil-date.js';
import { nyseSessions } from '../data/calendar/nyse.js';
import { newYorkTimeToUtc } from '../data/calendar/new-york-time.js';

/**
 * The market the local vendor servers serve: daily bars for any ticker over NYSE sessions,
 * a deterministic function of (seed, ticker, date), so every server (REST, flat files,
 * WebSocket, the second vendor) agrees with the others about the same bar.
 */
export interface SeededBar {
  ticker: string;
  date: string;
  /** Polygon's daily window start: midnight New York, epoch milliseconds. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw: number;
  n: number;
}

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function unit(seed: number, key: string): number {
  return hash32(`${seed}:${key}`) / 4294967296;
}

export function seededDailyBar(seed: number, ticker: string, date: string): SeededBar {
  const base = 20 + 180 * unit(seed, ticker);
  const day = Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  const drift = Math.sin(day / 37 + unit(seed, `${ticker}:phase`) * 6) * 0.15;
  const c = round4(base * (1 + drift + (unit(seed, `${ticker}:${date}:c`) - 0.5) * 0.04));
  const o = round4(c * (1 + (unit(seed, `${ticker}:${date}:o`) - 0.5) * 0.02));
  const h = round4(Math.max(o, c) * (1 + unit(seed, `${ticker}:${date}:h`) * 0.01));
  const l = round4(Math.min(o, c) * (1 - unit(seed, `${ticker}:${date}:l`) * 0.01));
  const v = Math.floor(1e5 + unit(seed, `${ticker}:${date}:v`) * 5e6);
  const t = Date.parse(newYorkTimeToUtc(date, '00:00'));
  return { ticker, date, t, o, h, l, c, v, vw: round4((o + h + l + c) / 4), n: Math.floor(v / 100) };
}

export function seededDailyBars(seed: number, ticker: string, from: string, to: string): SeededBar[] {
  if (to < from) return [];
  return nyseSessions(parseIsoDate(from), parseIsoDate(to)).map((d) => seededDailyBar(seed, ticker, d));
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** A one-minute aggregate starting at `startMs` (epoch ms), from the same seeded market. */
export interface SeededMinuteBar {
  ticker: string;
  s: number;
  e: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw: number;
  n: number;
}

export function seededMinuteBar(seed: number, ticker: string, startMs: number): SeededMinuteBar {
  const base = 20 + 180 * unit(seed, ticker);
  const minute = startMs / 60_000;
  const c = round4(
    base *
      (1 +
        Math.sin(minute / 90 + unit(seed, `${ticker}:mphase`) * 6) * 0.01 +
        (unit(seed, `${ticker}:${minute}:c`) - 0.5) * 0.002),
  );
  const o = round4(c * (1 + (unit(seed, `${ticker}:${minute}:o`) - 0.5) * 0.001));
  const h = round4(Math.max(o, c) * (1 + unit(seed, `${ticker}:${minute}:h`) * 0.0005));
  const l = round4(Math.min(o, c) * (1 - unit(seed, `${ticker}:${minute}:l`) * 0.0005));
  const v = Math.floor(100 + unit(seed, `${ticker}:${minute}:v`) * 10_000);
  return {
    ticker,
    s: startMs,
    e: startMs + 60_000,
    o,
    h,
    l,
    c,
    v,
    vw: round4((o + h + l + c) / 4),
    n: Math.floor(v / 10),
  };
}
