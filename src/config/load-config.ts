import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, ENV_NAMES, type CairnConfig } from './config-schema.js';

export type ConfigResult = { ok: true; config: CairnConfig } | { ok: false; problems: string[] };

/** Settings whose values are never repeated in a problem: problems end up in logs. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set<keyof CairnConfig>(['tokenSecret']);

/**
 * Reads the settings from `env` and, when CAIRN_CONFIG_FILE names one, a JSON or YAML file whose
 * keys are the setting names (`port`, `dataDir`, ...). Every bad value is reported, one line
 * each, naming the variable or file key, with the value given in the environment unless it is a
 * secret; a file that does not parse is reported by line and column, without the text there (it
 * may hold the secret). Nothing is started with a partly valid configuration.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  const file = env.CAIRN_CONFIG_FILE;
  if (file) {
    try {
      const parsed: unknown = parseYaml(fs.readFileSync(file, 'utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) fromFile = parsed as Record<string, unknown>;
      else problems.push(`${file}: must be a mapping of setting names to values`);
    } catch (error) {
      // The parser quotes the offending line after the first one: keep "what, at line L, column C".
      problems.push(`${file}: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`);
    }
  }

  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const unknownEnv = Object.keys(env).filter(
    (name) => name.startsWith('CAIRN_') && name !== 'CAIRN_CONFIG_FILE' && !Object.values(ENV_NAMES).includes(name),
  );
  for (const name of unknownEnv) problems.push(`${name}: not a Cairn setting (known: ${Object.values(ENV_NAMES).join(', ')})`);

  const result = configSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      // A setting that was not given at all (a required one) is named by its variable.
      const envName = (ENV_NAMES as Record<string, string | undefined>)[key];
      const where = key in fromEnv ? envName : file && key in fromFile ? `${file}: ${key}` : envName || key || file || 'config';
      const given = key in fromEnv && !SECRET_SETTINGS.has(key) ? ` (got ${JSON.stringify(fromEnv[key])})` : '';
      problems.push(issue.code === 'unrecognized_keys' ? `${file}: unknown setting(s) ${issue.keys.join(', ')}` : `${where}: ${issue.message}${given}`);
    }
  }
  return problems.length > 0 || !result.success ? { ok: false, problems } : { ok: true, config: result.data };
}
