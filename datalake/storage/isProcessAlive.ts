/**
 * True when a process with this pid exists (signal 0 probes without sending anything; EPERM means it
 * exists under another user). Used to tell the leftovers of dead processes (staging and scratch folders,
 * run locks) from those of live ones.
 *
 * @param pid - process id
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
