// CPU time a process used (user + system, every thread), from Linux's /proc/<pid>/stat: what the P3 benchmark
// charges to the Temporal dev server and to the worker process per credential. CPU seconds stay meaningful on a
// shared, loaded machine, where wall time does not (proc(5): utime and stime are fields 14 and 15, in clock
// ticks of 1/100 s on Linux).
import { readFile, readdir } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parentheses). */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds the process has used so far; undefined when it is gone or /proc is not there (not Linux). */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const f = await statFields(pid);
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : undefined;
}

/** The processes of a process group whose command is `comm` (the dev server runs under a supervisor in its own group). */
export async function groupProcesses(pgid: number, comm: string): Promise<number[]> {
  const pids: number[] = [];
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = await readFile(`/proc/${name}/stat`, 'utf8');
      const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      // After the name: state, ppid, pgrp.
      const pgrp = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid && command === comm) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU seconds of several processes together; undefined if any cannot be read. */
export async function totalCpuSeconds(pids: number[]): Promise<number | undefined> {
  let total = 0;
  for (const pid of pids) {
    const s = await cpuSeconds(pid);
    if (s === undefined) return undefined;
    total += s;
  }
  return pids.length ? total : undefined;
}
