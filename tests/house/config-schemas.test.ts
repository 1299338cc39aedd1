import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/workspace.js';

/**
 * Every YAML file under configs/ names its JSON Schema on its first line (for editors), the
 * schema is the one of the rule that reads it, and the file validates against it. The schemas
 * in schemas/ are generated from the rules' zod schemas by `quanto schemas`; they must be current.
 */
const MODELINE = /^# yaml-language-server: \$schema=(\S+)\n/;

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? yamlFilesUnder(path) : name.endsWith('.yaml') ? [path] : [];
    })
    .sort();
}

const pipeline = parse(readFileSync(join(REPO_ROOT, 'quanto.pipeline.yaml'), 'utf8')) as {
  targets: Record<string, { rule: string; config?: string }>;
};
const ruleOfConfig = new Map(
  Object.values(pipeline.targets)
    .filter((t) => t.config)
    .map((t) => [t.config!, t.rule]),
);
const files = yamlFilesUnder(join(REPO_ROOT, 'configs')).map((f) => relative(REPO_ROOT, f));
const documents = new Map(files.map((f) => [f, parse(readFileSync(join(REPO_ROOT, f), 'utf8')) as unknown]));

/** The shared files each config extends, and so the rules each shared file is part of a config of. */
const rulesOfFragment = new Map<string, Set<string>>();
for (const [file, doc] of documents) {
  const bases = (doc as { extends?: string | string[] }).extends;
  for (const base of bases === undefined ? [] : typeof bases === 'string' ? [bases] : bases) {
    const path = normalize(join(dirname(file), base));
    const set = rulesOfFragment.get(path) ?? new Set<string>();
    set.add(ruleOfConfig.get(file)!);
    rulesOfFragment.set(path, set);
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorOf(schemaFile: string) {
  let v = validators.get(schemaFile);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', schemaFile), 'utf8')) as object);
    validators.set(schemaFile, v);
  }
  return v;
}

describe('config files and their JSON Schemas', () => {
  it('schemas/ is what `quanto schemas` generates from the rules now', async () => {
    const r = await runCli(['-C', REPO_ROOT, 'schemas', '--check']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('every YAML file in configs/ is a target config or a file configs extend', () => {
    const orphans = files.filter((f) => !ruleOfConfig.has(f) && !rulesOfFragment.has(f));
    expect(orphans).toEqual([]);
  });

  it.each(files)('%s names the schema of its rule and validates against it', (file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const named = MODELINE.exec(text)?.[1];
    expect(named, `${file} must start with '# yaml-language-server: $schema=...'`).toBeDefined();
    const schemaFile = relative(join(REPO_ROOT, 'schemas'), join(REPO_ROOT, dirname(file), named!));
    const rule = ruleOfConfig.get(file);
    // A target config has its rule's schema; a shared file the fragment schema of every rule whose configs extend it.
    const expected = rule
      ? [`${rule}.schema.json`]
      : [...rulesOfFragment.get(file)!].sort().map((r) => `${r}.fragment.schema.json`);
    expect(expected).toContain(schemaFile);
    for (const schema of expected) {
      const validate = validatorOf(schema);
      expect(validate(documents.get(file)), `${file} against ${schema}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('quanto.pipeline.yaml names its schema and validates against it', () => {
    const text = readFileSync(join(REPO_ROOT, 'quanto.pipeline.yaml'), 'utf8');
    expect(MODELINE.exec(text)?.[1]).toBe('schemas/quanto.pipeline.schema.json');
    const validate = validatorOf('quanto.pipeline.schema.json');
    expect(validate(pipeline), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('the schemas reject what the rules reject: an unknown key, a wrong type, a missing required key', () => {
    const backtest = validatorOf('backtest.schema.json');
    const good = documents.get('configs/backtests/dow30_momentum.yaml') as Record<string, unknown>;
    expect(backtest(good)).toBe(true);
    expect(backtest({ ...good, strategy: { kind: 'no_such_strategy' } })).toBe(false);
    expect(backtest({ ...good, bars: '//canonical/dow30_close' })).toBe(false);
    expect(backtest({ ...good, from: 'canonical/dow30_close' })).toBe(false);
    const { from: _from, ...withoutFrom } = good;
    expect(backtest(withoutFrom)).toBe(false);
    // With extends:, the rest may come from the files it names.
    expect(backtest({ extends: 'base.yaml', strategy: good.strategy })).toBe(true);
    expect(backtest({ extends: 'base.yaml', strateg: good.strategy })).toBe(false);
  });
});

describe('quanto schemas in a workspace of ones own', () => {
  it("writes a schema for the workspace's own rules, and --check fails once a rule's config schema changes", async () => {
    const { smallWorkspace } = await import('../helpers/fixtures.js');
    const ws = smallWorkspace();
    try {
      let r = await ws.cli('schemas');
      expect(r.code).toBe(0);
      const schema = JSON.parse(ws.read('schemas/copy_text.schema.json')) as { else: { properties: object } };
      expect(Object.keys(schema.else.properties).sort()).toEqual(['extends', 'prefix', 'upper']);
      expect((await ws.cli('schemas', '--check')).code).toBe(0);
      ws.write(
        'rules/copy_text.ts',
        ws
          .read('rules/copy_text.ts')
          .replace("prefix: z.string().default('')", "prefix: z.string().default(''), suffix: z.string().default('')"),
      );
      r = await ws.cli('schemas', '--check');
      expect(r.code).toBe(1);
      expect(r.err).toContain('stale: schemas/copy_text.schema.json');
      expect(r.err).toContain("run 'quanto schemas'");
    } finally {
      ws.dispose();
    }
  });
});
