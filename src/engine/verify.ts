import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type ActionResult, type BuildOptions } from './build.js';
import { Session } from './session.js';
import { Workspace } from './workspace.js';

export interface VerifyMismatch {
  label: string;
  output: string;
  workspace: string | null;
  clean: string | null;
}

export interface VerifyResult {
  checked: number;
  mismatches: VerifyMismatch[];
  /** Actions that failed in either build (a verify with failures is not a pass). */
  failures: ActionResult[];
}

/**
 * Reproducibility check: builds the targets in the workspace cache (reusing what is there),
 * then again from nothing in an empty temporary cache, and compares every output digest.
 */
export async function verify(session: Session, patterns: readonly string[], options: BuildOptions = {}): Promise<VerifyResult> {
  // A build that records holdout reads changes the ledger, which later targets read as a
  // source: build again until it stops changing, so the clean build sees the same ledger.
  const ledgerState = () => (session.holdoutLedger && existsSync(session.holdoutLedger) ? readFileSync(session.holdoutLedger) : Buffer.alloc(0));
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
    return { checked, mismatches, failures };
  } finally {
    rmSync(cleanDir, { recursive: true, force: true });
  }
}
