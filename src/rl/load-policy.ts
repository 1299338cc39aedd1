import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GaussianActorCritic } from './policy.js';
import type { TrainedPolicy } from './ppo.js';
import { RunningMeanStd } from './running-stats.js';
import { SeededRandom } from '../math/seeded-random.js';

interface ModelJson {
  format: string;
  net_arch: number[];
  observation: { size: number; layout: string[]; normalization: Parameters<typeof RunningMeanStd.fromJSON>[0] | null };
  action: { size: number; symbols: string[]; hmax: number };
  weights: { file: string; variables: { name: string; shape: number[] }[] };
}

/**
 * A trained policy from an experiment's model/ directory (model.json and weights.bin, as
 * write-experiment-outputs.ts writes them), ready to act; the TensorFlow.js backend must be
 * initialised first.
 */
export function loadTrainedPolicy(modelDir: string): { policy: TrainedPolicy; model: ModelJson } {
  const model = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as ModelJson;
  if (model.format !== 'quanto-ppo-gaussian-mlp/1')
    throw new Error(`${join(modelDir, 'model.json')}: unknown model format '${model.format}'`);
  // The initial weights are overwritten by the saved ones; the seed only has to be fixed.
  const network = new GaussianActorCritic(
    model.observation.size,
    model.action.size,
    model.net_arch,
    0,
    new SeededRandom(0),
  );
  network.load(new Uint8Array(readFileSync(join(modelDir, model.weights.file))));
  const stats = model.observation.normalization ? RunningMeanStd.fromJSON(model.observation.normalization) : null;
  return { policy: { policy: network, observationStats: stats, curves: [] }, model };
}
