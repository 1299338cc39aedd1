import type { Command } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  configJsonSchema,
  fragmentJsonSchema,
  inputJsonSchema,
  inputSchemaOf,
  type JsonSchema,
} from '../../engine/pipeline/config-schema.js';
import { pluginDirsOf, type PluginChoice } from '../../engine/pipeline/plugin-choices.js';
import type { Session } from '../../engine/session.js';
import { EXIT_FAILURE } from '../../engine/errors.js';
import { pipelineSchema } from '../../engine/pipeline/pipeline-parse.js';
import { writeFileAtomic } from '../../engine/store/atomic-write.js';
import type { CommandContext, GlobalOptions } from '../command-context.js';
import type { CliIO } from '../io.js';
import { openSession } from './open.js';

/** Where the schemas go, under the workspace; each config's first line points there. */
export const SCHEMAS_DIR = 'schemas';

/**
 * quanto schemas: a JSON Schema for the config files of every rule the workspace has (its own
 * rules and the built-in ones), a fragment schema for the shared files those configs extend, and
 * one for quanto.pipeline.yaml. With --check, writes nothing and fails when a file is stale.
 */
export async function schemasCommand(io: CliIO, globals: GlobalOptions, opts: { check?: boolean }): Promise<number> {
  const session = await openSession(io, globals);
  const wanted = new Map<string, JsonSchema>();
  wanted.set('quanto.pipeline.schema.json', inputJsonSchema(pipelineSchema, 'quanto.pipeline.yaml'));
  const choices = new Map<string, PluginChoice[]>();
  for (const name of session.rules.available()) {
    const { rule } = await session.rules.resolve(name);
    for (const dir of pluginDirsOf(inputSchemaOf(rule.config)))
      if (!choices.has(dir)) choices.set(dir, await pluginChoicesOf(session, dir));
    wanted.set(`${name}.schema.json`, configJsonSchema(rule, choices));
    wanted.set(`${name}.fragment.schema.json`, fragmentJsonSchema(rule, choices));
  }
  const dir = join(session.workspace.root, SCHEMAS_DIR);
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.schema.json')) : [];
  const stale = [...wanted].filter(([file, schema]) => readOr(join(dir, file)) !== render(schema)).map(([f]) => f);
  const orphans = present.filter((f) => !wanted.has(f)).sort();
  if (opts.check) {
    for (const f of stale) io.err(`stale: ${SCHEMAS_DIR}/${f}`);
    for (const f of orphans) io.err(`no rule has this schema: ${SCHEMAS_DIR}/${f}`);
    if (stale.length + orphans.length > 0) {
      io.err(`quanto: the config schemas are out of date: run 'quanto schemas' and commit ${SCHEMAS_DIR}/`);
      return EXIT_FAILURE;
    }
    io.out(`${wanted.size} schemas in ${SCHEMAS_DIR}/ are up to date`);
    return 0;
  }
  for (const f of stale) writeFileAtomic(join(dir, f), render(wanted.get(f)!));
  for (const f of orphans) io.err(`note: ${SCHEMAS_DIR}/${f} belongs to no rule of this workspace (left in place)`);
  io.out(`${SCHEMAS_DIR}/: ${stale.length} written, ${wanted.size - stale.length} unchanged`);
  return 0;
}

/** Every module of a plugin folder (the workspace's and Quanto's own), with its settings' schema. */
async function pluginChoicesOf(session: Session, dir: string): Promise<PluginChoice[]> {
  const out: PluginChoice[] = [];
  for (const name of session.plugins.available(dir)) {
    const { value } = await session.plugins.resolve(`${dir}/${name}`);
    const config = (value as { config?: unknown }).config;
    out.push({ name, settings: config instanceof z.ZodType ? inputSchemaOf(config) : undefined });
  }
  return out;
}

function render(schema: JsonSchema): string {
  return JSON.stringify(schema, null, 2) + '\n';
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Registers `quanto schemas`. */
export function registerSchemasCommand(program: Command, ctx: CommandContext): void {
  program
    .command('schemas')
    .description(
      `write a JSON Schema for each rule's config files (and the pipeline's) to ${SCHEMAS_DIR}/, for editors`,
    )
    .option('--check', 'write nothing; exit 1 if any schema is out of date (for CI)')
    .action(ctx.run((opts: { check?: boolean }) => schemasCommand(ctx.io, ctx.globals(), opts)));
}
