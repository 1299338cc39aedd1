import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { turbulenceIndex } from '../../src/features/turbulence.js';
import { REPO_ROOT } from '../helpers/workspace.js';

describe('turbulence index', () => {
  const rows = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'reference', 'turbulence_numpy.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const closes = [1, 2, 3, 4].map((c) => Float64Array.from(rows, (r) => Number(r[c])));

  it('equals numpy (pinv of the sample covariance of the previous 40 returns) to 1e-9', () => {
    const turbulence = turbulenceIndex(closes, 40);
    rows.forEach((r, t) => {
      if (r[5] === '') expect(turbulence[t]).toBeNaN();
      else expect(Math.abs(turbulence[t]! - Number(r[5])) / Number(r[5])).toBeLessThan(1e-9);
    });
  });

  it('uses nothing after day t: changing later closes leaves it unchanged', () => {
    const changed = closes.map((c) => Float64Array.from(c, (x, t) => (t > 80 ? x * 1.5 : x)));
    expect([...turbulenceIndex(changed, 40).slice(0, 81)]).toEqual([...turbulenceIndex(closes, 40).slice(0, 81)]);
  });

  it('needs more history than assets', () => {
    expect(() => turbulenceIndex(closes, 3)).toThrow(/longer than the number of assets/);
  });
});
