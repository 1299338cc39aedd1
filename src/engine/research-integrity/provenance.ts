import { type ActionResult } from '../scheduling/build-events.js';
import type { Digest } from '../keys/digest.js';
import type { TargetName } from '../pipeline/label.js';
import type { Session } from '../session.js';

/** One link of a provenance chain: an action, its key, its outputs and the outputs it was built from. */
export interface ProvenanceLink {
  label: string;
  key: string;
  outputs_digest: string;
  /** Dependency label → digest of its outputs, as in the action's key record. */
  deps: Record<string, Digest>;
  /** Declared source files → digest of their bytes (raw shards enter here or through an ingest's fetch). */
  srcs: Record<string, Digest>;
}

/**
 * The provenance of a target: every action in its dependency closure, down to the raw
 * sources, with the key and output digests a build just produced (sorted by label). Every key
 * in it is a root for garbage collection once written into a promotion record.
 */
export function provenanceOf(session: Session, root: TargetName, results: readonly ActionResult[]): ProvenanceLink[] {
  const wanted = new Set(session.graph.closure([root]));
  const links: ProvenanceLink[] = [];
  for (const r of results) {
    if (!wanted.has(r.target)) continue;
    if (!r.key || !r.outputsDigest)
      throw new Error(
        `${r.label} has no outputs (${r.status}${r.error ? `: ${r.error}` : ''}): build it before recording its provenance`,
      );
    const manifest = session.actionCache.get(r.key);
    if (!manifest) throw new Error(`${r.label}: no action-cache entry for key ${r.key}`);
    links.push({
      label: r.label,
      key: r.key,
      outputs_digest: r.outputsDigest,
      deps: manifest.record.deps,
      srcs: manifest.record.srcs,
    });
  }
  return links.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}
