import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const QUANTO_BIN = join(REPO_ROOT, 'bin', 'quanto.js');

/** Runs the CLI in this process (so coverage sees it), each line of out and err newline-terminated. */
export async function runCli(args: string[], cwd = REPO_ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`),
    cwd,
    isTTY: false,
  });
  return { code, out, err };
}

/** A throwaway workspace: files by relative path; node_modules linked so rules can import zod. */
export class TestWorkspace {
  readonly root: string;

  constructor(files: Record<string, string>) {
    this.root = mkdtempSync(join(tmpdir(), 'quanto-test-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(this.root, 'node_modules'));
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), text);
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Runs the CLI in this process (so coverage sees it). */
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    return runCli(['-C', this.root, ...args], this.root);
  }

  /** `quanto build --json` in this process; returns the parsed JSON and a status by label. */
  async build(...args: string[]): Promise<BuildJson & { code: number; status: Record<string, string> }> {
    const r = await this.cli('build', '--json', ...args);
    let parsed: BuildJson;
    try {
      parsed = JSON.parse(r.out) as BuildJson;
    } catch {
      throw new Error(`build did not print JSON (exit ${r.code}):\n${r.out}\n${r.err}`);
    }
    return { ...parsed, code: r.code, status: Object.fromEntries(parsed.targets.map((t) => [t.label, t.status])) };
  }

  /** Runs the real binary as a child process. */
  spawnCli(args: string[]): ChildProcess {
    return spawn(process.execPath, [QUANTO_BIN, '-C', this.root, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
  }

  runCliSync(args: string[]): { code: number; out: string; err: string } {
    const r = spawnSync(process.execPath, [QUANTO_BIN, '-C', this.root, ...args], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface BuildJson {
  targets: { label: string; status: string; key: string | null; outputs: Record<string, string>; error?: string }[];
  built: number;
  cached: number;
  failed: number;
  skipped: number;
}

/** Labels whose status is `built`, sorted. */
export function builtLabels(result: { status: Record<string, string> }): string[] {
  return Object.entries(result.status)
    .filter(([, s]) => s === 'built')
    .map(([l]) => l)
    .sort();
}

/** Every regular file under a directory (symlinks, like node_modules and linked rules, not followed). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) return [];
    if (e.isDirectory()) return filesUnder(p);
    return e.isFile() ? [p] : [];
  });
}
