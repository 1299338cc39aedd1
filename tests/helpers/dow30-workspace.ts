import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, TestWorkspace } from './workspace.js';

/**
 * Links the repository's rules into a workspace. A link (not a re-exporting file, which would
 * hold this checkout's absolute path) keeps the rule's sources, and so every key and seed, the
 * same in every checkout: the bundler follows it to the repository file, named quanto:rules/....
 */
export function linkRepoRules(ws: TestWorkspace, rules: readonly string[]): TestWorkspace {
  mkdirSync(ws.path('rules'), { recursive: true });
  for (const r of rules) symlinkSync(join(REPO_ROOT, 'rules', `${r}.ts`), ws.path('rules', `${r}.ts`));
  return ws;
}

/**
 * A throwaway workspace over the real Dow 30 sample: //raw/dow30, //canonical/dow30 and
 * //features/dow30 (RSI 14), plus the caller's targets (pipeline YAML under `targets:`),
 * files, and the repository rules it names.
 */
export function dow30Workspace(o: { targets: string; files: Record<string, string>; rules: string[] }): TestWorkspace {
  return linkRepoRules(dow30Files(o), ['ingest_embedded', 'canonicalize', 'features', ...o.rules]);
}

function dow30Files(o: { targets: string; files: Record<string, string> }): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': `version: 1
targets:
  raw/dow30:
    rule: ingest_embedded
    config: ingest.yaml
    srcs: [data/sample/dow30_daily_close_1991_2000.csv]
  canonical/dow30:
    rule: canonicalize
    deps: [//raw/dow30]
    config: canonical.yaml
  features/dow30:
    rule: features
    deps: [//canonical/dow30]
    config: features.yaml
${o.targets}`,
    'ingest.yaml': readFileSync(join(REPO_ROOT, 'configs', 'ingest', 'embedded_dow30.yaml'), 'utf8'),
    'canonical.yaml': readFileSync(join(REPO_ROOT, 'configs', 'data', 'canonical_dow30_close.yaml'), 'utf8').replace(
      '//raw/dow30_close',
      '//raw/dow30',
    ),
    'features.yaml':
      'from: //canonical/dow30\nadjust: splits\nname: tiny\nversion: 1\nlag: 0\nfeatures: [{name: rsi_14, kind: rsi, window: 14}]\n',
    'data/sample/dow30_daily_close_1991_2000.csv': readFileSync(
      join(REPO_ROOT, 'data', 'sample', 'dow30_daily_close_1991_2000.csv'),
      'utf8',
    ),
    ...o.files,
  });
}

/**
 * A small experiment over three Dow stocks (a year of training, a few hundred steps of PPO), with
 * extra environment settings and YAML lines. hmax is large so that even the near-zero actions of a barely trained policy
 * trade: the seed comes from the key, which differs between checkouts (the workspace's rules
 * re-export the repository's by absolute path), and a test must not depend on what it learned.
 */
export function tinyExperimentYaml(o: { env?: string; extra?: string } = {}): string {
  return `from: //canonical/dow30
symbols: [AA, GE, IBM]
features: {from: //features/dow30, columns: [rsi_14]}
train: {start: '1995-01-01', end: '1995-12-31'}
test: {start: '1996-01-01', end: '1996-06-30'}
costs: {fees: {bps: 10}, execution: {price: close}}
env: {hmax: 10000${o.env ? `, ${o.env}` : ''}}
ppo: {total_timesteps: 512, n_steps: 256, batch_size: 64, n_epochs: 2}
baselines: [{kind: buy_and_hold}]
${o.extra ?? ''}`;
}
