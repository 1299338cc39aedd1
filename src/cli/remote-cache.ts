import { RemoteCache } from '../engine/remote/remote-cache.js';
import { resolveRemoteCache, type RemoteCacheFlags } from '../engine/remote/remote-cache-config.js';
import type { Session } from '../engine/session.js';

/** The remote cache a command uses (pipeline, environment, then flags), opened; undefined when none is configured. */
export async function openRemoteCache(session: Session, flags: RemoteCacheFlags): Promise<RemoteCache | undefined> {
  const settings = resolveRemoteCache(session.pipeline.remoteCache, process.env, flags);
  if (!settings) return undefined;
  const { S3Store } = await import('../engine/remote/s3-store.js');
  return new RemoteCache(await S3Store.open(settings), { concurrency: settings.concurrency, upload: settings.upload });
}
