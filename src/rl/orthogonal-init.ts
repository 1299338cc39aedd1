import type { SeededRandom } from '../math/seeded-random.js';

/**
 * An orthogonal matrix of shape [rows, cols] times `gain` (Saxe et al., 2014; the
 * initialisation Stable-Baselines3 uses): a Gaussian matrix orthonormalised by modified
 * Gram-Schmidt in float64, so its columns (or rows, when there are fewer rows) are
 * orthonormal. Computed here rather than by TensorFlow.js so the weights depend only on the
 * seed, not on a backend's QR. Row-major.
 */
export function orthogonalMatrix(rows: number, cols: number, gain: number, random: SeededRandom): Float32Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const k = tall ? cols : rows;
  // k vectors of length m, orthonormalised one after another.
  const q = Array.from({ length: k }, () => Float64Array.from({ length: m }, () => random.normal()));
  for (let j = 0; j < k; j++) {
    const v = q[j]!;
    for (let i = 0; i < j; i++) {
      const u = q[i]!;
      let dot = 0;
      for (let r = 0; r < m; r++) dot += u[r]! * v[r]!;
      for (let r = 0; r < m; r++) v[r] = v[r]! - dot * u[r]!;
    }
    let norm = 0;
    for (let r = 0; r < m; r++) norm += v[r]! * v[r]!;
    norm = Math.sqrt(norm);
    for (let r = 0; r < m; r++) v[r] = v[r]! / norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (tall ? q[c]![r]! : q[r]![c]!);
  return out;
}
