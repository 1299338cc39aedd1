import type { GateConfig, HardGate, SoftEvidence } from './gate-config.js';

/** What the gates read, already loaded: metrics by name, regime slices by name, the deflated Sharpe ratio. */
export interface GateInputs {
  candidate: {
    label: string;
    metrics: Record<string, unknown> | null;
    regimes: Record<string, Record<string, unknown> | null>;
    deflatedSharpe: number | null;
  };
  baseline: {
    label: string;
    metrics: Record<string, unknown> | null;
    regimes: Record<string, Record<string, unknown> | null>;
  } | null;
}

export interface Measurement {
  value: number | null;
  candidate: number | null;
  baseline: number | null;
  /** Why there is no value: which artifact or metric is missing. */
  missing?: string;
}

export interface HardGateResult extends HardGate {
  measured: number | null;
  pass: boolean;
  reason: string;
}

export interface SoftEvidenceResult extends SoftEvidence {
  measured: number | null;
  candidate_value: number | null;
  baseline_value: number | null;
  reason?: string;
}

function lookup(
  side: {
    label: string;
    metrics: Record<string, unknown> | null;
    regimes: Record<string, Record<string, unknown> | null>;
  },
  metric: string,
  regime: string | undefined,
): { value: number | null; missing?: string } {
  const source = regime === undefined ? side.metrics : side.regimes[regime];
  if (source === undefined) return { value: null, missing: `${side.label} has no regime slice '${regime}'` };
  if (source === null)
    return {
      value: null,
      missing:
        regime === undefined
          ? `${side.label} has no metrics`
          : `${side.label}'s regime slice '${regime}' has too few returns for metrics`,
    };
  const v = source[metric];
  if (v === undefined)
    return { value: null, missing: `${side.label} has no metric '${metric}'${regime ? ` in regime '${regime}'` : ''}` };
  if (typeof v !== 'number' || !Number.isFinite(v))
    return {
      value: null,
      missing: `${side.label}'s '${metric}'${regime ? ` in regime '${regime}'` : ''} is not a finite number (${JSON.stringify(v)})`,
    };
  return { value: v };
}

/** The value a gate or a piece of evidence measures; a missing baseline or metric leaves it null, with the reason. */
export function measure(
  g: { metric: string; regime?: string | undefined; vs_baseline: boolean },
  inputs: GateInputs,
): Measurement {
  if (g.metric === 'deflated_sharpe') {
    const v = inputs.candidate.deflatedSharpe;
    return v === null
      ? {
          value: null,
          candidate: null,
          baseline: null,
          missing: `no deflated Sharpe ratio for ${inputs.candidate.label} (no equity curve)`,
        }
      : { value: v, candidate: v, baseline: null };
  }
  const c = lookup(inputs.candidate, g.metric, g.regime);
  if (!g.vs_baseline)
    return { value: c.value, candidate: c.value, baseline: null, ...(c.missing ? { missing: c.missing } : {}) };
  if (!inputs.baseline)
    return { value: null, candidate: c.value, baseline: null, missing: 'the declared baseline has no outputs' };
  const b = lookup(inputs.baseline, g.metric, g.regime);
  const missing = c.missing ?? b.missing;
  return {
    value: c.value !== null && b.value !== null ? c.value - b.value : null,
    candidate: c.value,
    baseline: b.value,
    ...(missing ? { missing } : {}),
  };
}

const holds = (x: number, op: HardGate['op'], t: number) =>
  op === '>=' ? x >= t : op === '>' ? x > t : op === '<=' ? x <= t : x < t;

/** Every hard gate must pass; a gate whose input is missing fails (never skips). Soft evidence is measured and reported. */
export function evaluateGates(
  config: GateConfig,
  inputs: GateInputs,
): { passed: boolean; hard: HardGateResult[]; soft: SoftEvidenceResult[] } {
  const hard = config.hard.map((g): HardGateResult => {
    const m = measure(g, inputs);
    if (m.value === null) return { ...g, measured: null, pass: false, reason: `missing input: ${m.missing}` };
    const pass = holds(m.value, g.op, g.threshold);
    return { ...g, measured: m.value, pass, reason: `${m.value} ${pass ? '' : 'not '}${g.op} ${g.threshold}` };
  });
  const soft = config.soft.map((g): SoftEvidenceResult => {
    const m = measure(g, inputs);
    return {
      ...g,
      measured: m.value,
      candidate_value: m.candidate,
      baseline_value: m.baseline,
      ...(m.missing ? { reason: `missing input: ${m.missing}` } : {}),
    };
  });
  return { passed: hard.every((g) => g.pass), hard, soft };
}
