import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { pythonPath } from '../../helpers/python.js';
import { waitFor } from '../../helpers/waitFor.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A moto S3-compatible server from the project venv, on 127.0.0.1. */
export class MotoServer {
  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:<port>` */
    public readonly endpoint: string,
  ) {}

  /** Starts the server and resolves once it answers HTTP. */
  public static async start(): Promise<MotoServer> {
    const port = await freePort();
    const child = spawn(pythonPath(), ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        'moto to answer',
        async () => {
          if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${stderr}`);
          try {
            const r = await fetch(`${endpoint}/moto-api/`);
            return r.status < 500 ? true : undefined;
          } catch {
            return undefined;
          }
        },
        60_000,
      );
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return new MotoServer(child, endpoint);
  }

  /** Stops the server. */
  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('close', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
