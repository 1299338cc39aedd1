import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { ActionKey, Digest } from './digest.js';
import type { OutputEntry } from './manifest.js';

export interface ActionState {
  key: ActionKey;
  outputsDigest: Digest;
  outputs: Record<string, OutputEntry>;
}

/**
 * The last result per action label, in one file: lets a no-op build skip reading one
 * action-cache file per target. Only an accelerator: an entry is used only when its key
 * equals the key just computed, and losing the file (or a concurrent build overwriting it)
 * costs reads, never correctness.
 */
export class BuildState {
  private readonly file: string;
  private entries: Record<string, ActionState>;
  private readonly updates: Record<string, ActionState> = {};

  constructor(stateDir: string) {
    this.file = join(stateDir, 'actions.json');
    this.entries = readJson(this.file);
  }

  get(label: string): ActionState | undefined {
    return this.entries[label];
  }

  set(label: string, state: ActionState): void {
    const previous = this.entries[label];
    if (previous && previous.key === state.key && previous.outputsDigest === state.outputsDigest) return;
    this.entries[label] = state;
    this.updates[label] = state;
  }

  /** Merges this build's results over whatever another build wrote meanwhile. */
  save(): void {
    if (Object.keys(this.updates).length === 0) return;
    const merged = { ...readJson(this.file), ...this.updates };
    writeFileAtomic(this.file, JSON.stringify(merged));
    this.entries = merged;
  }
}

function readJson(file: string): Record<string, ActionState> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ActionState>;
  } catch {
    return {};
  }
}
