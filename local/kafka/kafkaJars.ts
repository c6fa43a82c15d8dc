import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../common/packageRoot.js';
import { KafkaBrokerError } from './errors.js';

/** The pom naming the broker's jars (kafka_2.13, kafka-tools and their runtime dependencies). */
export const KAFKA_POM = join(PACKAGE_ROOT, 'local', 'kafka', 'pom.xml');
/** The project's cache of the broker: Maven's repository and the copied jars (git-ignored). */
export const KAFKA_CACHE = join(PACKAGE_ROOT, '.cache', 'kafka');

/** The Kafka version the pom asks for. */
export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(KAFKA_POM, 'utf8'));
  if (!m?.[1]) throw new KafkaBrokerError(`${KAFKA_POM} names no <kafka.version>`);
  return m[1];
}

/**
 * The folder of the broker's jars, resolved with Maven into the project cache on first use
 * (`mvn dependency:copy-dependencies` with a project-local repository; a few seconds once cached, about
 * a minute and 120 MiB the first time). A completed copy is marked, so an interrupted one is redone.
 *
 * @param log - progress lines for a person
 * @returns the folder holding every jar of the broker's class path
 * @throws KafkaBrokerError when Maven is missing or fails (with its output)
 */
export function ensureKafkaJars(log: (line: string) => void = () => undefined): string {
  const version = kafkaVersion();
  const lib = join(KAFKA_CACHE, `lib-${version}`);
  const done = join(lib, '.complete');
  if (existsSync(done)) return lib;
  mkdirSync(KAFKA_CACHE, { recursive: true });
  const tmp = `${lib}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`resolving Apache Kafka ${version} jars with Maven into ${lib} (first use only)`);
  const r = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      KAFKA_POM,
      `-Dmaven.repo.local=${join(KAFKA_CACHE, 'm2')}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 },
  );
  if (r.error || r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    throw new KafkaBrokerError(
      `could not resolve the Kafka broker's jars with Maven (${why}); is \`mvn\` installed and Maven Central reachable?\n${(r.stdout ?? '') + (r.stderr ?? '')}`.trim(),
    );
  }
  if (!readdirSync(tmp).some((f) => f.startsWith('kafka_2.13-'))) {
    throw new KafkaBrokerError(`Maven resolved no kafka_2.13 jar into ${tmp}`);
  }
  writeFileSync(join(tmp, '.complete'), `${version}\n`);
  rmSync(lib, { recursive: true, force: true });
  renameSync(tmp, lib);
  return lib;
}
