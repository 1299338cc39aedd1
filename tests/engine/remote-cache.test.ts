import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smallWorkspace } from '../helpers/fixtures.js';
import { watchCommand } from '../../src/cli/commands/watch.js';
import { S3_TEST_KEYS, startS3Server } from '../helpers/s3-server.js';
import { QUANTO_BIN, type TestWorkspace } from '../helpers/workspace.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the remote cache on S3-compatible storage (s3rver on loopback)', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  const workspaces: TestWorkspace[] = [];
  const fresh = () => {
    const ws = smallWorkspace();
    workspaces.push(ws);
    return ws;
  };
  let url: string;
  beforeAll(async () => {
    s3 = await startS3Server();
    url = `s3://${s3.bucket}/team-a`;
    Object.assign(process.env, S3_TEST_KEYS, { QUANTO_REMOTE_CACHE_ENDPOINT: s3.endpoint });
  });
  afterEach(() => {
    delete process.env.QUANTO_REMOTE_CACHE;
  });
  afterAll(async () => {
    for (const k of [...Object.keys(S3_TEST_KEYS), 'QUANTO_REMOTE_CACHE_ENDPOINT']) delete process.env[k];
    for (const ws of workspaces) ws.dispose();
    await s3?.close();
  });

  it('a build uploads behind itself; a second, empty workspace downloads everything and runs nothing', async () => {
    const first = fresh();
    const a = await first.build('--jobs', '0', '--remote-cache', url, '//...');
    expect(a.code).toBe(0);
    expect(a.built).toBe(4);
    expect((a as unknown as { remote: { uploaded: number } }).remote.uploaded).toBe(4);
    const manifests = await s3.keys('team-a/ac/');
    expect(manifests).toHaveLength(4);
    for (const t of a.targets) expect(manifests).toContain(`team-a/ac/${t.key!.slice(0, 2)}/${t.key}.json`);
    // Every output is on the remote under its digest.
    for (const digest of a.targets.flatMap((t) => Object.values(t.outputs)))
      expect(sha256(await s3.get(`team-a/cas/${digest.slice(0, 2)}/${digest}`))).toBe(digest);

    const second = fresh();
    const b = await second.build('--jobs', '0', '--remote-cache', url, '//...');
    expect(b.code).toBe(0);
    expect(b.built).toBe(0);
    expect(b.cached).toBe(4);
    expect(b.targets.every((t) => (t as { remote?: boolean }).remote === true)).toBe(true);
    expect(b.targets.map((t) => [t.label, t.outputs])).toEqual(a.targets.map((t) => [t.label, t.outputs]));
    for (const t of a.targets)
      for (const name of Object.keys(t.outputs))
        expect(second.read(`cache/out/${t.label.slice(2)}/${name}`)).toBe(
          first.read(`cache/out/${t.label.slice(2)}/${name}`),
        );
    // Downloaded entries are local now: the next build needs no network and finds it all cached.
    const again = await second.build('--jobs', '0', '//...');
    expect(again.cached).toBe(4);
  }, 60_000);

  it('a corrupted blob and a truncated blob on the remote are detected and rebuilt, never used; the upload repairs them', async () => {
    const seed = fresh();
    const built = await seed.build('--jobs', '0', '--remote-cache', url, '//...');
    const digestOf = (label: string) => Object.values(built.targets.find((t) => t.label === label)!.outputs)[0]!;
    const corrupted = digestOf('//features/upper');
    const truncated = digestOf('//report/final');
    const good = await s3.get(`team-a/cas/${corrupted.slice(0, 2)}/${corrupted}`);
    await s3.put(
      `team-a/cas/${corrupted.slice(0, 2)}/${corrupted}`,
      Buffer.from(good.toString('utf8').replace(/F:/g, 'X:')),
    ); // same size, other bytes
    const whole = await s3.get(`team-a/cas/${truncated.slice(0, 2)}/${truncated}`);
    await s3.put(`team-a/cas/${truncated.slice(0, 2)}/${truncated}`, whole.subarray(0, Math.floor(whole.length / 2)));

    const ws = fresh();
    const r = await ws.build('--jobs', '0', '--remote-cache', url, '//...');
    expect(r.code).toBe(0);
    expect(r.status['//raw/prices']).toBe('cached');
    expect(r.status['//stats/lines']).toBe('cached');
    expect(r.status['//features/upper']).toBe('built');
    expect(r.status['//report/final']).toBe('built');
    const remote = (r as unknown as { remote: { corrupt: number; uploaded: number } }).remote;
    expect(remote.corrupt).toBe(2);
    expect(ws.read('cache/out/features/upper/out.txt')).toBe(seed.read('cache/out/features/upper/out.txt'));
    expect(r.targets.map((t) => t.outputs)).toEqual(built.targets.map((t) => t.outputs));
    // The rebuild uploaded the right bytes over the bad ones.
    expect(sha256(await s3.get(`team-a/cas/${corrupted.slice(0, 2)}/${corrupted}`))).toBe(corrupted);
    expect(sha256(await s3.get(`team-a/cas/${truncated.slice(0, 2)}/${truncated}`))).toBe(truncated);
  }, 60_000);

  it('a remote manifest filed under the wrong key, or torn, is a miss', async () => {
    const seed = fresh();
    const built = await seed.build('--jobs', '0', '--remote-cache', url, '//...');
    const key = (label: string) => built.targets.find((t) => t.label === label)!.key!;
    const [raw, lines] = [key('//raw/prices'), key('//stats/lines')];
    await s3.put(
      `team-a/ac/${lines.slice(0, 2)}/${lines}.json`,
      await s3.get(`team-a/ac/${raw.slice(0, 2)}/${raw}.json`),
    ); // another action's manifest
    await s3.put(`team-a/ac/${raw.slice(0, 2)}/${raw}.json`, '{"manifestFormat":1,"key":'); // torn
    const ws = fresh();
    const r = await ws.build('--jobs', '0', '--remote-cache', url, '//...');
    expect(r.status['//raw/prices']).toBe('built');
    expect(r.status['//stats/lines']).toBe('built');
    expect(r.targets.map((t) => t.outputs)).toEqual(built.targets.map((t) => t.outputs));
  }, 60_000);

  it('configured in the pipeline, with uploads off for a read-only client; verify compares a clean rebuild with the remote', async () => {
    const ws = fresh();
    ws.write(
      'quanto.pipeline.yaml',
      `remote_cache:\n  url: s3://${s3.bucket}/team-b\n  endpoint: ${s3.endpoint}\n  upload: false\n${ws.read('quanto.pipeline.yaml')}`,
    );
    delete process.env.QUANTO_REMOTE_CACHE_ENDPOINT;
    try {
      const r = await ws.build('--jobs', '0', '//...');
      expect(r.built).toBe(4);
      expect(await s3.keys('team-b/')).toEqual([]);
      const uploading = await ws.build('--jobs', '0', '--remote-cache', `s3://${s3.bucket}/team-b`, '//...'); // the flag's URL, the pipeline's endpoint
      expect(uploading.cached).toBe(4);
    } finally {
      process.env.QUANTO_REMOTE_CACHE_ENDPOINT = s3.endpoint;
    }
    const uploader = fresh();
    await uploader.build('--jobs', '0', '--remote-cache', `s3://${s3.bucket}/team-b`, '//...');
    const v = await ws.cli('verify', '--jobs', '0', '--json', '--remote-cache', `s3://${s3.bucket}/team-b`, '//...');
    expect(v.code, v.out + v.err).toBe(0);
    expect(JSON.parse(v.out).remote).toMatchObject({ checked: 4, absent: 0, mismatches: [] });
    // A remote whose manifest says other bytes for the same key fails verify, naming the output.
    const key = JSON.parse((await ws.cli('show', '--json', '//report/final')).out).key as string;
    const manifestKey = `team-b/ac/${key.slice(0, 2)}/${key}.json`;
    const manifest = JSON.parse((await s3.get(manifestKey)).toString('utf8'));
    manifest.outputs['out.txt'].digest = 'f'.repeat(64);
    await s3.put(manifestKey, JSON.stringify(manifest));
    const bad = await ws.cli('verify', '--jobs', '0', '--remote-cache', `s3://${s3.bucket}/team-b`, '//...');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^MISMATCH \/\/report\/final out\.txt: remote f{64} clean [0-9a-f]{64}$/m);
  }, 60_000);

  it('a remote cache that is down never fails the build: the actions run and the summary counts the transfer errors', async () => {
    const ws = fresh();
    process.env.QUANTO_REMOTE_CACHE_ENDPOINT = 'http://127.0.0.1:9';
    try {
      const r = await ws.cli('build', '--jobs', '0', '--no-tui', '--remote-cache', url, '//...');
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toMatch(
        /quanto: 4 built, 0 cached, 0 failed.*remote cache: 0 downloaded, 0 uploaded, \d+ transfer error\(s\)/,
      );
      expect(r.err).toMatch(
        /quanto: remote cache: \/\/raw\/prices: (download|upload): remote cache s3:\/\/quanto-cache\/team-a at http:\/\/127\.0\.0\.1:9: /,
      );
    } finally {
      process.env.QUANTO_REMOTE_CACHE_ENDPOINT = s3.endpoint;
    }
  }, 60_000);

  it('the CLI does not repeat the SDK warning about Node versions it will drop on every command', async () => {
    const ws = fresh();
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const child = spawn(
      process.execPath,
      [QUANTO_BIN, '-C', ws.root, 'build', '--no-tui', '--remote-cache', url, '//...'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.stdout!.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(0);
    expect(err).not.toMatch(/NodeVersionSupportWarning/);
  }, 60_000);

  it('quanto doctor proves the remote cache answers and takes the credentials, and says so when it does not', async () => {
    const ws = fresh();
    const ok = await ws.cli('doctor', '--remote-cache', url);
    expect(ok.out).toMatch(
      new RegExp(
        `^ok {4}remote cache {11}${url} at ${s3.endpoint.replace(/[.]/g, '\\.')}: reachable, credentials accepted, uploads on$`,
        'm',
      ),
    );
    process.env.QUANTO_REMOTE_CACHE_ENDPOINT = 'http://127.0.0.1:9';
    try {
      const down = await ws.cli('doctor', '--remote-cache', url);
      expect(down.code).toBe(1);
      expect(down.out).toMatch(
        /^FAIL {2}remote cache {11}remote cache s3:\/\/quanto-cache\/team-a at http:\/\/127\.0\.0\.1:9: /m,
      );
    } finally {
      process.env.QUANTO_REMOTE_CACHE_ENDPOINT = s3.endpoint;
    }
    // None configured: no line at all.
    expect((await ws.cli('doctor')).out).not.toMatch(/remote cache/);
  }, 60_000);

  it('quanto watch reads through and writes behind the remote cache too', async () => {
    const a = fresh();
    expect((await a.cli('build', '--jobs', '0', '--no-tui', '--remote-cache', `${url}-watch`, '//...')).code).toBe(0);
    const b = fresh();
    const lines: string[] = [];
    const stop = new AbortController();
    const io = {
      out: (t: string) => lines.push(...t.replace(/\n$/, '').split('\n')),
      err: (t: string) => lines.push(`ERR ${t}`),
      cwd: b.root,
      isTTY: false,
    };
    const exit = watchCommand(
      io,
      { workspace: b.root },
      ['//...'],
      { tui: false, jobs: 0, remoteCache: `${url}-watch` },
      stop.signal,
    );
    const summaries = async (n: number) => {
      for (let i = 0; i < 1000 && lines.filter((l) => l.startsWith('quanto: ')).length < n; i++)
        await new Promise((r) => setTimeout(r, 20));
      return lines.filter((l) => l.startsWith('quanto: '));
    };
    try {
      expect((await summaries(1))[0]).toMatch(/^quanto: 0 built, 4 cached, .*remote cache: 4 downloaded, 0 uploaded$/);
      b.write('configs/upper.yaml', '# upper-case features\nupper: true\nprefix: "G:"\n');
      expect((await summaries(2))[1]).toMatch(
        /^quanto: [1-9]\d* built, .*remote cache: 0 downloaded, [1-9]\d* uploaded$/,
      );
    } finally {
      stop.abort();
      expect(await exit).toBe(0);
    }
  }, 60_000);

  it('credentials only from the environment: without them, and with a URL that is not s3://, a clear usage error', async () => {
    const ws = fresh();
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const r = await ws.cli('build', '--remote-cache', url, '//...');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment/);
      const badUrl = await ws.cli('build', '--remote-cache', 'https://example.com/cache', '//...');
      expect(badUrl.code).toBe(2);
      expect(badUrl.err).toMatch(/remote cache: url: write s3:\/\/bucket\/prefix .*--remote-cache/);
    } finally {
      Object.assign(process.env, S3_TEST_KEYS);
    }
  });
});
