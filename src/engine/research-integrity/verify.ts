import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from '../scheduling/build.js';
import { type ActionResult } from '../scheduling/build-events.js';
import type { BlobProblem } from '../store/cas.js';
import type { Digest } from '../keys/digest.js';
import type { RemoteCache } from '../store/remote/remote-cache.js';
import { Session } from '../session.js';
import { Workspace } from '../workspace.js';

export interface VerifyMismatch {
  label: string;
  output: string;
  workspace: string | null;
  clean: string | null;
}

export interface RemoteMismatch {
  label: string;
  output: string;
  remote: string | null;
  clean: string | null;
}

/** A blob of the workspace's store whose bytes no longer hash to its name; verify takes it out, so the next build rebuilds it. */
export interface DamagedBlob {
  label: string;
  output: string;
  digest: Digest;
  problem: BlobProblem;
}

export interface VerifyResult {
  checked: number;
  /** The workspace's cached outputs, each rehashed: comparing names alone would pass a blob whose bytes changed. */
  damaged: DamagedBlob[];
  /** With a remote cache to compare against: its manifests of the same keys, output by output. */
  remote?: { description: string; checked: number; absent: number; mismatches: RemoteMismatch[] };
  mismatches: VerifyMismatch[];
  /** Actions that failed in either build (a verify with failures is not a pass). */
  failures: ActionResult[];
}

/**
 * Reproducibility check: builds the targets in the workspace cache (reusing what is there),
 * then again from nothing in an empty temporary cache, and compares every output digest.
 */
// Neither build reads the remote (no `remote` option): the point is to run every action here and compare.
export async function verify(
  session: Session,
  patterns: readonly string[],
  options: Omit<BuildOptions, 'remote'> = {},
  compareWith?: RemoteCache,
): Promise<VerifyResult> {
  // A build that records holdout reads changes the ledger, which later targets read as a
  // source: build again until it stops changing, so the clean build sees the same ledger.
  const ledgerState = () =>
    session.holdoutLedger && existsSync(session.holdoutLedger) ? readFileSync(session.holdoutLedger) : Buffer.alloc(0);
  let before = ledgerState();
  let ours = await build(session, patterns, options);
  for (let pass = 0; pass < 3 && !ledgerState().equals(before); pass++) {
    before = ledgerState();
    ours = await build(session, patterns, options);
  }
  const cleanDir = mkdtempSync(join(tmpdir(), 'quanto-verify-'));
  try {
    const clean = new Session(new Workspace(session.workspace.root, cleanDir), session.pipeline);
    clean.holdoutLedger = null; // a reproducibility rebuild is not another look at the reserve
    const theirs = await build(clean, patterns, options);
    const byLabel = new Map(theirs.actions.map((a) => [a.label, a]));
    const mismatches: VerifyMismatch[] = [];
    let checked = 0;
    for (const a of ours.actions) {
      const b = byLabel.get(a.label);
      if (!a.outputs || !b?.outputs) continue;
      checked += 1;
      for (const name of [...new Set([...Object.keys(a.outputs), ...Object.keys(b.outputs)])].sort()) {
        const x = a.outputs[name] ?? null;
        const y = b.outputs[name] ?? null;
        if (x !== y) mismatches.push({ label: a.label, output: name, workspace: x, clean: y });
      }
    }
    const failures = [...ours.actions, ...theirs.actions].filter((r) => r.status === 'failed');
    return {
      checked,
      damaged: rehashOutputs(session, ours.actions),
      mismatches,
      failures,
      ...(compareWith ? { remote: await compareWithRemote(compareWith, theirs.actions) } : {}),
    };
  } finally {
    rmSync(cleanDir, { recursive: true, force: true });
  }
}

function rehashOutputs(session: Session, actions: readonly ActionResult[]): DamagedBlob[] {
  const damaged: DamagedBlob[] = [];
  const seen = new Set<Digest>();
  for (const a of actions) {
    for (const [output, digest] of Object.entries(a.outputs ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))) {
      if (seen.has(digest)) continue;
      seen.add(digest);
      const problem = session.cas.check(digest, undefined, 'full');
      if (!problem) continue;
      damaged.push({ label: a.label, output, digest, problem });
      session.cas.remove(digest);
    }
  }
  return damaged;
}

/** The clean build's outputs against the remote's manifests of the same keys (a key the remote lacks is counted, not failed). */
async function compareWithRemote(
  remote: RemoteCache,
  clean: readonly ActionResult[],
): Promise<NonNullable<VerifyResult['remote']>> {
  const result: NonNullable<VerifyResult['remote']> = {
    description: remote.store.description,
    checked: 0,
    absent: 0,
    mismatches: [],
  };
  await Promise.all(
    clean.map(async (a) => {
      if (!a.key || !a.outputs) return;
      const manifest = await remote.manifestOf(a.key);
      if (!manifest) {
        result.absent += 1;
        return;
      }
      result.checked += 1;
      for (const name of [...new Set([...Object.keys(a.outputs), ...Object.keys(manifest.outputs)])].sort()) {
        const x = manifest.outputs[name]?.digest ?? null;
        const y = a.outputs[name] ?? null;
        if (x !== y) result.mismatches.push({ label: a.label, output: name, remote: x, clean: y });
      }
    }),
  );
  result.mismatches.sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : x.output < y.output ? -1 : 1));
  return result;
}
