import { Agent, request } from 'undici';
import { sleep, TokenBucket, Semaphore } from './limits.js';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export interface RequestStats {
  requests: number;
  pages: number;
  bytes: number;
  retries: Record<string, number>;
}

/** A vendor's answer that retrying will not change (a 4xx other than 429): the shard fails with the vendor's words. */
export class VendorError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'VendorError';
  }
}

/** Query parameters that carry credentials are never printed. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  for (const name of ['apiKey', 'apikey', 'api_key', 'token', 'key']) if (u.searchParams.has(name)) u.searchParams.set(name, 'REDACTED');
  return u.toString();
}

/**
 * GETs JSON politely: a shared rate limit and concurrency limit, and retries with exponential
 * backoff and full jitter on 429 (honouring Retry-After), 5xx, timeouts, connection errors and
 * truncated bodies. Credentials travel in headers only, so URLs are safe to log.
 */
export interface JsonClientOptions {
  headers: Record<string, string>;
  ratePerSecond: number;
  concurrency: number;
  retry: RetryPolicy;
  random: () => number;
}

export class JsonClient {
  readonly stats: RequestStats = { requests: 0, pages: 0, bytes: 0, retries: {} };
  private readonly agent: Agent;
  private readonly bucket: TokenBucket;
  private readonly slots: Semaphore;

  constructor(private readonly options: JsonClientOptions) {
    this.agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
    this.bucket = new TokenBucket(options.ratePerSecond, Math.max(1, Math.min(options.ratePerSecond, options.concurrency)));
    this.slots = new Semaphore(options.concurrency);
  }

  async getJson<T>(url: string): Promise<T> {
    const { retry } = this.options;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(url);
      if (outcome.ok) {
        this.stats.pages += 1;
        return outcome.value as T;
      }
      if (outcome.permanent || attempt >= retry.maxRetries) {
        const why = outcome.permanent ? '' : ` (after ${attempt} retries)`;
        throw new VendorError(`${redactUrl(url)}: ${outcome.message}${why}`, outcome.status);
      }
      this.stats.retries[outcome.reason] = (this.stats.retries[outcome.reason] ?? 0) + 1;
      const backoff = this.options.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
      await sleep(outcome.retryAfterMs !== undefined ? Math.max(outcome.retryAfterMs, backoff) : backoff);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async once(
    url: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; permanent: boolean; status: number; reason: string; message: string; retryAfterMs?: number }> {
    await this.bucket.take();
    const release = await this.slots.acquire();
    this.stats.requests += 1;
    try {
      const res = await request(url, {
        method: 'GET',
        headers: this.options.headers,
        dispatcher: this.agent,
        // One deadline for the whole exchange, precise to the millisecond (undici's own timeouts are coarse).
        signal: AbortSignal.timeout(this.options.retry.timeoutMs),
      });
      const text = await res.body.text();
      this.stats.bytes += Buffer.byteLength(text);
      if (res.statusCode === 429) {
        return { ok: false, permanent: false, status: 429, reason: 'rate-limited', message: vendorMessage(text, 429), retryAfterMs: retryAfterMs(res.headers['retry-after']) };
      }
      if (res.statusCode >= 500) return { ok: false, permanent: false, status: res.statusCode, reason: `http-${res.statusCode}`, message: vendorMessage(text, res.statusCode) };
      if (res.statusCode >= 400) return { ok: false, permanent: true, status: res.statusCode, reason: `http-${res.statusCode}`, message: vendorMessage(text, res.statusCode) };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, permanent: false, status: res.statusCode, reason: 'truncated-body', message: `the body (${text.length} bytes) is not complete JSON` };
      }
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      const timedOut = (err as Error).name === 'TimeoutError' || code.includes('TIMEOUT');
      return { ok: false, permanent: false, status: 0, reason: timedOut ? 'timeout' : 'network-error', message: timedOut ? `no answer within ${this.options.retry.timeoutMs} ms` : (err as Error).message };
    } finally {
      release();
    }
  }
}

function vendorMessage(text: string, status: number): string {
  try {
    const body = JSON.parse(text) as { error?: string; message?: string };
    return `HTTP ${status}: ${body.error ?? body.message ?? text.slice(0, 200)}`;
  } catch {
    return `HTTP ${status}: ${text.slice(0, 200)}`;
  }
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
