import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Node } from 'constructs';
import {
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  CONFIG_OVERRIDE_PREFIX,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_FILE,
  ENV_CONTEXT_KEY,
} from './constants.js';
import { ConfigError } from './errors.js';
import { overrideFromString, resolveConfig } from './resolveConfig.js';
import type { GridstreamConfig } from './types.js';

function parseMaybeJson(value: unknown, what: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new ConfigError([`${what} is not JSON (${(err as Error).message}): ${JSON.stringify(value)}`]);
  }
}

/**
 * Reads the configuration of the environment named by the `env` context value (default `dev`), in
 * increasing precedence:
 * 1. {@link DEFAULT_CONFIG},
 * 2. the section `<env>` of the configuration file (`-c configFile=PATH`, default `infra/gridstream.config.json`,
 *    skipped when absent),
 * 3. the `gridstream` context object (cdk.json or `-c gridstream='{"redshift":{"enabled":false}}'`),
 * 4. single-value overrides `-c gridstream.<path>=<value>` (e.g. `-c gridstream.streams.mode=PROVISIONED`).
 *
 * @param node - the app's node (its context holds the values above)
 * @param cwd - directory relative file paths resolve against
 * @throws ConfigError naming every invalid value
 */
export function loadConfig(node: Node, cwd: string = process.cwd()): GridstreamConfig {
  const envName = String(node.tryGetContext(ENV_CONTEXT_KEY) ?? DEFAULT_CONFIG.envName);
  const inputs: unknown[] = [{ envName }];
  const sources: string[] = ['defaults'];

  const fileContext = node.tryGetContext(CONFIG_FILE_CONTEXT_KEY) as string | undefined;
  const file = resolve(cwd, fileContext ?? DEFAULT_CONFIG_FILE);
  if (existsSync(file)) {
    const all = parseMaybeJson(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
    if (all === null || typeof all !== 'object' || Array.isArray(all)) {
      throw new ConfigError([`${file} must hold an object of environment name → configuration`]);
    }
    if (all[envName] !== undefined) {
      inputs.push(all[envName]);
      sources.push(
        `${isAbsolute(fileContext ?? '') ? file : (fileContext ?? DEFAULT_CONFIG_FILE)}#${envName}`,
      );
    }
  } else if (fileContext !== undefined) {
    throw new ConfigError([`configFile ${JSON.stringify(fileContext)} does not exist`]);
  }

  const contextObject = node.tryGetContext(CONFIG_CONTEXT_KEY);
  if (contextObject !== undefined) {
    inputs.push(parseMaybeJson(contextObject, `context ${CONFIG_CONTEXT_KEY}`));
    sources.push(`context ${CONFIG_CONTEXT_KEY}`);
  }

  const problems: string[] = [];
  const all = node.getAllContext() as Record<string, unknown>;
  for (const [key, value] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.startsWith(CONFIG_OVERRIDE_PREFIX)) continue;
    const result = overrideFromString(key.slice(CONFIG_OVERRIDE_PREFIX.length), value);
    if ('problem' in result) problems.push(result.problem);
    else {
      inputs.push(result.input);
      sources.push(key);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'command-line overrides');
  // The env context value names the environment even when a file section sets another envName.
  inputs.push({ envName });
  return resolveConfig(inputs, sources.join(' < '));
}
