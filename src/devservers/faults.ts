/**
 * Fault injection for the local vendor servers: every Nth request (counted per server) gets
 * the fault, so tests know exactly which requests fail and can prove the data still ends up
 * complete and without duplicates.
 */
export interface FaultPlan {
  /** Answer 429 with this Retry-After (seconds) on every Nth request. */
  rateLimitEvery?: number;
  retryAfterSeconds?: number;
  /** Answer 500 on every Nth request. */
  serverErrorEvery?: number;
  /** Cut the JSON body in half on every Nth request (the status is still 200). */
  truncateEvery?: number;
  /** Delay every response by this many milliseconds. */
  delayMs?: number;
  /** Hold every Nth response for slowMs (long enough to trip a client's timeout). */
  slowEvery?: number;
  slowMs?: number;
  /**
   * Error bodies repeat the request line and headers, as some proxies and debug gateways do:
   * the client's credentials come back inside text it did not write (tests of redaction).
   */
  echoRequest?: boolean;
}

/** The request as an echoing proxy quotes it: method, path with query, every header. */
export function echoOfRequest(req: {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}): string {
  return `${req.method ?? 'GET'} ${req.url ?? '/'} ${JSON.stringify(req.headers)}`;
}

export type Fault = 'rate-limit' | 'server-error' | 'truncate' | null;

export class FaultInjector {
  private count = 0;
  readonly injected: Record<Exclude<Fault, null>, number> = { 'rate-limit': 0, 'server-error': 0, truncate: 0 };

  constructor(private readonly plan: FaultPlan = {}) {}

  next(): Fault {
    this.count += 1;
    const hit = (every?: number) => every !== undefined && every > 0 && this.count % every === 0;
    const fault: Fault = hit(this.plan.rateLimitEvery)
      ? 'rate-limit'
      : hit(this.plan.serverErrorEvery)
        ? 'server-error'
        : hit(this.plan.truncateEvery)
          ? 'truncate'
          : null;
    if (fault) this.injected[fault] += 1;
    return fault;
  }

  /** The text to append to an error body: the echoed request when the plan says so, else nothing. */
  echo(req: Parameters<typeof echoOfRequest>[0]): string {
    return this.plan.echoRequest ? ` (request: ${echoOfRequest(req)})` : '';
  }

  get delayMs(): number {
    return this.plan.delayMs ?? 0;
  }

  /** The delay for the request just counted by next(): the base delay, or a slow one. */
  delayFor(): number {
    const slow = this.plan.slowEvery && this.count % this.plan.slowEvery === 0 ? (this.plan.slowMs ?? 0) : 0;
    return this.delayMs + slow;
  }

  get retryAfterSeconds(): number {
    return this.plan.retryAfterSeconds ?? 1;
  }

  get requests(): number {
    return this.count;
  }
}
