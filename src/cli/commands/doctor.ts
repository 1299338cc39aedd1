import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import { readdirSync, readFileSync, statfsSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDigest, type Digest } from '../../engine/keys/digest.js';
import { EXIT_FAILURE } from '../../engine/errors.js';
import type { Manifest } from '../../engine/keys/manifest.js';
import { quantoPackageRoot } from '../../engine/package-root.js';
import { ContentStore, describeBlobProblem } from '../../engine/store/cas.js';
import { SECRET_ENV_NAMES } from '../../secrets/redact.js';
import { Workspace } from '../../engine/workspace.js';
import type { CliIO } from '../io.js';
import { findWorkspaceRoot } from '../workspace-root.js';
import { executorCheck, remoteCacheCheck, type Check } from './doctor-remote.js';

export interface DoctorFlags {
  full?: boolean;
  /** Check this remote cache instead of the configured one. */
  remoteCache?: string;
  /** Check this Redis of distributed builds and count its workers. */
  executor?: string;
}

/** ok and FAIL are verdicts; '-' is a fact that is neither (a key that is not set). */
const STATUS_COLUMN: Record<Check['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', info: '-   ' };

export async function doctorCommand(io: CliIO, globals: GlobalOptions, opts: DoctorFlags): Promise<number> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  checks.push({
    name: 'node',
    status: major > 20 || (major === 20 && minor >= 19) ? 'ok' : 'fail',
    detail: `v${process.versions.node} (needs >= 20.19)`,
  });
  for (const pkg of ['zod', 'yaml', 'piscina', 'esbuild', 'commander', 'chokidar', 'ink', 'apache-arrow']) {
    checks.push(await importCheck(pkg));
  }
  checks.push(await duckdbCheck());
  checks.push(await tfjsCheck());

  let ws: Workspace | undefined;
  try {
    ws = new Workspace(globals.workspace ?? findWorkspaceRoot(io.cwd));
  } catch (err) {
    checks.push({ name: 'workspace', status: 'warn', detail: (err as Error).message });
  }
  if (ws) {
    checks.push({ name: 'workspace', status: 'ok', detail: ws.root });
    checks.push(cacheCheck(ws, opts.full ?? false));
    const fsStat = statfsSync(existsSync(ws.cacheDir) ? ws.cacheDir : ws.root);
    const freeGiB = (fsStat.bavail * fsStat.bsize) / 2 ** 30;
    checks.push({
      name: 'disk',
      status: freeGiB < 1 ? 'warn' : 'ok',
      detail: `${freeGiB.toFixed(1)} GiB free for the cache`,
    });
    const remote = await remoteCacheCheck(ws, opts.remoteCache ? { remoteCache: opts.remoteCache } : {});
    if (remote) checks.push(remote.check);
    if (opts.executor) checks.push(await executorCheck(ws, opts.executor, remote?.remote));
    remote?.remote?.store.close();
  }
  // Only whether each is set is ever printed, never a value.
  for (const name of SECRET_ENV_NAMES)
    checks.push(
      process.env[name] ? { name, status: 'ok', detail: 'set' } : { name, status: 'info', detail: 'not set' },
    );

  for (const c of checks) io.out(`${STATUS_COLUMN[c.status]}  ${c.name.padEnd(22)} ${c.detail}`);
  return checks.some((c) => c.status === 'fail') ? EXIT_FAILURE : 0;
}

async function importCheck(pkg: string): Promise<Check> {
  try {
    await import(pkg);
    const version = (
      JSON.parse(readFileSync(join(quantoPackageRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    return { name: pkg, status: 'ok', detail: version };
  } catch (err) {
    return { name: pkg, status: 'fail', detail: `cannot load: ${(err as Error).message.split('\n')[0]} (run npm ci)` };
  }
}

async function duckdbCheck(): Promise<Check> {
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll('SELECT version() AS v, 40 + 2 AS answer');
    const [row] = reader.getRowObjects();
    conn.closeSync();
    return {
      name: 'duckdb',
      status: row?.answer === 42 ? 'ok' : 'fail',
      detail: `${String(row?.v)} (in-memory query ran)`,
    };
  } catch (err) {
    return { name: 'duckdb', status: 'fail', detail: (err as Error).message.split('\n')[0]! };
  }
}

async function tfjsCheck(): Promise<Check> {
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    const sum = (await tf.tensor1d([1, 2, 3]).sum().data())[0];
    return {
      name: 'tensorflow.js',
      status: ok && sum === 6 ? 'ok' : 'fail',
      detail: `${tf.version.tfjs}, backend ${tf.getBackend()}`,
    };
  } catch (err) {
    return { name: 'tensorflow.js', status: 'fail', detail: (err as Error).message.split('\n')[0]! };
  }
}

/**
 * Every manifest parses and names blobs that exist at their recorded size; with --full every
 * blob is rehashed too. Any problem fails the check (exit 1): a store that holds a wrong byte
 * is not healthy, even though builds route around it.
 */
function cacheCheck(ws: Workspace, full: boolean): Check {
  if (!existsSync(ws.acDir)) return { name: 'cache', status: 'ok', detail: `${ws.cacheDir} (empty)` };
  const cas = new ContentStore(ws.casDir);
  let manifests = 0;
  const problems: string[] = [];
  const blobs = new Set<Digest>();
  for (const shard of readdirSync(ws.acDir)) {
    for (const file of readdirSync(join(ws.acDir, shard))) {
      if (!file.endsWith('.json')) continue;
      manifests += 1;
      let m: Manifest;
      try {
        m = JSON.parse(readFileSync(join(ws.acDir, shard, file), 'utf8')) as Manifest;
      } catch {
        problems.push(`unreadable manifest ${join(ws.acDir, shard, file)}`);
        continue;
      }
      for (const [name, o] of Object.entries(m.outputs)) {
        if (blobs.has(o.digest)) continue;
        blobs.add(o.digest);
        const problem = isDigest(o.digest) ? cas.check(o.digest, o.size, full ? 'full' : 'size') : null;
        if (problem)
          problems.push(`${m.label}: output '${name}' (blob ${o.digest.slice(0, 12)}) ${describeBlobProblem(problem)}`);
      }
    }
  }
  const detail = `${manifests} manifests, ${blobs.size} blobs${full ? ' rehashed' : ' (sizes checked; --full rehashes them)'}`;
  return problems.length === 0
    ? { name: 'cache', status: 'ok', detail }
    : {
        name: 'cache',
        status: 'fail',
        detail: `${detail}; ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')} (quanto gc --repair takes them out, and the next build rebuilds them)`,
      };
}

/** Registers `quanto doctor`. */
export function registerDoctorCommand(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('check the installation, the cache and the environment')
    .option('--full', 'rehash every blob in the cache (exit 1 when one is damaged)')
    .option('--remote-cache <url>', 'check this remote cache (s3://bucket/prefix) instead of the configured one')
    .option(
      '--executor <url>',
      'check this Redis of distributed builds (redis://HOST:PORT) and count the workers serving this checkout',
    )
    .action(ctx.run((opts: DoctorFlags) => doctorCommand(ctx.io, ctx.globals(), opts)));
}
