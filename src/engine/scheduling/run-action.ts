import { matrixPointOf } from '../pipeline/matrix-point.js';
import { closeSync, linkSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ActionCache } from '../store/action-cache.js';
import type { ActionEvent, ActionOutcome, ActionTask } from './action-task.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { canonicalJson } from '../keys/canonical-json.js';
import { ContentStore, describeBlobProblem } from '../store/cas.js';
import { digestBytes, shortDigest, type Digest } from '../keys/digest.js';
import { machineErrorMessage } from '../store/fs-errors.js';
import { checkInputBlobs } from '../store/input-check.js';
import type { Manifest, OutputEntry } from '../keys/manifest.js';
import { materializeOutputs } from '../store/out-tree.js';
import type { InputArtifact, Rule, RuleContext, RuleResult } from '../rule-api.js';
import { emptyDirectory, threadScratch } from '../store/scratch.js';
import { Workspace } from '../workspace.js';
import { hasSecrets, maskSecretsInFile, redact, redactError } from '../../secrets/redact.js';
import { importRuleBundle } from './load-bundle.js';

/** JSON a rule reported (what it fetched, what it validated), with any secret in it masked. */
function redactJson(value: unknown): unknown {
  return hasSecrets() ? (JSON.parse(redact(JSON.stringify(value))) as unknown) : value;
}

/** Digest of an output set: what dependents' keys see, so identical bytes stop a rebuild (early cutoff). */
export function outputsDigestOf(outputs: Record<string, { digest: Digest }>): Digest {
  const names: Record<string, Digest> = {};
  for (const name of Object.keys(outputs).sort()) names[name] = outputs[name]!.digest;
  return digestBytes(canonicalJson(names));
}

/**
 * Runs one action: calls the rule in a private temp directory, moves every file it wrote into
 * the content store, then commits the manifest to the action cache (the commit point), then
 * refreshes the stable output path. Used in worker threads and, with --jobs 0, inline.
 */
export async function runAction(task: ActionTask, onEvent?: (e: ActionEvent) => void): Promise<ActionOutcome> {
  const started = Date.now();
  const workspace = new Workspace('.', task.cacheDir);
  const cas = new ContentStore(workspace.casDir);
  const { root: scratch, out: outDir } = threadScratch(workspace.tmpDir);
  const logLines: LogEntry[] = [];
  const live = new LiveLog(task.logPath);
  const log = (level: LogEntry['level']) => (message: string) => {
    const entry = { level, message: redact(message) };
    logLines.push(entry);
    live.append(`${entry.level} ${entry.message}\n`);
  };
  try {
    const lostInputs = checkInputBlobs(task, cas);
    if (lostInputs.length > 0) {
      const error = lostInputs
        .map((l) => `input '${l.name}' of ${l.input} (blob ${shortDigest(l.digest)}) ${describeBlobProblem(l.problem)}`)
        .join('; ');
      return { ok: false, error, logPath: task.logPath, durationMs: Date.now() - started, lostInputs };
    }
    const rule = await loadRule(task.bundlePath);
    const ctx: RuleContext<unknown> = {
      label: task.label,
      config: task.config,
      seed: task.seed,
      partition: task.partition,
      matrix: matrixPointOf(task.target),
      inputs: buildInputs(task, cas, scratch),
      srcs: task.srcs,
      plugins: await loadPlugins(task.plugins),
      pluginDigests: Object.fromEntries(Object.entries(task.plugins).map(([m, p]) => [m, p.sourcesDigest])),
      outDir,
      log: { info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
      progress: (done, total, unit) =>
        onEvent?.({ kind: 'progress', key: task.key, label: task.label, done, total, unit }),
      parallelism: task.parallelism,
    };
    const result: RuleResult = (await rule.run(ctx)) ?? {};
    const outputs = adoptOutputs(cas, outDir, task.label, rule.outputs);
    live.close();
    const logDigest = writeLog(cas, task.logPath, logLines, task.label);
    const manifest: Omit<Manifest, 'record'> = {
      manifestFormat: 1,
      label: task.label,
      target: task.target,
      partition: task.partitionPath,
      key: task.key,
      ruleVersion: task.ruleVersion,
      outputs,
      outputsDigest: outputsDigestOf(outputs),
      rows: result.rows ?? {},
      log: logDigest,
      timings: { startedAt: new Date(started).toISOString(), durationMs: Date.now() - started },
      ...(result.fetched !== undefined ? { fetched: redactJson(result.fetched) } : {}),
      ...(result.validation !== undefined ? { validation: redactJson(result.validation) } : {}),
      ...(result.columns !== undefined ? { columns: result.columns } : {}),
      ...(result.holdout !== undefined ? { holdout: result.holdout } : {}),
    };
    new ActionCache(workspace.acDir).putWithRecordJson(manifest, task.recordJson);
    materializeOutputs(cas, task.outPath, outputs);
    return { ok: true, manifest };
  } catch (err) {
    const machine = machineErrorMessage(err, workspace.cacheDir);
    const message = machine ?? redactError(err);
    logLines.push({ level: 'ERROR', message: redact(err instanceof Error && err.stack ? err.stack : message) });
    live.close();
    try {
      writeLog(cas, task.logPath, logLines, task.label);
    } catch {
      // A full or read-only disk fails the log too; the error still reaches the build's summary.
    }
    return {
      ok: false,
      error: message,
      logPath: task.logPath,
      durationMs: Date.now() - started,
      ...(machine ? { machine: true } : {}),
    };
  } finally {
    live.close();
    // Adopted files have moved out; what is left (subdirectories, a failed run's files, staged inputs) goes.
    emptyDirectory(outDir);
    rmSync(join(scratch, 'in'), { recursive: true, force: true });
  }
}

const loadedRules = new Map<string, Rule<unknown>>();

/** The default exports of the plugin bundles, by the module path the rule named. */
async function loadPlugins(plugins: ActionTask['plugins']): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [module, { bundlePath }] of Object.entries(plugins))
    out[module] = (await importRuleBundle(bundlePath)).default;
  return out;
}

async function loadRule(bundlePath: string): Promise<Rule<unknown>> {
  let rule = loadedRules.get(bundlePath);
  if (!rule) {
    rule = (await importRuleBundle(bundlePath)).default as Rule<unknown>;
    loadedRules.set(bundlePath, rule);
  }
  return rule;
}

function buildInputs(task: ActionTask, cas: ContentStore, scratch: string): Record<string, InputArtifact> {
  const inputs: Record<string, InputArtifact> = {};
  let staged = 0;
  for (const [label, input] of Object.entries(task.inputs)) {
    const files: Record<string, string> = {};
    for (const [name, digest] of Object.entries(input.files)) files[name] = cas.pathOf(digest);
    let dir: string | undefined;
    inputs[label] = {
      label,
      files,
      outputsDigest: input.outputsDigest,
      dir: () => {
        if (dir === undefined) {
          dir = join(scratch, 'in', String(staged++));
          for (const [name, path] of Object.entries(files)) {
            mkdirSync(dirname(join(dir, name)), { recursive: true });
            linkSync(path, join(dir, name));
          }
        }
        return dir;
      },
    };
  }
  return inputs;
}

function adoptOutputs(
  cas: ContentStore,
  outDir: string,
  label: string,
  declared: readonly string[],
): Record<string, OutputEntry> {
  const names = listFiles(outDir, '', label);
  const missing = declared.filter((d) => !names.some((n) => n === d || n.startsWith(`${d}/`)));
  if (missing.length > 0) {
    throw new Error(
      `${label}: the rule did not produce its declared output(s) ${missing.map((m) => `'${m}'`).join(', ')} (it wrote: ${names.join(', ') || 'nothing'})`,
    );
  }
  const outputs: Record<string, OutputEntry> = {};
  // A rule may have written a secret it was handed back (a vendor's error echoed into a report): masked before hashing.
  const mask = hasSecrets();
  for (const name of names) {
    if (mask) maskSecretsInFile(join(outDir, name));
    outputs[name] = cas.adoptFile(join(outDir, name));
  }
  return outputs;
}

function listFiles(dir: string, prefix: string, label: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), name, label));
    else if (entry.isFile()) out.push(name);
    else
      throw new Error(`${label}: output '${name}' is not a regular file (symlinks and special files cannot be cached)`);
  }
  return out;
}

interface LogEntry {
  level: 'INFO' | 'WARN' | 'ERROR';
  message: string;
}

/**
 * The log as the rule writes it, line by line, at the log's path (a `tail -f` follows a long
 * action). At the end the finished log replaces it atomically with the same lines. A live log
 * that cannot be written (a full disk) is given up silently: the final write reports the problem.
 */
class LiveLog {
  private fd: number | undefined;
  private failed = false;

  constructor(private readonly path: string) {}

  append(text: string): void {
    if (this.failed) return;
    try {
      if (this.fd === undefined) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.fd = openSync(this.path, 'w');
      }
      writeSync(this.fd, text);
    } catch {
      this.failed = true;
      this.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // closed already
    }
    this.fd = undefined;
  }
}

/**
 * An action's log, twice: `LEVEL message` lines for people (the .log the terminal UI tails,
 * kept in the content store with the manifest) and one JSON object per line for machines
 * (.jsonl beside it: target, sequence number, level, message). No timestamps: the log of a
 * rebuild is the same bytes.
 */
function writeLog(cas: ContentStore, logPath: string, lines: readonly LogEntry[], label: string): Digest | null {
  const jsonPath = logPath.replace(/\.log$/, '.jsonl');
  if (lines.length === 0) {
    rmSync(logPath, { force: true });
    rmSync(jsonPath, { force: true });
    return null;
  }
  const text = lines.map((l) => `${l.level} ${l.message}`).join('\n') + '\n';
  writeFileAtomic(logPath, text);
  writeFileAtomic(
    jsonPath,
    lines
      .map((l, seq) => JSON.stringify({ target: label, seq, level: l.level.toLowerCase(), message: l.message }))
      .join('\n') + '\n',
  );
  return cas.putBytes(text);
}
