import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { quantoPackageRoot } from '../package-root.js';
import { PIPELINE_FILE } from '../pipeline/pipeline.js';
import type { Session } from '../session.js';
import { isSrcGlob } from '../pipeline/src-globs.js';

/**
 * Every file the keys of these targets read, as absolute paths: the pipeline, each config and
 * what it extends, each declared source, and each repo file each rule's bundle was built from. Watching
 * exactly these is what lets watch mode rebuild on every edit that matters and no other.
 */
export function keyInputFiles(session: Session, patterns: readonly string[]): string[] {
  const root = session.workspace.root;
  const files = new Set<string>([join(root, PIPELINE_FILE)]);
  const rules = new Set<string>();
  for (const name of session.graph.closure(session.graph.select(patterns))) {
    const spec = session.graph.spec(name);
    if (spec.config) {
      files.add(join(root, spec.config));
      // And the files it extends, as its last read found them (the build just before recorded them).
      const own = join(root, spec.config);
      const bases = existsSync(own) ? session.state.configFiles(spec.config, session.stats.digest(own)) : undefined;
      for (const base of bases ?? []) files.add(join(root, base));
      // And every file of the plugins it names, as their last bundling found them.
      const plugins = existsSync(own) ? session.state.configPlugins(spec.config, session.stats.digest(own)) : undefined;
      for (const plugin of plugins ?? [])
        for (const path of Object.keys(session.plugins.currentSources(plugin) ?? { [plugin]: '' }))
          files.add(sourceFile(root, path));
    }
    for (const src of spec.srcs) {
      // A glob is watched by its directory, so a new matching file is seen.
      if (isSrcGlob(src)) files.add(join(root, dirname(src)));
      else files.add(join(root, src));
    }
    rules.add(spec.rule);
  }
  for (const rule of rules) {
    const current = session.rules.currentSources(rule);
    for (const path of Object.keys(current?.sources ?? {})) {
      files.add(sourceFile(root, path));
    }
  }
  return [...files].sort();
}

/** The file of a source path as keys name it: workspace-relative, or quanto:<path> for Quanto's own. */
function sourceFile(root: string, path: string): string {
  return path.startsWith('quanto:') ? join(quantoPackageRoot(), path.slice('quanto:'.length)) : join(root, path);
}

/** What to watch while the pipeline or a config is invalid: enough to notice the fix. */
export function recoveryWatchList(root: string): string[] {
  return [
    join(root, PIPELINE_FILE),
    join(root, 'configs'),
    join(root, 'rules'),
    join(root, 'strategies'),
    join(root, 'src'),
  ];
}
