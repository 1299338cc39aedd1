import { z } from 'zod';

/**
 * A sweep's grid: strategy settings by name, each a list of values or a range, crossed. The
 * same vocabulary as a pipeline `matrix:` axis (values, or `range: {from, to, step}` with both
 * ends included), for a grid too large to be targets: thousands of points in one target.
 */
const gridValue = z.union([z.number(), z.string(), z.boolean()]);
export const gridAxisSchema = z.union([
  z.array(gridValue).min(1),
  z
    .object({
      range: z
        .object({ from: z.number(), to: z.number(), step: z.number().positive() })
        .strict()
        .refine((r) => r.to >= r.from, { message: 'the range ends before it starts: it has no values' }),
    })
    .strict(),
]);
export const sweepGridSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a grid axis is a strategy setting name'), gridAxisSchema)
  .refine((g) => Object.keys(g).length > 0, { message: 'the grid has no axes: name at least one setting to sweep' });
export type SweepGrid = z.infer<typeof sweepGridSchema>;
export type GridValue = z.infer<typeof gridValue>;

/** The values of an axis: a list as written; a range from, from + step, ... ≤ to, rounded to 12 significant digits. */
export function axisValues(axis: z.infer<typeof gridAxisSchema>): GridValue[] {
  if (Array.isArray(axis)) return axis;
  const { from, to, step } = axis.range;
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: n }, (_, i) => Number((from + i * step).toPrecision(12)));
}

/** Every point of the grid (axes in the order written, the first slowest), as settings by axis name. */
export function gridPoints(grid: SweepGrid): Record<string, GridValue>[] {
  let points: Record<string, GridValue>[] = [{}];
  for (const [name, axis] of Object.entries(grid))
    points = points.flatMap((p) => axisValues(axis).map((v) => ({ ...p, [name]: v })));
  return points;
}
