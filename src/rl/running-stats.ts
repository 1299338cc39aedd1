/**
 * Running mean and variance of observations (the parallel-update formula Stable-Baselines3's
 * VecNormalize uses), and the normalisation it drives: (x - mean) / sqrt(var + eps), clipped.
 * Saved with the model: a policy means nothing without the scale it was trained on.
 */
export class RunningMeanStd {
  mean: Float64Array;
  variance: Float64Array;
  count: number;

  constructor(
    readonly size: number,
    readonly clip = 10,
    readonly epsilon = 1e-8,
  ) {
    this.mean = new Float64Array(size);
    this.variance = new Float64Array(size).fill(1);
    this.count = 1e-4;
  }

  /** Folds in one observation. */
  update(x: ArrayLike<number>): void {
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i]! - this.mean[i]!;
      const m2 = this.variance[i]! * this.count + (delta * delta * this.count) / total;
      this.mean[i] = this.mean[i]! + delta / total;
      this.variance[i] = m2 / total;
    }
    this.count = total;
  }

  normalize(x: ArrayLike<number>, out = new Float32Array(this.size)): Float32Array {
    for (let i = 0; i < this.size; i++) {
      const z = (x[i]! - this.mean[i]!) / Math.sqrt(this.variance[i]! + this.epsilon);
      out[i] = Math.max(-this.clip, Math.min(this.clip, z));
    }
    return out;
  }

  toJSON(): { mean: number[]; variance: number[]; count: number; clip: number; epsilon: number } {
    return {
      mean: [...this.mean],
      variance: [...this.variance],
      count: this.count,
      clip: this.clip,
      epsilon: this.epsilon,
    };
  }

  static fromJSON(j: {
    mean: number[];
    variance: number[];
    count: number;
    clip: number;
    epsilon: number;
  }): RunningMeanStd {
    const r = new RunningMeanStd(j.mean.length, j.clip, j.epsilon);
    r.mean = Float64Array.from(j.mean);
    r.variance = Float64Array.from(j.variance);
    r.count = j.count;
    return r;
  }
}
