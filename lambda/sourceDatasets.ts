import { type Dataset, isDataset } from '../schemas/index.js';
import { ConfigurationError, UnknownSourceError } from './errors.js';

/**
 * The resource name at the end of an ARN (`.../stream/<name>`, `.../deliverystream/<name>`);
 * a plain name is returned unchanged.
 *
 * @param arnOrName - an ARN or a name
 */
export function resourceNameOf(arnOrName: string): string {
  const slash = arnOrName.lastIndexOf('/');
  return slash === -1 ? arnOrName : arnOrName.slice(slash + 1);
}

/**
 * Parses a JSON object mapping stream names to datasets, as the CDK app writes it into an
 * environment variable. Names are literal (not ARNs) so the mapping creates no reference cycle
 * between a function and the streams that invoke it.
 *
 * @param raw - the variable's value
 * @param variable - the variable's name, for the error message
 * @throws ConfigurationError naming the value received
 */
export function parseSourceDatasets(raw: string | undefined, variable: string): Record<string, Dataset> {
  if (raw === undefined || raw.trim() === '') throw new ConfigurationError(`${variable} is not set`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigurationError(
      `${variable} is not JSON (${(err as Error).message}): ${JSON.stringify(raw)}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError(
      `${variable} must be a JSON object of name → dataset, got ${JSON.stringify(raw)}`,
    );
  }
  const out: Record<string, Dataset> = {};
  for (const [name, dataset] of Object.entries(parsed)) {
    if (typeof dataset !== 'string' || !isDataset(dataset)) {
      throw new ConfigurationError(
        `${variable}: ${name} maps to ${JSON.stringify(dataset)}, which is not a dataset`,
      );
    }
    out[name] = dataset;
  }
  return out;
}

/**
 * The dataset of a source (stream or delivery stream), by its name.
 *
 * @param arnOrName - the source's ARN or name
 * @param datasets - name → dataset
 * @throws UnknownSourceError when the source is not in the map
 */
export function datasetOfSource(arnOrName: string, datasets: Readonly<Record<string, Dataset>>): Dataset {
  const name = resourceNameOf(arnOrName);
  const dataset = datasets[name];
  if (dataset === undefined) throw new UnknownSourceError(name, Object.keys(datasets));
  return dataset;
}
