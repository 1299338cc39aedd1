import type { InputArtifact } from '../src/engine/rule-api.js';

type InputsOf = { readonly label: string; readonly inputs: Readonly<Record<string, InputArtifact>> };

/**
 * A dependency the config names. Planning has already checked that every label a rule's `inputs`
 * lists is among the target's deps; this is the same check for a label the rule did not list
 * (a dependency of the experiment it replays, say).
 */
export function inputOf(ctx: InputsOf, label: string): InputArtifact {
  const found = ctx.inputs[label];
  if (!found) throw new Error(`${ctx.label} reads ${label}, which is not among this target's deps: add it to deps`);
  return found;
}

/** The output directory of a dependency the config names (see inputOf). */
export function inputDir(ctx: InputsOf, label: string): string {
  return inputOf(ctx, label).dir();
}
