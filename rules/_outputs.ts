import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { replayExperiment } from '../src/governance/replay-experiment.js';
import type { RiskConfig } from '../src/execution/risk-config.js';
import type { RuleContext } from '../src/engine/rule-api.js';
import { inputDir, inputOf } from './_inputs.js';

/** Writes one output file under the action's outDir, making its directories. */
export function writeOutput(outDir: string, name: string, text: string): void {
  mkdirSync(dirname(join(outDir, name)), { recursive: true });
  writeFileSync(join(outDir, name), text);
}

export const jsonLines = (rows: readonly unknown[]): string =>
  rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/** Replays the experiment a session rule names, with its deps resolved from the rule's inputs. */
export function replayExperimentOf(
  ctx: RuleContext<{ window: { start: string; end: string }; risk: RiskConfig }>,
  experimentLabel: string,
) {
  const experiment = inputOf(ctx, experimentLabel);
  return {
    experiment,
    run: () =>
      replayExperiment({
        experimentDir: experiment.dir(),
        dirOf: (label) => inputDir(ctx, label),
        window: ctx.config.window,
        risk: ctx.config.risk,
        runId: ctx.label,
        policyName: experimentLabel,
      }),
  };
}
