import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KafkaBrokerError } from './errors.js';

/** The broker's TLS material: a PKCS12 keystore for the broker, the certificate as PEM for clients. */
export interface BrokerCertificate {
  /** PKCS12 keystore holding the broker's key and self-signed certificate. */
  readonly keystore: string;
  /** Password of the keystore and of its key. */
  readonly password: string;
  /** The certificate in PEM: the one CA a client must trust (e.g. `NODE_EXTRA_CA_CERTS`). */
  readonly caFile: string;
}

/** `keytool` beside the `java` the broker runs on (`JAVA` may name a full path), else on the PATH. */
function keytoolOf(java: string): string {
  return java.includes('/') && basename(java) === 'java' ? join(dirname(java), 'keytool') : 'keytool';
}

/** The variable keytool reads the keystore password from (`-storepass:env`): never on its command line. */
const PASSWORD_ENV = 'GRIDSTREAM_KEYSTORE_PASSWORD';

function keytool(java: string, args: readonly string[], password: string): void {
  const tool = keytoolOf(java);
  const r = spawnSync(tool, [...args], {
    encoding: 'utf8',
    env: { ...process.env, [PASSWORD_ENV]: password },
  });
  if (r.error || r.status !== 0) {
    throw new KafkaBrokerError(
      `the JDK's keytool (\`${tool} ${args[0]}\`) failed (${r.error?.message ?? `exit code ${r.status}`}); ` +
        `a JDK 17+ is needed:\n${r.stdout ?? ''}${r.stderr ?? ''}`.trim(),
    );
  }
}

/**
 * A self-signed certificate for IP 127.0.0.1 (subject alternative name, so clients verify the address
 * they dial) made with the JDK's `keytool` into `dir`: kept when it exists, so a data folder used again
 * keeps the certificate its clients already trust.
 *
 * @param dir - folder of the keystore and the PEM (created)
 * @param java - the `java` command the broker runs on; its `keytool` is used
 * @throws KafkaBrokerError when keytool is missing or fails
 */
export function ensureBrokerCertificate(dir: string, java: string): BrokerCertificate {
  // The key and its password: for this user only, whatever the data folder's own mode.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const keystore = join(dir, 'broker.p12');
  const caFile = join(dir, 'ca.pem');
  const passwordFile = join(dir, 'keystore-password');
  if (existsSync(keystore) && existsSync(caFile) && existsSync(passwordFile)) {
    return { keystore, password: readFileSync(passwordFile, 'utf8').trim(), caFile };
  }
  for (const f of [keystore, caFile]) rmSync(f, { force: true });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  keytool(
    java,
    [
      '-genkeypair',
      '-alias',
      'broker',
      '-keyalg',
      'RSA',
      '-keysize',
      '2048',
      '-validity',
      '3650',
      '-dname',
      'CN=127.0.0.1,O=gridstream local Kafka broker',
      '-ext',
      'SAN=ip:127.0.0.1',
      '-storetype',
      'PKCS12',
      '-keystore',
      keystore,
      '-storepass:env',
      PASSWORD_ENV,
      '-keypass:env',
      PASSWORD_ENV,
    ],
    password,
  );
  chmodSync(keystore, 0o600);
  keytool(
    java,
    [
      '-exportcert',
      '-rfc',
      '-alias',
      'broker',
      '-keystore',
      keystore,
      '-storepass:env',
      PASSWORD_ENV,
      '-file',
      caFile,
    ],
    password,
  );
  return { keystore, password, caFile };
}
