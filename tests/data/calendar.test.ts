import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { easterSunday, isoOf, parseIsoDate } from '../../src/data/calendar/civil-date.js';
import { exchangeCalendar } from '../../src/data/calendar/exchange-calendar.js';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

const xnys = exchangeCalendar('XNYS');

function sampleDates(file: string): string[] {
  const lines = readFileSync(join(REPO_ROOT, 'data', 'sample', file), 'utf8').trim().split('\n').slice(1);
  return [...new Set(lines.map((l) => l.split(',')[1]!))].sort();
}

const cli = (...args: string[]) => runCli(args);

describe('the NYSE calendar', () => {
  it.each([
    ['spx_daily_ohlcv_2000_2020.csv', 5105],
    ['dow30_daily_close_1991_2000.csv', 2529],
    ['sp500_members_daily_close_2001h2.csv', 103],
  ])('gives exactly the real sessions of %s', (file, count) => {
    const real = sampleDates(file);
    expect(real).toHaveLength(count);
    expect(xnys.sessions(parseIsoDate(real[0]!), parseIsoDate(real.at(-1)!))).toEqual(real);
  });

  it('knows the holidays after the sample data, with observed days and new holidays', () => {
    const holidays = [
      '2021-01-01', '2021-01-18', '2021-02-15', '2021-04-02', '2021-05-31', '2021-07-05', '2021-09-06', '2021-11-25', '2021-12-24',
      '2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26',
      '2023-01-02', '2023-01-16', '2023-02-20', '2023-04-07', '2023-05-29', '2023-06-19', '2023-07-04', '2023-09-04', '2023-11-23', '2023-12-25',
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
      '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25',
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25',
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24',
      '2028-01-17', '2028-02-21', '2028-04-14', '2028-05-29', '2028-06-19', '2028-07-04', '2028-09-04', '2028-11-23', '2028-12-25',
      '2030-01-01', '2030-01-21', '2030-02-18', '2030-04-19', '2030-05-27', '2030-06-19', '2030-07-04', '2030-09-02', '2030-11-28', '2030-12-25',
    ];
    for (const h of holidays) expect(xnys.isSession(parseIsoDate(h)), h).toBe(false);
    // New Year's Day on a Saturday is not made up on the Friday before.
    expect(xnys.isSession(parseIsoDate('2021-12-31'))).toBe(true);
    expect(xnys.isSession(parseIsoDate('2027-12-31'))).toBe(true);
    // Juneteenth only from 2022; MLK Day only from 1998.
    expect(xnys.isSession(parseIsoDate('2021-06-18'))).toBe(true);
    expect(xnys.isSession(parseIsoDate('1997-01-20'))).toBe(true);
    expect(xnys.isSession(parseIsoDate('1998-01-19'))).toBe(false);
    // Each full year 2021-2030 has the weekdays minus its holidays.
    const sessions2026 = xnys.sessions(parseIsoDate('2026-01-01'), parseIsoDate('2026-12-31'));
    expect(sessions2026).toHaveLength(251);
  });

  it('knows the early closes and their times', () => {
    const early = xnys.earlyCloses(parseIsoDate('1990-01-01'), parseIsoDate('2030-12-31'));
    const byDate = new Map(early.map((e) => [e.date, e.close]));
    expect(byDate.get('2019-07-03')).toBe('13:00');
    expect(byDate.get('2019-11-29')).toBe('13:00');
    expect(byDate.get('2019-12-24')).toBe('13:00');
    expect(byDate.get('2002-07-05')).toBe('13:00'); // the Friday after a Thursday July 4th, before 2013
    expect(byDate.get('2013-07-03')).toBe('13:00'); // from 2013, the Wednesday before instead
    expect(byDate.has('2013-07-05')).toBe(false);
    expect(byDate.get('1997-10-27')).toBe('15:30');
    expect(byDate.get('1992-11-27')).toBe('14:00');
    expect(byDate.has('2026-07-02')).toBe(false); // July 3, 2026 is the observed holiday itself
    expect(byDate.has('2021-12-24')).toBe(false); // a holiday, not an early close
    expect(early.map((e) => e.date)).toEqual([...early.map((e) => e.date)].sort());
  });

  it('computes Easter (Good Friday) by rule', () => {
    expect(isoOf(easterSunday(2000))).toBe('2000-04-23');
    expect(isoOf(easterSunday(2019))).toBe('2019-04-21');
    expect(isoOf(easterSunday(2038))).toBe('2038-04-25');
  });

  it('quanto calendar sessions prints one ISO date per line and nothing else', async () => {
    const r = await cli('calendar', 'sessions', '--exchange', 'XNYS', '--start', '2001-09-07', '--end', '2001-09-18');
    expect(r.code).toBe(0);
    expect(r.out).toBe('2001-09-07\n2001-09-10\n2001-09-17\n2001-09-18\n');
    const early = await cli('calendar', 'sessions', '--exchange', 'XNYS', '--start', '2024-01-01', '--end', '2024-12-31', '--early-closes');
    expect(early.out).toBe('2024-07-03 13:00\n2024-11-29 13:00\n2024-12-24 13:00\n');
    const none = await cli('calendar', 'sessions', '--exchange', 'XNYS', '--start', '2024-12-25', '--end', '2024-12-25');
    expect(none).toMatchObject({ code: 0, out: '' });
  });

  it('rejects an unknown exchange, a malformed date and years before 1990 with exit status 2', async () => {
    expect(await cli('calendar', 'sessions', '--exchange', 'XLON', '--start', '2024-01-01', '--end', '2024-01-31')).toMatchObject({ code: 2, out: '' });
    const bad = await cli('calendar', 'sessions', '--exchange', 'XNYS', '--start', '2024-02-30', '--end', '2024-03-01');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("'2024-02-30' is not a calendar date");
    const early = await cli('calendar', 'sessions', '--exchange', 'XNYS', '--start', '1989-12-01', '--end', '1990-01-31');
    expect(early.err).toContain('computed from 1990-01-01 on');
    expect((await cli('calendar', 'sessions', '--exchange', 'XNYS', '--start', '2024-03-01', '--end', '2024-02-01')).err).toContain('is before the start');
    expect((await cli('calendar', 'sessions', '--start', '2024-03-01', '--end', '2024-04-01')).code).toBe(2);
  });
});
