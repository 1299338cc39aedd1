import { spawnSync } from 'node:child_process';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs a command to completion and returns its wall time in ms; throws if it fails. */
export function timeCommand(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}): ${r.stdout?.toString().slice(-2000)}${r.stderr?.toString().slice(0, 2000)}`,
    );
  return ms;
}

export function available(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function fmt(ms: number | undefined): string {
  if (ms === undefined) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/**
 * timeCommand without blocking this process's event loop: for benchmarks whose servers (a
 * local vendor) run in this process while the command runs.
 */
export async function timeCommandAsync(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { spawn } = await import('node:child_process');
  const start = process.hrtime.bigint();
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString('utf8')).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString('utf8')).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${out}`);
  return ms;
}
