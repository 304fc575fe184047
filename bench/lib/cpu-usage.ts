import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Which processes a share of the CPU is reported for: by pid, or by a test of the command name. */
export type CpuGroups = Record<string, (pid: number, comm: string) => boolean>;

/** CPU seconds used so far by each group's processes, from /proc; undefined where there is none. */
function cpuSeconds(groups: CpuGroups): Record<string, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const ticks = clockTicks();
  const used: Record<string, number> = Object.fromEntries(Object.keys(groups).map((name) => [name, 0]));
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state …: comm may hold spaces, so the fields are counted from its closing paren.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the paren.
    const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
    for (const [name, matches] of Object.entries(groups)) {
      if (matches(Number(pid), comm)) used[name] += seconds;
    }
  }
  return used;
}

/** What the processes of each group, and the hypervisor's other guests, had used at one moment. */
export interface CpuReading {
  at: number;
  used: Record<string, number>;
  steal?: number;
}

export function readCpu(groups: CpuGroups): CpuReading | undefined {
  const used = cpuSeconds(groups);
  return used && { at: Date.now(), used, steal: stealSeconds() };
}

/** Each group's share of one core between two readings, in percent, their total, and the steal. */
export function cpuShares(before: CpuReading, after: CpuReading): string {
  const seconds = (after.at - before.at) / 1000;
  const percent = (used: number) => Math.round((used / seconds) * 100);
  const shares = Object.keys(before.used).map((name) => [name, percent(after.used[name] - before.used[name])] as const);
  const total = shares.reduce((sum, [, share]) => sum + share, 0);
  const steal =
    before.steal !== undefined && after.steal !== undefined ? `; taken by the hypervisor (steal) ${percent(after.steal - before.steal)}%` : '';
  return `${shares.map(([name, share]) => `${name} ${share}%`).join(', ')}; ${total}% in all${steal}`;
}

/**
 * CPU seconds of all cores the hypervisor gave to other guests so far ("steal", /proc/stat): time
 * this machine's processes were ready to run and could not, which no process's share shows.
 */
function stealSeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …
    return Number(fields[8]) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/**
 * Each group's CPU between two readings in milliseconds per 1,000 events, and their sum: the
 * figure that holds on a noisy machine where events/s does not (a neighbour slows the rate, not
 * the work each event costs).
 */
export function cpuPerThousand(before: CpuReading, after: CpuReading, events: number): Record<string, number> {
  const perThousand = (seconds: number) => Math.round((seconds * 1_000_000) / events);
  const groups = Object.fromEntries(Object.keys(before.used).map((name) => [name, perThousand(after.used[name] - before.used[name])]));
  return { ...groups, all: Object.values(groups).reduce((sum, ms) => sum + ms, 0) };
}
