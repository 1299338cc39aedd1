/**
 * The import rules CI enforces (npm run lint → depcruise). The README's "Architecture" section
 * explains them; each rule's comment says what it protects.
 */
const DOMAINS = 'backtest|costs|data|evaluation|execution|features|governance|options|reports|rl|strategy';
// Research code: everything that turns data into evidence. It may not reach into trading.
const RESEARCH = 'backtest|costs|data|evaluation|features|math|options|reports|rl|strategy';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and the modules impossible to read (or test) one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-imports-no-domain',
      comment:
        'The engine knows targets, keys and bytes, never what they mean: it may use only the shared foundations (secrets).',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: `^(src/(${DOMAINS}|math|cli|devservers)/|rules/)` },
    },
    {
      name: 'domains-import-no-engine',
      comment: 'Domain libraries are plain functions over data; rules are where they meet the engine.',
      severity: 'error',
      from: { path: `^src/(${DOMAINS}|math|secrets)/` },
      to: { path: '^(src/(engine|cli)/|rules/)' },
    },
    {
      name: 'research-imports-no-execution',
      comment:
        'Research code cannot place, route or risk-check orders, nor reach promotion decisions or test servers; only governance and execution join the two worlds.',
      severity: 'error',
      from: { path: `^src/(${RESEARCH})/` },
      to: { path: '^src/(execution|governance|devservers)/' },
    },
    {
      name: 'features-import-no-models',
      comment: 'Features are computed without any model, so a model change can never change a feature.',
      severity: 'error',
      from: { path: '^src/(features|data)/' },
      to: { path: '^src/(rl|backtest|evaluation|reports)/' },
    },
    {
      name: 'strategies-are-research',
      comment:
        'A strategy (strategies/) emits intents and never places a trade: it may use research code and the strategy API, never the engine, execution, governance or rules.',
      severity: 'error',
      from: { path: '^strategies/' },
      to: { path: '^(src/(engine|cli|execution|governance|devservers)/|rules/)' },
    },
    {
      name: 'foundations-import-nothing',
      comment: 'math and secrets are leaves every layer may use, so they may use no other layer.',
      severity: 'error',
      from: { path: '^src/(math|secrets)/' },
      to: { path: '^src/(?!math/|secrets/)' },
    },
    {
      name: 'nothing-imports-rules-or-cli',
      comment: 'rules/ and src/cli are the top of the stack: the code under them never depends on them.',
      severity: 'error',
      from: { path: '^(src|bench)/', pathNot: '^src/cli/' },
      to: { path: '^(rules/|src/cli/)' },
    },
    {
      name: 'engine-core-imports-no-distribution',
      comment:
        'Remote caching and distributed execution are optional layers over the local engine, loaded only when configured.',
      severity: 'error',
      from: { path: '^src/engine/', pathNot: '^src/engine/(store/remote|scheduling/distributed)/' },
      to: { path: '^src/engine/scheduling/distributed/', dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|cache|coverage)/' },
  },
};
