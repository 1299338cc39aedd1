import { z } from 'zod';
import type { Rule } from '../rule-api.js';
import type { JsonSchema } from './json-schema.js';
import { withPluginChoices, type PluginChoice } from './plugin-choices.js';

export type { JsonSchema } from './json-schema.js';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

const EXTENDS = {
  description:
    'YAML files (relative to this one) whose keys are the defaults of this config: maps merge, lists and scalars are replaced',
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  ],
};

/**
 * The JSON Schema of a rule's config files, from its zod schema, for editors (a
 * `# yaml-language-server: $schema=` line in each file). What the file may hold, so the input
 * side: keys with defaults are optional. A file that `extends:` others may leave any key to
 * them, at any depth, so it is checked as a fragment; otherwise every required key must be there.
 */
export function configJsonSchema(rule: Rule<unknown>, plugins: PluginChoices = new Map()): JsonSchema {
  const full = withExtends(withPluginChoices(inputSchemaOf(rule.config), plugins));
  return {
    $schema: DRAFT,
    title: `config of rule '${rule.name}'`,
    ...(rule.description ? { description: rule.description } : {}),
    if: { type: 'object', properties: { extends: true }, required: ['extends'] },
    then: withoutRequired(full),
    else: full,
  };
}

/** The schema of a shared file that configs of this rule extend: any part of a config, each key as the config has it. */
export function fragmentJsonSchema(rule: Rule<unknown>, plugins: PluginChoices = new Map()): JsonSchema {
  return {
    $schema: DRAFT,
    title: `part of a config of rule '${rule.name}' (a file configs extend)`,
    ...withoutRequired(withExtends(withPluginChoices(inputSchemaOf(rule.config), plugins))),
  };
}

/** The schema of any zod schema's accepted input (quanto.pipeline.yaml's, for one). */
export function inputJsonSchema(schema: z.ZodType, title: string): JsonSchema {
  return { $schema: DRAFT, title, ...inputSchemaOf(schema) };
}

/** The plugin modules each plugin folder offers (see plugin-choices.ts). */
export type PluginChoices = ReadonlyMap<string, readonly PluginChoice[]>;

/** The JSON Schema of the input a zod schema accepts, its formats those JSON Schema knows. */
export function inputSchemaOf(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return withStandardFormats(out) as JsonSchema;
}

// JSON Schema's own formats. zod also writes names of its checks (starts_with, ...) as formats,
// which validators reject as unknown; the pattern beside them already says the same.
const STANDARD_FORMATS = new Set(
  'date-time date time duration email idn-email hostname idn-hostname ipv4 ipv6 uri uri-reference iri iri-reference uuid uri-template json-pointer relative-json-pointer regex'.split(
    ' ',
  ),
);

function withStandardFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withStandardFormats);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'format' && typeof v === 'string' && !STANDARD_FORMATS.has(v)) continue;
    out[k] = VALUE_KEYWORDS.has(k) ? v : withStandardFormats(v);
  }
  return out;
}

function withExtends(schema: JsonSchema): JsonSchema {
  if (schema.type !== 'object' || typeof schema.properties !== 'object') return schema;
  return { ...schema, properties: { extends: EXTENDS, ...(schema.properties as object) } };
}

/** Keywords whose value is config data, not a schema: never rewritten. */
const VALUE_KEYWORDS = new Set(['default', 'const', 'enum', 'examples']);

/** Drops every `required`, at every depth: what a fragment leaves out, the config or another file gives. */
function withoutRequired(schema: JsonSchema): JsonSchema {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'required') continue;
      if (VALUE_KEYWORDS.has(k)) {
        out[k] = v;
        continue;
      }
      // Under `properties` the keys are config keys (one may be called 'required'), each a schema.
      out[k] =
        k === 'properties' && typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, strip(sub)]))
          : strip(v);
    }
    return out;
  };
  return strip(schema) as JsonSchema;
}
