import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

function pgliteVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

let template: Promise<string> | undefined;

/**
 * A freshly initialised, empty PGlite data directory, built once per machine
 * and PGlite version. Creating a PGlite database runs initdb in WebAssembly
 * (seconds, more on a busy CI box); opening a copy of one takes under one.
 * The copy is a real, untouched database: nothing is migrated in it.
 */
function ensureTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = join(tmpdir(), `ecg-pglite-template-${pgliteVersion()}`);
    if (existsSync(dir)) return dir;
    const building = await mkdtemp(join(tmpdir(), 'ecg-pglite-building-'));
    const pg = await PGlite.create(building);
    await pg.close();
    try {
      // Atomic: the template directory either does not exist or is complete.
      await rename(building, dir);
    } catch {
      await rm(building, { recursive: true, force: true }); // another test process won the race
    }
    return dir;
  })();
  return template;
}

/** Fills `target` (which must not exist yet) with an empty PGlite database. */
export async function copyEmptyPgliteDatabase(target: string): Promise<void> {
  await cp(await ensureTemplate(), target, { recursive: true, errorOnExist: true, force: false });
}
