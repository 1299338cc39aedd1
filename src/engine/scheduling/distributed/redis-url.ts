import { registerSecret } from '../../../secrets/redact.js';
import { ConfigError } from '../../errors.js';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  /** For messages: the URL without any password. */
  display: string;
  password?: string;
  username?: string;
}

/** redis://[user:password@]host[:port][/db] → connection options. A password may only come in the URL or REDIS_PASSWORD, and never into a message. */
export function parseRedisUrl(url: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`--executor: '${url}' is not a URL; write redis://HOST:PORT`);
  }
  if (u.protocol !== 'redis:')
    throw new ConfigError(`--executor: only redis://HOST:PORT is supported, got '${u.protocol}//'`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new ConfigError(`--executor: the database in '${u.pathname}' is not a number`);
  const password = u.password ? decodeURIComponent(u.password) : env.REDIS_PASSWORD;
  // Masked from here on wherever it might be printed (an ioredis error quoting the URL, say).
  registerSecret('REDIS_PASSWORD', password);
  if (u.password) registerSecret('REDIS_PASSWORD', u.password);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    db,
    display: `redis://${u.hostname}:${u.port || 6379}${db ? `/${db}` : ''}`,
    ...(password ? { password } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
}

/** ioredis connection options of a target (callers add their retry policy). */
export function connectionOf(r: RedisTarget) {
  return {
    host: r.host,
    port: r.port,
    db: r.db,
    ...(r.password ? { password: r.password } : {}),
    ...(r.username ? { username: r.username } : {}),
  };
}
