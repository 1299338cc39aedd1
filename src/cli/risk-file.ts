import { relative, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../engine/errors.js';
import type { Session } from '../engine/session.js';
import { describeIssues, loadTargetConfig } from '../engine/pipeline/target-config.js';
import { YamlSource } from '../engine/pipeline/yaml-source.js';
import { riskConfigSchema, type RiskConfig } from '../execution/risk-config.js';

/** A risk file that is no target's config: a risk: block and nothing else. */
const standaloneRiskFile = z.object({ risk: riskConfigSchema }).strict();

/**
 * The limits of `quanto trade --risk FILE`, parsed strictly: a misspelled key must never let
 * orders go out under the defaults. A file that is a target's config (configs/execution/...)
 * is validated whole by that target's rule, as a build would; any other file must hold a
 * risk: block and nothing else. Errors name file:line and exit 2.
 */
export async function loadRiskFile(session: Session, cwd: string, path: string): Promise<RiskConfig> {
  const root = session.workspace.root;
  const rel = relative(root, resolve(cwd, path));
  const target = [...session.pipeline.targets.values()].find((t) => t.config === rel);
  if (target) {
    const { rule } = await session.rules.resolve(target.rule);
    const config = loadTargetConfig(root, target, rule) as { risk?: unknown };
    if (config.risk === undefined)
      throw new ConfigError(
        `${path}: the config of //${target.name} (rule '${target.rule}') has no risk: block to trade under`,
      );
    return riskConfigSchema.parse(config.risk);
  }
  const source = YamlSource.read(resolve(cwd, path), path);
  const parsed = standaloneRiskFile.safeParse(source.toJS());
  if (!parsed.success)
    throw new ConfigError(`invalid risk file ${path}:\n  ${describeIssues(source, parsed.error.issues).join('\n  ')}`);
  return parsed.data.risk;
}
