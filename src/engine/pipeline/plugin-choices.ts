import type { JsonSchema } from './json-schema.js';

/**
 * A config field that names a plugin module carries this JSON Schema keyword (set with zod's
 * `.meta()` where the field is declared; domain code spells the same string, as it cannot
 * import the engine): `{dir: 'strategies', key: 'kind'}` says the field's `kind` names a module
 * of strategies/ and the field's other keys are that module's settings, beside any the field
 * declares itself (a strategy's `data:`).
 */
export const PLUGIN_SCHEMA_KEYWORD = 'x-quanto-plugin';

export interface PluginMarker {
  readonly dir: string;
  readonly key: string;
}

/** A module a plugin field may name, with the JSON Schema of its settings (undefined when it declares none). */
export interface PluginChoice {
  readonly name: string;
  readonly settings: JsonSchema | undefined;
}

function markerOf(node: Record<string, unknown>): PluginMarker | undefined {
  const m = node[PLUGIN_SCHEMA_KEYWORD] as Partial<PluginMarker> | undefined;
  return m && typeof m.dir === 'string' && typeof m.key === 'string' ? { dir: m.dir, key: m.key } : undefined;
}

function walk(node: unknown, visit: (n: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => walk(n, visit));
  if (typeof node !== 'object' || node === null) return node;
  const replaced = visit(node as Record<string, unknown>);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, visit)]));
}

/** The plugin folders a schema's fields name modules of, sorted. */
export function pluginDirsOf(schema: JsonSchema): string[] {
  const dirs = new Set<string>();
  walk(schema, (n) => {
    const m = markerOf(n);
    if (m) dirs.add(m.dir);
    return undefined;
  });
  return [...dirs].sort();
}

/**
 * The schema with each plugin field spelled out for editors: one alternative per module the
 * field may name, its `key` fixed to the module's name beside that module's own settings, so an
 * editor completes a strategy's settings once its kind is typed, and flags an unknown kind.
 */
export function withPluginChoices(
  schema: JsonSchema,
  choices: ReadonlyMap<string, readonly PluginChoice[]>,
): JsonSchema {
  return walk(schema, (n) => {
    const m = markerOf(n);
    if (!m) return undefined;
    const {
      [PLUGIN_SCHEMA_KEYWORD]: _marker,
      properties: fieldProperties,
      required: _r,
      additionalProperties: _a,
      type: _t,
      ...rest
    } = n;
    // Keys the field itself declares beside `key` (a strategy's `data:`) are every module's.
    const { [m.key]: _named, ...shared } = (fieldProperties as Record<string, unknown> | undefined) ?? {};
    const oneOf = (choices.get(m.dir) ?? []).map((c) => {
      const settings = c.settings ?? {};
      const properties = (settings.properties as Record<string, unknown> | undefined) ?? {};
      const required = (settings.required as string[] | undefined) ?? [];
      return {
        type: 'object',
        ...(typeof settings.description === 'string' ? { description: settings.description } : {}),
        properties: { [m.key]: { const: c.name }, ...shared, ...properties },
        required: [m.key, ...required.filter((r) => r !== m.key)],
        // Settings a module does not declare are refused when the build is planned; here too, when it declares an object.
        ...(c.settings?.type === 'object' ? { additionalProperties: settings.additionalProperties ?? false } : {}),
      };
    });
    return { ...rest, type: 'object', oneOf };
  }) as JsonSchema;
}
