import { afterEach, describe, expect, it } from 'vitest';
import { keyInputFiles } from '../../src/engine/incremental/watch-inputs.js';
import { Session } from '../../src/engine/session.js';
import { builtLabels, TestWorkspace } from '../helpers/workspace.js';

/**
 * Plugins: workspace modules a config names (strategies are the first kind). The engine bundles
 * each as it bundles a rule, keys its sources, validates its settings with its own schema at
 * planning, and hands the rule its default export. An edit of one rebuilds exactly the targets
 * whose configs name it, through the no-op fast path too.
 */
const RULE = `import { z } from 'zod';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'render',
  version: 1,
  config: z.object({ use: z.string(), settings: z.object({}).loose().default({}) }).strict(),
  plugins: (c) => [{ module: 'plugins/' + c.use, namedAt: ['use'], settingsAt: ['settings'] }],
  outputs: ['out.txt'],
  run(ctx) {
    const plugin = ctx.plugins['plugins/' + ctx.config.use];
    writeFileSync(join(ctx.outDir, 'out.txt'), plugin.render(ctx.config.settings));
  },
};
`;
const SHOUT = `import { z } from 'zod';
import { bang } from './_punctuation.js';
export default {
  config: z.object({ word: z.string(), times: z.number().int().min(1).default(2) }).strict(),
  render: (s) => bang(s.word.toUpperCase().repeat(s.times)),
};
`;
const WHISPER = `import { z } from 'zod';
export default { config: z.object({ word: z.string() }).strict(), render: (s) => s.word.toLowerCase() };
`;

function pluginWorkspace(): TestWorkspace {
  return new TestWorkspace({
    'quanto.pipeline.yaml': `version: 1
targets:
  loud:
    rule: render
    config: configs/loud.yaml
  quiet:
    rule: render
    config: configs/quiet.yaml
`,
    'rules/render.ts': RULE,
    'plugins/shout.ts': SHOUT,
    'plugins/_punctuation.ts': "export const bang = (s: string) => s + '!';\n",
    'plugins/whisper.ts': WHISPER,
    'configs/loud.yaml': '# loud\nuse: shout\nsettings: {word: hey}\n',
    'configs/quiet.yaml': 'use: whisper\nsettings: {word: HUSH}\n',
  });
}

describe('plugin modules named by configs', () => {
  let ws: TestWorkspace;
  afterEach(() => ws?.dispose());

  it("hands the rule the module's default export, with its settings parsed and keyed, defaults filled in", async () => {
    ws = pluginWorkspace();
    const r = await ws.build('//...');
    expect(r.code).toBe(0);
    expect(ws.read('cache/out/loud/out.txt')).toBe('HEYHEY!');
    expect(ws.read('cache/out/quiet/out.txt')).toBe('hush');
    const { manifest } = JSON.parse((await ws.cli('show', '//loud', '--json')).out) as {
      manifest: { record: { config: unknown; plugins: Record<string, { sources: Record<string, string> }> } };
    };
    expect(manifest.record.config).toEqual({ use: 'shout', settings: { word: 'hey', times: 2 } });
    // The plugin is keyed by every file its bundle was built from, as a rule is.
    expect(Object.keys(manifest.record.plugins)).toEqual(['plugins/shout.ts']);
    expect(Object.keys(manifest.record.plugins['plugins/shout.ts']!.sources)).toEqual([
      'plugins/_punctuation.ts',
      'plugins/shout.ts',
    ]);
    // Writing the default out changes nothing: the keyed value is the parsed one.
    ws.write('configs/loud.yaml', 'use: shout\nsettings: {word: hey, times: 2}\n');
    expect(builtLabels(await ws.build('//...'))).toEqual([]);
  });

  it('an edit of a plugin, or of a file it imports, rebuilds only the targets that name it, after a no-op build too', async () => {
    ws = pluginWorkspace();
    expect((await ws.build('//...')).code).toBe(0);
    expect(builtLabels(await ws.build('//...'))).toEqual([]); // answered by the fast path
    ws.write('plugins/_punctuation.ts', "export const bang = (s: string) => s + '!!';\n");
    expect(builtLabels(await ws.build('//...'))).toEqual(['//loud']);
    expect(ws.read('cache/out/loud/out.txt')).toBe('HEYHEY!!');
    ws.write('plugins/whisper.ts', WHISPER.replace('toLowerCase()', "toLowerCase() + '...'"));
    expect(builtLabels(await ws.build('//...'))).toEqual(['//quiet']);
    expect(ws.read('cache/out/quiet/out.txt')).toBe('hush...');
    // A file no plugin imports is in no key.
    ws.write('plugins/unused.ts', 'export default {};\n');
    expect(builtLabels(await ws.build('//...'))).toEqual([]);
  });

  it('quanto explain names the plugin file that changed', async () => {
    ws = pluginWorkspace();
    expect((await ws.build('//loud')).code).toBe(0);
    ws.write('plugins/_punctuation.ts', "export const bang = (s: string) => s + '?';\n");
    const r = await ws.cli('explain', '//loud');
    expect(r.out).toContain('plugins/_punctuation.ts');
  });

  it('watch mode watches every file of the plugins a config names', async () => {
    ws = pluginWorkspace();
    expect((await ws.build('//...')).code).toBe(0);
    const files = keyInputFiles(await Session.open(ws.root), ['//loud']);
    expect(files).toContain(ws.path('plugins/shout.ts'));
    expect(files).toContain(ws.path('plugins/_punctuation.ts'));
    expect(files).not.toContain(ws.path('plugins/whisper.ts'));
  });

  it('a missing module, bad settings and a module that does not compile are config errors at their line; exit 2', async () => {
    ws = pluginWorkspace();
    ws.write('configs/loud.yaml', '# loud\nuse: shoutt\nsettings: {word: hey}\n');
    let r = await ws.cli('build', '//loud', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain("configs/loud.yaml:2:6: target 'loud': key 'use': no module plugins/shoutt.ts");
    expect(r.err).toContain('plugins/ has: shout, whisper');

    ws.write('configs/loud.yaml', '# loud\nuse: shout\nsettings: {word: hey, times: 0}\n');
    r = await ws.cli('build', '//loud', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain('invalid settings for plugins/shout.ts in configs/loud.yaml');
    expect(r.err).toMatch(/configs\/loud\.yaml:3:\d+: target 'loud': key 'settings\.times': /);

    ws.write('configs/loud.yaml', 'use: shout\nsettings: {word: hey}\n');
    ws.write('plugins/shout.ts', 'export default { render: (s) => s.word.( };\n');
    r = await ws.cli('build', '//loud', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain('plugins/shout.ts does not compile');
  });

  it('a setting the module does not declare is refused at its line, even by a schema that would strip it', async () => {
    ws = pluginWorkspace();
    ws.write('plugins/whisper.ts', WHISPER.replace('.strict()', ''));
    ws.write('configs/quiet.yaml', 'use: whisper\nsettings:\n  word: HUSH\n  volume: 3\n');
    const r = await ws.cli('build', '//quiet', '--no-tui');
    expect(r.code).toBe(2);
    expect(r.err).toContain("configs/quiet.yaml:4:11: target 'quiet': plugins/whisper.ts has no setting 'volume'");
  });

  it('quanto schemas spells out each module a plugin field may name, beside its own settings', async () => {
    ws = pluginWorkspace();
    ws.write(
      'rules/render.ts',
      RULE.replace(
        'use: z.string(), settings: z.object({}).loose().default({})',
        "use: z.string(), settings: z.object({}).loose().default({}), style: z.object({ kind: z.string() }).loose().meta({ 'x-quanto-plugin': { dir: 'plugins', key: 'kind' } }).optional()",
      ),
    );
    expect((await ws.cli('schemas')).code).toBe(0);
    const schema = JSON.parse(ws.read('schemas/render.schema.json')) as {
      else: { properties: { style: { oneOf: { properties: Record<string, { const?: string }> }[] } } };
    };
    const choices = schema.else.properties.style.oneOf;
    expect(choices.map((c) => c.properties.kind!.const)).toEqual(['shout', 'whisper']);
    expect(Object.keys(choices[0]!.properties)).toEqual(['kind', 'word', 'times']);
  });
});
