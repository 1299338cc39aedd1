import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from './errors.js';

/** A parsed YAML file that can say where (file:line:col) any value in it was written. */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** `displayPath` is what errors print: workspace-relative, as the user wrote it. */
  static read(absPath: string, displayPath: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(absPath, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(code === 'ENOENT' ? `${displayPath}: file not found` : `${displayPath}: cannot read (${code})`);
    }
    return YamlSource.parse(text, displayPath);
  }

  static parse(text: string, displayPath: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(displayPath, doc, lines);
    const first = doc.errors[0];
    if (first) {
      const where = source.positionOfOffset(first.pos[0]);
      const duplicate = /Map keys must be unique/.test(first.message);
      throw new ConfigError(
        `${where}: ${duplicate ? 'duplicate key: each key (and each target name) may appear only once in a map' : `invalid YAML: ${first.message.split('\n')[0]}`}`,
      );
    }
    return source;
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 }) ?? {};
  }

  /** file:line:col of the value at `path`, or of its nearest existing ancestor. */
  locate(path: ReadonlyArray<PropertyKey>): string {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return this.positionOfOffset(node.range[0]);
    }
    return `${this.file}:1:1`;
  }

  /** Like locate, but of the key (not the value) of the last path element in its map. */
  locateKey(path: ReadonlyArray<PropertyKey>): string {
    const parent = path.length <= 1 ? this.doc.contents : this.doc.getIn(path.slice(0, -1) as unknown[], true);
    const last = path[path.length - 1];
    if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
      for (const item of parent.items as unknown[]) {
        const key = (item as { key?: unknown }).key;
        if (isNode(key) && key.range && (key as { value?: unknown }).value === last) return this.positionOfOffset(key.range[0]);
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
