import { startPolygonServer } from '../../devservers/polygon-server.js';
import type { CliIO } from '../io.js';

/**
 * quanto dev vendors: the local vendor servers, for trying ingestion by hand without a network
 * or a real key. Prints where they listen and the key they accept; runs until interrupted.
 */
export async function devVendorsCommand(io: CliIO, opts: { seed: number; key: string }, stop?: AbortSignal): Promise<number> {
  const polygon = await startPolygonServer({ seed: opts.seed, apiKey: opts.key });
  io.out(`polygon REST  ${polygon.url}  (GET /v2/aggs/ticker/{ticker}/range/1/day/{from}/{to}; key: ${opts.key})`);
  io.out(`try: POLYGON_API_KEY=${opts.key} quanto build //raw/polygon/equity_ohlcv after setting base_url: ${polygon.url} in its config`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    stop?.addEventListener('abort', done, { once: true });
  });
  await polygon.close();
  return 0;
}
