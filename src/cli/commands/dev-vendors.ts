import type { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { startAlpacaServer } from '../../devservers/alpaca-server.js';
import { startFlatFileServer } from '../../devservers/flatfile-server.js';
import { startPolygonServer } from '../../devservers/polygon-server.js';
import { startStreamServer } from '../../devservers/stream-server.js';
import type { CliIO } from '../io.js';

/**
 * quanto dev vendors: the local vendor servers, for trying ingestion by hand without a network
 * or a real key: Polygon REST, an S3-compatible flat-file store, the WebSocket feed, and Alpaca
 * market data, all over one seeded market. Prints where they listen; runs until interrupted.
 */
export async function devVendorsCommand(
  io: CliIO,
  opts: { seed: number; key: string },
  stop?: AbortSignal,
): Promise<number> {
  const tickers = ['AAPL', 'MSFT', 'SPY', 'QQQ', 'IWM'];
  const polygon = await startPolygonServer({ seed: opts.seed, apiKey: opts.key });
  const flat = await startFlatFileServer({ seed: opts.seed, bucket: 'flatfiles', accessKeyId: opts.key, tickers });
  const stream = await startStreamServer({ seed: opts.seed, apiKey: opts.key });
  const alpaca = await startAlpacaServer({ seed: opts.seed, keyId: opts.key, secretKey: opts.key });
  io.out(`polygon REST  ${polygon.url}  (POLYGON_API_KEY=${opts.key})`);
  io.out(
    `flat files    ${flat.url}/flatfiles  (path-style S3; POLYGON_S3_ACCESS_KEY_ID=${opts.key}, any secret; tickers ${tickers.join(' ')})`,
  );
  io.out(`websocket     ${stream.url}  (auth with ${opts.key}; minute aggregates as published)`);
  io.out(`alpaca data   ${alpaca.url}  (APCA_API_KEY_ID=${opts.key} APCA_API_SECRET_KEY=${opts.key})`);
  io.out('Point a target config base_url/endpoint at these to ingest locally. Ctrl-C stops them.');
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    stop?.addEventListener('abort', done, { once: true });
  });
  await Promise.all([polygon.close(), flat.close(), stream.close(), alpaca.close()]);
  return 0;
}

/** Registers `quanto dev vendors`. */
export function registerDevVendorsCommand(program: Command, ctx: CommandContext): void {
  const dev = program.command('dev').description('development helpers');

  dev
    .command('vendors')
    .description('run the local vendor servers (seeded data, loopback only) until interrupted')
    .option('--seed <n>', 'seed of the served market', (v) => Number(v), 1)
    .option('--key <key>', 'the API key the servers accept (a test key, not a real one)', 'local-dev-key')
    .action(ctx.run((opts: { seed: number; key: string }) => devVendorsCommand(ctx.io, opts)));
}
