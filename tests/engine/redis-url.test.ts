import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../src/engine/scheduling/distributed/redis-url.js';
import { Limiter } from '../../src/engine/store/remote/limiter.js';

describe('distributed execution settings', () => {
  it('redis URLs: host, port, db; a password is used but never displayed', () => {
    expect(parseRedisUrl('redis://10.0.0.5:6380/2', {})).toEqual({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      display: 'redis://10.0.0.5:6380/2',
    });
    const withPassword = parseRedisUrl('redis://worker:s3cr%40t@cache.internal', {});
    expect(withPassword).toMatchObject({ host: 'cache.internal', port: 6379, password: 's3cr@t', username: 'worker' });
    expect(withPassword.display).not.toContain('s3cr');
    expect(parseRedisUrl('redis://h', { REDIS_PASSWORD: 'from-env' }).password).toBe('from-env');
    expect(() => parseRedisUrl('amqp://h', {})).toThrow(/only redis:\/\/HOST:PORT/);
    expect(() => parseRedisUrl('not a url', {})).toThrow(/is not a URL/);
    expect(() => parseRedisUrl('redis://h/x', {})).toThrow(/database/);
  });

  it('the transfer limiter keeps at most N in flight and runs the rest in order', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limiter.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
          active -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toHaveLength(7);
    // A failing task frees its slot.
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});
