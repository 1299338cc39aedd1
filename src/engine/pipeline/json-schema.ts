/** A JSON Schema document, as JSON. */
export type JsonSchema = Record<string, unknown>;
