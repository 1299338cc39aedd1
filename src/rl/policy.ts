import { orthogonalMatrix } from './orthogonal-init.js';
import { tf } from './tf-backend.js';
import type { SeededRandom } from '../math/seeded-random.js';

const LOG_2PI = Math.log(2 * Math.PI);

interface Dense {
  name: string;
  w: tf.Variable;
  b: tf.Variable;
}

/**
 * A Gaussian actor-critic: separate tanh MLPs for the action mean and the value (SB3's
 * MlpPolicy for PPO), a state-independent log standard deviation per action dimension, and
 * orthogonal initialisation with SB3's gains (sqrt 2 hidden, 0.01 for the action mean, 1 for
 * the value). Variables are kept in a fixed order, which is the order they are saved in.
 */
export class GaussianActorCritic {
  readonly actor: Dense[];
  readonly critic: Dense[];
  readonly logStd: tf.Variable;

  constructor(
    readonly observationSize: number,
    readonly actionSize: number,
    readonly hidden: readonly number[],
    logStdInit: number,
    random: SeededRandom,
  ) {
    // Variables stay unnamed (TensorFlow.js names are process-global); the manifest names them.
    const layer = (inputs: number, outputs: number, gain: number, name: string): Dense => ({
      name,
      w: tf.variable(tf.tensor2d(orthogonalMatrix(inputs, outputs, gain, random), [inputs, outputs])),
      b: tf.variable(tf.zeros([outputs])),
    });
    const mlp = (head: string, out: number, gain: number) => {
      const sizes = [observationSize, ...hidden];
      const layers = hidden.map((h, i) => layer(sizes[i]!, h, Math.SQRT2, `${head}/hidden_${i}`));
      layers.push(layer(sizes.at(-1)!, out, gain, `${head}/out`));
      return layers;
    };
    this.actor = mlp('actor', actionSize, 0.01);
    this.critic = mlp('critic', 1, 1);
    this.logStd = tf.variable(tf.fill([actionSize], logStdInit));
  }

  /** Every trainable variable, in the saved order. */
  get variables(): tf.Variable[] {
    return [...this.actor.flatMap((l) => [l.w, l.b]), ...this.critic.flatMap((l) => [l.w, l.b]), this.logStd];
  }

  /** The variables' names, in the same order. */
  get variableNames(): string[] {
    return [...[...this.actor, ...this.critic].flatMap((l) => [`${l.name}/kernel`, `${l.name}/bias`]), 'log_std'];
  }

  private static run(layers: readonly Dense[], x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    layers.forEach((l, i) => {
      const z = tf.add(tf.matMul(h, l.w as tf.Tensor2D), l.b) as tf.Tensor2D;
      h = i < layers.length - 1 ? tf.tanh(z) : z;
    });
    return h;
  }

  mean(obs: tf.Tensor2D): tf.Tensor2D {
    return GaussianActorCritic.run(this.actor, obs);
  }

  value(obs: tf.Tensor2D): tf.Tensor1D {
    return GaussianActorCritic.run(this.critic, obs).squeeze([1]) as tf.Tensor1D;
  }

  /** Log density of `actions` under the policy at `obs`, summed over action dimensions. */
  logProb(mean: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
    const z = tf.div(tf.sub(actions, mean), tf.exp(this.logStd));
    return tf.sum(tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(this.logStd, 0.5 * LOG_2PI)), 1) as tf.Tensor1D;
  }

  /** The Gaussian's entropy, summed over action dimensions. */
  entropy(): tf.Scalar {
    return tf.sum(tf.add(this.logStd, 0.5 + 0.5 * LOG_2PI)) as tf.Scalar;
  }

  /** Weights as little-endian float32, in the saved order, with each variable's name and shape. */
  serialize(): { manifest: { name: string; shape: number[] }[]; bytes: Uint8Array } {
    const vars = this.variables;
    const names = this.variableNames;
    const manifest = vars.map((v, i) => ({ name: names[i]!, shape: v.shape }));
    const total = vars.reduce((n, v) => n + v.size, 0);
    const floats = new Float32Array(total);
    let offset = 0;
    for (const v of vars) {
      floats.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return { manifest, bytes: new Uint8Array(floats.buffer) };
  }

  /** Loads weights written by serialize() into this network (same architecture). */
  load(bytes: Uint8Array): void {
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let offset = 0;
    for (const v of this.variables) {
      v.assign(tf.tensor(floats.subarray(offset, offset + v.size), v.shape));
      offset += v.size;
    }
    if (offset !== floats.length) throw new Error(`weights hold ${floats.length} values, the network ${offset}`);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
