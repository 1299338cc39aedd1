import { queueNameOf } from '../../engine/scheduling/distributed/action-job.js';
import { connectionOf, parseRedisUrl } from '../../engine/scheduling/distributed/redis-url.js';
import { loadPipeline } from '../../engine/pipeline/load-pipeline.js';
import { RESOURCE_CLASSES } from '../../engine/pipeline/pipeline.js';
import { platformFacts } from '../../engine/keys/platform.js';
import type { RemoteCache } from '../../engine/store/remote/remote-cache.js';
import type { RemoteCacheFlags } from '../../engine/store/remote/remote-cache-config.js';
import { openRemoteCache } from '../remote-cache.js';
import { StatCache } from '../../engine/keys/stat-cache.js';
import type { Workspace } from '../../engine/workspace.js';

export type Check = { name: string; status: 'ok' | 'warn' | 'fail' | 'info'; detail: string };

const firstLine = (err: unknown) => ((err as Error).message ?? String(err)).split('\n')[0]!;

/**
 * The remote cache this workspace would use (pipeline, environment, flags), asked for an object
 * that does not exist: that proves the endpoint answers and the credentials are accepted,
 * without writing anything into a shared cache. Null when none is configured.
 */
export async function remoteCacheCheck(
  ws: Workspace,
  flags: RemoteCacheFlags,
): Promise<{ check: Check; remote?: RemoteCache } | null> {
  let spec;
  try {
    spec = (await loadPipeline(ws.root, ws.stateDir)).remoteCache;
  } catch {
    spec = undefined; // the pipeline's own check reports a broken file; the environment may still name a cache
  }
  let remote: RemoteCache | undefined;
  try {
    remote = await openRemoteCache(spec, flags);
    if (!remote) return null;
    await remote.store.size('doctor/probe-that-does-not-exist');
    return {
      check: {
        name: 'remote cache',
        status: 'ok',
        detail: `${remote.store.description}: reachable, credentials accepted, uploads ${remote.uploads ? 'on' : 'off'}`,
      },
      remote,
    };
  } catch (err) {
    remote?.store.close();
    return { check: { name: 'remote cache', status: 'fail', detail: firstLine(err) } };
  }
}

/**
 * The Redis of distributed builds: reachable, and how many `quanto worker` processes serve
 * each resource class for this platform and remote cache (the queues this checkout's builds use).
 */
export async function executorCheck(ws: Workspace, url: string, remote: RemoteCache | undefined): Promise<Check> {
  let target;
  try {
    target = parseRedisUrl(url);
  } catch (err) {
    return { name: 'executor', status: 'fail', detail: firstLine(err) };
  }
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const redis = new Redis({
    ...connectionOf(target),
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused connect rejects with only "Connection is closed"; the cause comes as an event.
  let cause: Error | undefined;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect();
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    if (!remote)
      return {
        name: 'executor',
        status: 'warn',
        detail: `${target.display}: reachable (Redis ${version}), but no remote cache is configured, and --executor needs one`,
      };
    const platform = platformFacts(ws.root, new StatCache(ws.stateDir));
    const counts: string[] = [];
    for (const resourceClass of RESOURCE_CLASSES) {
      const queue = new Queue(queueNameOf(platform, remote.store.id, resourceClass), { connection: redis });
      counts.push(`${resourceClass} ${await queue.getWorkersCount()}`);
      await queue.close();
    }
    return {
      name: 'executor',
      status: 'ok',
      detail: `${target.display}: reachable (Redis ${version}); workers for this checkout and cache: ${counts.join(', ')}`,
    };
  } catch (err) {
    return {
      name: 'executor',
      status: 'fail',
      detail: `${target.display}: ${firstLine(cause ?? err)} (is redis-server running there, and reachable from here?)`,
    };
  } finally {
    redis.disconnect();
  }
}
