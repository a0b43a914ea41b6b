import { readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every mainstream build). */
export const CLOCK_TICKS = 100;

/** The fields of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line that tests and benchmarks read (proc(5)). */
export interface ProcStat {
  comm: string;
  ppid: number;
  pgrp: number;
  /** CPU seconds in user and kernel mode; `children*`: those of children already waited for. */
  userSeconds: number;
  systemSeconds: number;
  childrenUserSeconds: number;
  childrenSystemSeconds: number;
  nice: number;
}

/**
 * Reads one stat file (Linux), or null when the process or thread is gone.
 * The name (field 2) sits in parentheses and may itself hold spaces or ')',
 * so the other fields are counted from the last ')'.
 */
export function readProcStat(path: string): ProcStat | null {
  let line: string;
  try {
    line = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const close = line.lastIndexOf(')');
  // After the name: field 3 (state) is index 0, so proc(5)'s field n is index n - 3.
  const f = line.slice(close + 2).split(' ');
  const at = (field: number) => Number(f[field - 3]);
  return {
    comm: line.slice(line.indexOf('(') + 1, close),
    ppid: at(4),
    pgrp: at(5),
    userSeconds: at(14) / CLOCK_TICKS,
    systemSeconds: at(15) / CLOCK_TICKS,
    childrenUserSeconds: at(16) / CLOCK_TICKS,
    childrenSystemSeconds: at(17) / CLOCK_TICKS,
    nice: at(19),
  };
}
