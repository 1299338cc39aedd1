import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors.js';

/** A parsed YAML file that can say where (file:line:col) any value in it was written. */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
    /** The file's text, as read. */
    readonly text: string,
  ) {}

  /** `displayPath` is what errors print: workspace-relative, as the user wrote it. */
  static read(absPath: string, displayPath: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(absPath, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === 'ENOENT' ? `${displayPath}: file not found` : `${displayPath}: cannot read (${code})`,
      );
    }
    return YamlSource.parse(text, displayPath);
  }

  static parse(text: string, displayPath: string): YamlSource {
    const lines = new LineCounter();
    // yaml's own uniqueKeys check is quadratic in the size of a map (10,000 targets take
    // seconds); duplicates are found below with a set per map instead.
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const source = new YamlSource(displayPath, doc, lines, text);
    const first = doc.errors[0];
    if (first)
      throw new ConfigError(`${source.positionOfOffset(first.pos[0])}: invalid YAML: ${first.message.split('\n')[0]}`);
    source.rejectDuplicateKeys(doc.contents);
    return source;
  }

  private rejectDuplicateKeys(node: unknown): void {
    if (isMap(node)) {
      const seen = new Map<unknown, number>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        const offset = isNode(pair.key) && pair.key.range ? pair.key.range[0] : 0;
        const firstAt = seen.get(key);
        if (firstAt !== undefined) {
          throw new ConfigError(
            `${this.positionOfOffset(offset)}: duplicate key '${String(key)}' (first at ${this.positionOfOffset(firstAt)}): each key, and each target name, may appear only once in a map`,
          );
        }
        seen.set(key, offset);
        this.rejectDuplicateKeys(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.rejectDuplicateKeys(item);
    }
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 }) ?? {};
  }

  /** Whether the document has a value at `path`. */
  has(path: ReadonlyArray<PropertyKey>): boolean {
    return path.length === 0 || this.doc.hasIn(path as unknown[]);
  }

  /** file:line:col of the value at `path`, or of its nearest existing ancestor. */
  locate(path: ReadonlyArray<PropertyKey>): string {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return this.positionOfOffset(node.range[0]);
    }
    return `${this.file}:1:1`;
  }

  /** The key path of the first scalar equal to `value` (document order), or undefined. */
  pathOf(value: string): (string | number)[] | undefined {
    const walk = (node: unknown, path: (string | number)[]): (string | number)[] | undefined => {
      if (isScalar(node)) return node.value === value ? path : undefined;
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? pair.key.value : pair.key;
          const found = walk(pair.value, [...path, String(key)]);
          if (found) return found;
        }
      } else if (isSeq(node)) {
        for (let i = 0; i < node.items.length; i++) {
          const found = walk(node.items[i], [...path, i]);
          if (found) return found;
        }
      }
      return undefined;
    };
    return walk(this.doc.contents, []);
  }

  /** Like locate, but of the key (not the value) of the last path element in its map. */
  locateKey(path: ReadonlyArray<PropertyKey>): string {
    const parent = path.length <= 1 ? this.doc.contents : this.doc.getIn(path.slice(0, -1) as unknown[], true);
    const last = path[path.length - 1];
    if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
      for (const item of parent.items as unknown[]) {
        const key = (item as { key?: unknown }).key;
        if (isNode(key) && key.range && (key as { value?: unknown }).value === last)
          return this.positionOfOffset(key.range[0]);
      }
    }
    return this.locate(path);
  }

  private positionOfOffset(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }
}

/** Renders a zod issue path the way a user writes it: `deps[1]`, `partitions.symbol`. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}
