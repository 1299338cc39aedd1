import { describe, expect, it } from 'vitest';
import {
  isTargetName,
  labelOf,
  matchesPattern,
  parseDepLabel,
  parseLabelPattern,
} from '../../src/engine/pipeline/label.js';

describe('labels', () => {
  it('parses the four forms', () => {
    expect(parseLabelPattern('//...')).toEqual({ kind: 'all' });
    expect(parseLabelPattern('//features/...')).toEqual({ kind: 'subtree', prefix: 'features' });
    expect(parseLabelPattern('//features/core_v1')).toEqual({ kind: 'target', name: 'features/core_v1' });
    expect(parseLabelPattern('//raw/equity_ohlcv@symbol=AAPL/year=2020')).toEqual({
      kind: 'partition',
      name: 'raw/equity_ohlcv',
      partition: 'symbol=AAPL/year=2020',
    });
  });

  it('rejects malformed labels with a hint', () => {
    expect(() => parseLabelPattern('features/x')).toThrow(/labels start with \/\//);
    expect(() => parseLabelPattern('//a//b')).toThrow(/not a valid label/);
    expect(() => parseLabelPattern('//a@AAPL')).toThrow(/dim=value/);
    expect(() => parseLabelPattern('//../...')).toThrow(/not a valid pattern/);
  });

  it('matches subtrees on path segments, not string prefixes', () => {
    const p = parseLabelPattern('//features/...');
    expect(matchesPattern(p, 'features/core_v1')).toBe(true);
    expect(matchesPattern(p, 'features')).toBe(true);
    expect(matchesPattern(p, 'features_old/x')).toBe(false);
    expect(matchesPattern({ kind: 'all' }, 'anything')).toBe(true);
  });

  it('names and dependency labels', () => {
    expect(isTargetName('raw/polygon/equity_ohlcv')).toBe(true);
    expect(isTargetName('raw/.../x')).toBe(false);
    expect(isTargetName('/abs')).toBe(false);
    expect(parseDepLabel('//a/b')).toBe('a/b');
    expect(parseDepLabel('a/b')).toBeUndefined();
    expect(labelOf('a', 'x=1')).toBe('//a@x=1');
    expect(labelOf('a', null)).toBe('//a');
  });
});
