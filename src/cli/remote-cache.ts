import { RemoteCache } from '../engine/store/remote/remote-cache.js';
import { resolveRemoteCache, type RemoteCacheFlags } from '../engine/store/remote/remote-cache-config.js';
import type { RemoteCacheSpec } from '../engine/store/remote/remote-cache-config.js';

/** The remote cache a command uses (the pipeline's remote_cache block, the environment, then flags), opened; undefined when none is configured. */
export async function openRemoteCache(
  spec: RemoteCacheSpec | undefined,
  flags: RemoteCacheFlags,
): Promise<RemoteCache | undefined> {
  const settings = resolveRemoteCache(spec, process.env, flags);
  if (!settings) return undefined;
  const { S3Store } = await import('../engine/store/remote/s3-store.js');
  return new RemoteCache(await S3Store.open(settings), { concurrency: settings.concurrency, upload: settings.upload });
}
