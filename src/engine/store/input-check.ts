import type { BlobProblem, ContentStore } from './cas.js';
import type { Digest } from '../keys/digest.js';

/** An input blob an action was about to read that is not intact in the content store. */
export interface LostInput {
  /** The dependency's label, as the rule sees it in ctx.inputs. */
  input: string;
  /** The output's name within that dependency (partitioned targets: prefixed by the partition path). */
  name: string;
  digest: Digest;
  problem: BlobProblem;
}

/** An action's input blobs: dependency label → output name → digest (and size, when recorded). */
export interface InputBlobs {
  readonly inputs: Readonly<Record<string, { files: Record<string, Digest>; sizes?: Record<string, number> }>>;
  /** Tells one build from the next (see ActionTask.buildId). */
  readonly buildId?: string;
}

/**
 * Blobs this thread has rehashed in the current build. Rehashing every input of every action
 * would hash a feature table once per consumer; once per build and thread is enough to know no
 * damaged byte reaches a rule, and a damaged blob is caught by the next build that reads it.
 */
let rehashed: { build: string | undefined; digests: Set<Digest> } = { build: undefined, digests: new Set() };

/**
 * Checks every input blob before the rule reads any: its size always (one stat), its hash the
 * first time this thread sees it in this build. A task without a build id (a distributed job)
 * is its own build.
 */
export function checkInputBlobs(task: InputBlobs, cas: ContentStore): LostInput[] {
  if (task.buildId === undefined || task.buildId !== rehashed.build)
    rehashed = { build: task.buildId, digests: new Set() };
  const lost: LostInput[] = [];
  for (const [input, outputs] of Object.entries(task.inputs)) {
    for (const [name, digest] of Object.entries(outputs.files)) {
      const full = !rehashed.digests.has(digest);
      const problem = cas.check(digest, outputs.sizes?.[name], full ? 'full' : 'size');
      if (problem) lost.push({ input, name, digest, problem });
      else if (full) rehashed.digests.add(digest);
    }
  }
  return lost;
}
