import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/engine/scheduling/build.js';
import { type BuildEvent } from '../../src/engine/scheduling/build-events.js';
import { RedisExecutor } from '../../src/engine/scheduling/distributed/redis-executor.js';
import { parseRedisUrl } from '../../src/engine/scheduling/distributed/redis-url.js';
import { RemoteCache } from '../../src/engine/store/remote/remote-cache.js';
import { resolveRemoteCache } from '../../src/engine/store/remote/remote-cache-config.js';
import { S3Store } from '../../src/engine/store/remote/s3-store.js';
import { Session } from '../../src/engine/session.js';
import { SLOW_RULE, STEPPING_SLOW_RULE } from '../helpers/fixtures.js';
import { hasRedisServer, startRedisServer } from '../helpers/redis-server.js';
import { S3_TEST_KEYS, startS3Server } from '../helpers/s3-server.js';
import { QUANTO_BIN, TestWorkspace } from '../helpers/workspace.js';

const SLOW_TARGETS = ['a', 'b', 'c', 'd', 'e', 'f'];
const PIPELINE = `version: 1
targets:
${SLOW_TARGETS.map((t) => `  slow/${t}:\n    rule: slow\n    config: configs/slow.yaml\n    srcs: [data/${t}.txt]\n`).join('')}  slow/big:
    rule: slow
    config: configs/slow.yaml
    resource_class: memory
  join/all:
    rule: slow
    deps: [${[...SLOW_TARGETS.map((t) => `//slow/${t}`), '//slow/big'].join(', ')}]
`;

/** A checkout of the research program: the coordinator's and each worker's are separate directories with separate caches. */
function checkout(ms = 600, rule = SLOW_RULE): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': PIPELINE,
    'configs/slow.yaml': `ms: ${ms}\n`,
    'rules/slow.ts': rule,
    ...Object.fromEntries(SLOW_TARGETS.map((t) => [`data/${t}.txt`, `input ${t}\n`])),
  });
}

describe.skipIf(!hasRedisServer)(
  'distributed execution on BullMQ/Redis with a remote cache (redis-server and s3rver on loopback)',
  () => {
    let redis: Awaited<ReturnType<typeof startRedisServer>>;
    let s3: Awaited<ReturnType<typeof startS3Server>>;
    let prefix = 0;
    let cacheUrl: string;
    const workspaces: TestWorkspace[] = [];
    const workers: { child: ChildProcess; out: string[] }[] = [];
    const fresh = (ms?: number, rule?: string) => {
      const ws = checkout(ms, rule);
      workspaces.push(ws);
      return ws;
    };
    const startWorker = async (args: string[] = [], rule?: string) => startWorkerIn(fresh(undefined, rule), args);
    const startWorkerIn = async (ws: TestWorkspace, args: string[], files: Record<string, string> = {}) => {
      for (const [path, text] of Object.entries(files)) ws.write(path, text);
      const child = spawn(
        process.execPath,
        [
          QUANTO_BIN,
          '-C',
          ws.root,
          'worker',
          '--executor',
          redis.url,
          '--remote-cache',
          cacheUrl,
          '--lock-ms',
          '1000',
          ...(args.includes('--jobs') ? [] : ['--jobs', '1']),
          ...args,
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, CI: 'true' },
        },
      );
      const w = { child, out: [] as string[] };
      let buffer = '';
      child.stdout!.on('data', (d: Buffer) => {
        buffer += d.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        w.out.push(...lines);
      });
      child.stderr!.on('data', (d: Buffer) => w.out.push(`ERR ${d.toString('utf8')}`));
      workers.push(w);
      for (let i = 0; i < 400 && !w.out.some((l) => l.startsWith('WORKER ')); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(w.out.join('\n')).toMatch(/^WORKER /m);
      return w;
    };
    const stopWorkers = async () => {
      await Promise.all(
        workers.splice(0).map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
              w.child.once('exit', () => resolve());
              w.child.kill('SIGTERM');
            }),
        ),
      );
    };
    const started = (label: string) => workers.flatMap((w) => w.out).filter((l) => l === `START   ${label}`).length;

    beforeAll(async () => {
      [redis, s3] = await Promise.all([startRedisServer(), startS3Server()]);
      Object.assign(process.env, S3_TEST_KEYS, { QUANTO_REMOTE_CACHE_ENDPOINT: s3.endpoint });
    });
    afterEach(async () => {
      await stopWorkers();
    });
    afterAll(async () => {
      for (const k of [...Object.keys(S3_TEST_KEYS), 'QUANTO_REMOTE_CACHE_ENDPOINT']) delete process.env[k];
      for (const ws of workspaces) ws.dispose();
      await Promise.all([redis?.close(), s3?.close()]);
    });
    const nextCache = () => (cacheUrl = `s3://${s3.bucket}/run-${++prefix}`);

    it('workers on other checkouts build the DAG in order; the outputs are the bytes of a local build; each key runs once', async () => {
      nextCache();
      await Promise.all([startWorker(['--resources', 'cpu,memory']), startWorker()]);
      const local = await fresh().build('--jobs', '2', '//...');
      expect(local.code).toBe(0);
      const ws = fresh();
      const r = await ws.build('--executor', redis.url, '--remote-cache', cacheUrl, '--jobs', '8', '//...');
      expect(r.code, JSON.stringify(r.targets.filter((t) => t.error))).toBe(0);
      expect(r.built).toBe(8);
      // Outputs fetched from workers are results of runs, not cache hits.
      expect(r.remote).toMatchObject({ downloaded: 0, fromWorkers: 8 });
      expect(r.targets.map((t) => [t.label, t.outputs])).toEqual(local.targets.map((t) => [t.label, t.outputs]));
      for (const t of r.targets) expect(started(t.label), t.label).toBe(1);
      // Both workers took work; only the one offering 'memory' took the memory-class action.
      expect(workers.every((w) => w.out.some((l) => l.startsWith('START')))).toBe(true);
      expect(workers[1]!.out).not.toContain('START   //slow/big');
      // Early cutoff as in a local build: an edited source rebuilds its target on a worker, whose
      // output comes out identical (the rule does not copy the file), so the join is not queued again.
      ws.write('data/a.txt', 'input a, edited\n');
      const edited = await ws.build('--executor', redis.url, '--remote-cache', cacheUrl, '//...');
      expect(edited.status['//slow/a']).toBe('built');
      expect(edited.status['//join/all']).toBe('cached');
      expect(started('//slow/a')).toBe(2);
      expect(started('//join/all')).toBe(1);
      // A second coordinator on an empty checkout downloads everything: nothing is queued again.
      const again = await fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, '//...');
      expect(again.built).toBe(0);
      expect(again.cached).toBe(8);
      expect(again.remote).toMatchObject({ downloaded: 8, fromWorkers: 0 });
    }, 120_000);

    it('two coordinators building the same keys at once share the jobs: no key runs twice', async () => {
      nextCache();
      await Promise.all([startWorker(['--resources', 'cpu,memory', '--jobs', '2']), startWorker(['--jobs', '2'])]);
      const [x, y] = await Promise.all([
        fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, '//...'),
        fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, '//...'),
      ]);
      expect(
        x.code,
        JSON.stringify(x.targets.filter((t) => t.error)) + workers.map((w) => w.out.join('\n')).join('\n---\n'),
      ).toBe(0);
      expect(
        y.code,
        JSON.stringify(y.targets.filter((t) => t.error)) + workers.map((w) => w.out.join('\n')).join('\n---\n'),
      ).toBe(0);
      expect(x.targets.map((t) => t.outputs)).toEqual(y.targets.map((t) => t.outputs));
      for (const t of x.targets) expect(started(t.label), t.label).toBe(1);
    }, 120_000);

    it('a worker holds --prefetch actions beyond those it runs (fetching and uploading meanwhile); with --prefetch 0, one at a time', async () => {
      // The six cpu-class targets: --jobs and --prefetch count per resource class's queue.
      const cpuTargets = SLOW_TARGETS.map((t) => `//slow/${t}`);
      const takenBeforeFirstBuilt = (out: string[]) =>
        out
          .slice(
            0,
            out.findIndex((l) => l.startsWith('BUILT')),
          )
          .filter((l) => l.startsWith('START')).length;
      nextCache();
      const eager = await startWorker(['--prefetch', '2']);
      expect(eager.out.find((l) => l.startsWith('WORKER'))).toMatch(/\(1 at once, 2 more held\)/);
      expect((await fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, ...cpuTargets)).code).toBe(0);
      expect(takenBeforeFirstBuilt(eager.out)).toBe(3);
      await stopWorkers();
      nextCache();
      const strict = await startWorker(['--prefetch', '0']);
      expect((await fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, ...cpuTargets)).code).toBe(0);
      const lines = strict.out.filter((l) => /^(START|BUILT)/.test(l)).map((l) => l.slice(0, 5));
      expect(lines).toEqual(Array.from({ length: cpuTargets.length }, () => ['START', 'BUILT']).flat());
    }, 120_000);

    it('the coordinator reports an action started when a worker takes it, not while it waits in the queue; its progress follows as from a local thread', async () => {
      nextCache();
      const ws = fresh(1600, STEPPING_SLOW_RULE);
      const session = await Session.open(ws.root);
      const remote = new RemoteCache(
        await S3Store.open(resolveRemoteCache(undefined, process.env, { remoteCache: cacheUrl })!),
        { concurrency: 4, upload: true },
      );
      const executor = await RedisExecutor.open({
        redis: parseRedisUrl(redis.url),
        remote,
        platform: session.platform,
      });
      const events: BuildEvent[] = [];
      try {
        const building = build(session, ['//slow/a'], { jobs: 4, executor, remote, onEvent: (e) => events.push(e) });
        await new Promise((r) => setTimeout(r, 1500));
        // Queued, no worker yet: nothing has started.
        expect(events.filter((e) => e.type === 'start')).toEqual([]);
        await startWorker([], STEPPING_SLOW_RULE);
        expect((await building).failed).toBe(0);
      } finally {
        await executor.close();
        remote.store.close();
      }
      const kinds = events.filter((e) => e.type !== 'planned').map((e) => e.type);
      expect(kinds[0]).toBe('start');
      expect(kinds.filter((k) => k === 'start')).toHaveLength(1);
      expect(kinds.at(-1)).toBe('finish');
      const progress = events.flatMap((e) => (e.type === 'progress' ? [e.report] : []));
      // Written at most every 250 ms by the worker: some of the eight steps, in order, of this label.
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.every((p) => p.label === '//slow/a' && p.total === 8 && p.unit === 'steps')).toBe(true);
      const done = progress.map((p) => p.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
    }, 120_000);

    it('a worker killed mid-action: its job goes to another worker after the lock expires, with the same bytes', async () => {
      nextCache();
      const victim = await startWorker(['--resources', 'cpu,memory']);
      const local = await fresh(1500).build('--jobs', '2', '//...');
      const ws = fresh(1500);
      const building = ws.build('--executor', redis.url, '--remote-cache', cacheUrl, '//...');
      for (let i = 0; i < 400 && !victim.out.some((l) => l.startsWith('START')); i++)
        await new Promise((r) => setTimeout(r, 25));
      const killedLabel = victim.out.find((l) => l.startsWith('START'))!.slice('START   '.length);
      victim.child.kill('SIGKILL');
      const rescuer = await startWorker(['--resources', 'cpu,memory']);
      const r = await building;
      expect(
        r.code,
        JSON.stringify(r.targets.filter((t) => t.error)) + workers.map((w) => w.out.join('\n')).join('\n---\n'),
      ).toBe(0);
      expect(rescuer.out, workers.map((w) => w.out.join('\n')).join('\n---\n')).toContain(`START   ${killedLabel}`);
      expect(r.targets.map((t) => [t.label, t.outputs])).toEqual(local.targets.map((t) => [t.label, t.outputs]));
    }, 120_000);

    it('Redis restarting empty mid-build: lost jobs are queued again and the build completes with the right bytes', async () => {
      nextCache();
      await startWorker(['--resources', 'cpu,memory', '--jobs', '2']);
      const local = await fresh(800).build('--jobs', '2', '//...');
      const ws = fresh(800);
      const building = ws.build('--executor', redis.url, '--remote-cache', cacheUrl, '//...');
      for (let i = 0; i < 400 && started('//slow/a') + started('//slow/b') + started('//slow/c') === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      await redis.stop();
      await new Promise((r) => setTimeout(r, 500));
      await redis.start();
      const r = await building;
      expect(r.code, JSON.stringify(r.targets.filter((t) => t.error))).toBe(0);
      expect(r.targets.map((t) => [t.label, t.outputs])).toEqual(local.targets.map((t) => [t.label, t.outputs]));
    }, 120_000);

    it('a worker whose checkout has another version of the rule refuses the job, naming the file', async () => {
      nextCache();
      await startWorker(['--resources', 'cpu,memory'], SLOW_RULE.replace("name: 'slow'", "name: 'slow' /* edited */"));
      const r = await fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, '//slow/a');
      expect(r.code).toBe(1);
      expect(r.targets.find((t) => t.label === '//slow/a')!.error).toMatch(
        /refused by worker .*: rule 'slow' differs in this worker's checkout \(rules\/slow\.ts\)/,
      );
    }, 60_000);

    it('a worker installed from another lockfile serves other queues: it never takes work it cannot reproduce', async () => {
      nextCache();
      const other = await startWorkerIn(fresh(), ['--resources', 'cpu,memory'], {
        'package-lock.json': '{"lockfileVersion": 3, "packages": {"": {"name": "elsewhere"}}}\n',
      });
      process.env.QUANTO_EXECUTOR_NO_WORKER_TIMEOUT_MS = '1500';
      try {
        const r = await fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, '//slow/a');
        expect(r.code).toBe(1);
        expect(r.targets.find((t) => t.label === '//slow/a')!.error).toMatch(/no worker serves quanto-[0-9a-f]+-cpu/);
        expect(other.out.filter((l) => l.startsWith('START'))).toEqual([]);
      } finally {
        delete process.env.QUANTO_EXECUTOR_NO_WORKER_TIMEOUT_MS;
      }
    }, 60_000);

    it('an action of a resource class no worker serves fails, saying which worker to start', async () => {
      nextCache();
      await startWorker(); // cpu only
      process.env.QUANTO_EXECUTOR_NO_WORKER_TIMEOUT_MS = '1500';
      try {
        const r = await fresh().build('--executor', redis.url, '--remote-cache', cacheUrl, '//slow/big', '//slow/a');
        expect(r.status['//slow/a']).toBe('built');
        expect(r.targets.find((t) => t.label === '//slow/big')!.error).toMatch(
          /no worker serves quanto-[0-9a-f]+-memory .*resource class 'memory'.*quanto worker --executor redis:\/\/127\.0\.0\.1:\d+ --resources memory/,
        );
      } finally {
        delete process.env.QUANTO_EXECUTOR_NO_WORKER_TIMEOUT_MS;
      }
    }, 60_000);

    it('quanto doctor --executor reaches Redis and counts the workers serving this checkout, per resource class', async () => {
      nextCache();
      await startWorker();
      const ws = fresh();
      const r = await ws.cli('doctor', '--executor', redis.url, '--remote-cache', cacheUrl);
      expect(r.out).toMatch(
        /^ok {4}executor {15}redis:\/\/127\.0\.0\.1:\d+: reachable \(Redis [\d.]+\); workers for this checkout and cache: cpu 1, memory 0$/m,
      );
      const down = await ws.cli('doctor', '--executor', 'redis://127.0.0.1:9', '--remote-cache', cacheUrl);
      expect(down.code).toBe(1);
      expect(down.out).toMatch(/^FAIL {2}executor {15}redis:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/m);
      const noCache = await ws.cli('doctor', '--executor', redis.url);
      expect(noCache.out).toMatch(/^WARN {2}executor .*no remote cache is configured, and --executor needs one$/m);
    }, 60_000);

    it('usage errors: --executor without a remote cache, or not redis://', async () => {
      const ws = fresh();
      const none = await ws.cli('build', '--executor', redis.url, '//slow/a');
      expect(none.code).toBe(2);
      expect(none.err).toMatch(/--executor needs a remote cache/);
      const bad = await ws.cli('build', '--executor', 'amqp://x', '--remote-cache', `s3://${s3.bucket}/x`, '//slow/a');
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/only redis:\/\/HOST:PORT is supported/);
    });
  },
);
