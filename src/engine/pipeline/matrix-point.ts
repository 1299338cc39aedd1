/**
 * The names of matrix points. A target that declares `matrix:` in the pipeline expands into one
 * target per point, named by its base and its assignments in the order the axes were written:
 * `experiments/core_v1_ppo@seed=2,lr=3e-4`. The name says everything about the point, so a
 * worker (or a manifest) can tell which matrix a target belongs to from its name alone.
 */

const AXIS = '[A-Za-z_][A-Za-z0-9_]*';
/** What a value may spell in a label: as a partition value, nothing that needs quoting on disk or in a shell. */
export const POINT_VALUE = /^[A-Za-z0-9_.:+-]+$/;
const ASSIGNMENTS = new RegExp(`^${AXIS}=[A-Za-z0-9_.:+-]+(,${AXIS}=[A-Za-z0-9_.:+-]+)*$`);

/** The matrix a point belongs to, as a rule sees it (RuleContext.matrix). */
export interface MatrixPointOf {
  /** The label of the whole matrix, `//experiments/core_v1_ppo`: what its points are trials of. */
  readonly target: string;
  /** Axis → the value's spelling in the label. */
  readonly point: Readonly<Record<string, string>>;
}

export function isPointAssignments(text: string): boolean {
  return ASSIGNMENTS.test(text);
}

/** `seed=2,lr=3e-4` → [['seed','2'], ['lr','3e-4']] (assumes isPointAssignments). */
export function parseAssignments(text: string): [string, string][] {
  return text.split(',').map((part) => {
    const eq = part.indexOf('=');
    return [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** The matrix of a point's target name, or null for a target that is no matrix point. */
export function matrixPointOf(targetName: string): MatrixPointOf | null {
  const at = targetName.indexOf('@');
  if (at < 0) return null;
  const assignments = targetName.slice(at + 1);
  if (!isPointAssignments(assignments)) return null;
  return { target: `//${targetName.slice(0, at)}`, point: Object.fromEntries(parseAssignments(assignments)) };
}

/**
 * How a value is spelled in a point's name: integers and strings as they are; other numbers in
 * the shorter of their decimal and exponent forms (3e-4, not 0.0003), so labels stay readable.
 */
export function formatPointValue(value: string | number | boolean): string {
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const decimal = String(value);
  const exponent = value.toExponential().replace('e+', 'e');
  return exponent.length < decimal.length ? exponent : decimal;
}

/** Whether a value typed in a label names a point's value: numbers compare as numbers (@lr=0.0003 is @lr=3e-4). */
export function sameValue(typed: string, spelled: string): boolean {
  if (typed === spelled) return true;
  const a = Number(typed);
  const b = Number(spelled);
  return typed.trim() !== '' && spelled.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && a === b;
}

/** The target a name belongs to: a point's matrix (`experiments/core_v1_ppo@seed=2` → `experiments/core_v1_ppo`), else the name. */
export function matrixBaseOf(targetName: string): string {
  const at = targetName.indexOf('@');
  return at >= 0 && isPointAssignments(targetName.slice(at + 1)) ? targetName.slice(0, at) : targetName;
}
