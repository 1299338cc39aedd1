import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/workspace.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const section = (title: string) => README.split(`\n## ${title}\n`)[1]?.split('\n## ')[0] ?? '';

/** The README's Architecture and Configs sections say what CI enforces and what configs speak, and stay in step with them. */
describe('the README describes the house', () => {
  it('lists every import rule dependency-cruiser enforces, by name', () => {
    const config = createRequire(import.meta.url)(join(REPO_ROOT, '.dependency-cruiser.cjs')) as {
      forbidden: { name: string }[];
    };
    const architecture = section('Architecture');
    expect(architecture).toContain('src/engine/');
    for (const rule of config.forbidden.filter((r) => r.name !== 'no-circular'))
      expect(architecture, `the Architecture section does not name ${rule.name}`).toContain(`\`${rule.name}\``);
    expect(architecture).toMatch(/import cycle/);
  });

  it('has the config vocabulary table: from, kind, extends', () => {
    const configs = section('Configs');
    for (const key of ['from', 'kind', 'extends']) expect(configs).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
    expect(configs).toContain('quanto schemas');
  });
});
