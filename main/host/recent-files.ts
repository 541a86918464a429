// The recent-files list (File › Open Recent, and the Open menu in the web UI). Entries
// opened by path (Electron) keep the path; files that came in as bytes (upload, drag
// and drop) are cached in the data directory so they can be reopened too. At most
// MAX_RECENT entries; the list lives in <dataDir>/recent.json.

import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RecentFile } from '../common/ipc-contract';

export const MAX_RECENT = 10;

interface StoredRecent extends RecentFile {
  /** File name of the cached copy under <dataDir>/recent/. */
  cached?: string;
}

export class RecentFiles {
  constructor(private readonly dataDir: string) {}

  private get listFile(): string {
    return join(this.dataDir, 'recent.json');
  }

  private async read(): Promise<StoredRecent[]> {
    try {
      const parsed = JSON.parse(await readFile(this.listFile, 'utf8')) as unknown;
      return Array.isArray(parsed) ? (parsed as StoredRecent[]).filter((e) => typeof e?.id === 'string' && typeof e.fileName === 'string') : [];
    } catch {
      return [];
    }
  }

  private async write(list: StoredRecent[]): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    await writeFile(this.listFile, JSON.stringify(list, null, 1));
  }

  async list(): Promise<RecentFile[]> {
    return (await this.read()).map(({ id, fileName, path, openedAt }) => ({ id, fileName, path, openedAt }));
  }

  /** Record an opened file; bytes without a path are cached. Re-opening moves an entry to the top. */
  async add(fileName: string, opts: { path?: string; bytes?: Uint8Array }): Promise<void> {
    let list = await this.read();
    const same = list.find((e) => (opts.path ? e.path === opts.path : !e.path && e.fileName === fileName));
    list = list.filter((e) => e !== same);
    const entry: StoredRecent = { id: same?.id ?? randomUUID(), fileName, path: opts.path, openedAt: new Date().toISOString() };
    if (!opts.path && opts.bytes) {
      entry.cached = `${entry.id}.bin`;
      await mkdir(join(this.dataDir, 'recent'), { recursive: true });
      await writeFile(join(this.dataDir, 'recent', entry.cached), opts.bytes);
    }
    list.unshift(entry);
    for (const dropped of list.slice(MAX_RECENT))
      if (dropped.cached)
        // A dropped copy may still be open (a lazily loaded archive): some systems refuse to delete it; it goes next time.
        await rm(join(this.dataDir, 'recent', dropped.cached), { force: true }).catch(() => undefined);
    await this.write(list.slice(0, MAX_RECENT));
  }

  /** Where an entry's file is on disk (its path, or the cached copy), or undefined when it is gone. */
  async locate(id: string): Promise<{ fileName: string; path?: string; file: string } | undefined> {
    const e = (await this.read()).find((x) => x.id === id);
    if (!e) return undefined;
    const file = e.path ?? (e.cached ? join(this.dataDir, 'recent', e.cached) : undefined);
    if (!file) return undefined;
    try {
      if (!(await stat(file)).isFile()) return undefined;
    } catch {
      return undefined;
    }
    return { fileName: e.fileName, path: e.path, file };
  }

  /** The bytes and name of an entry, or undefined when it is gone. */
  async load(id: string): Promise<{ fileName: string; path?: string; bytes: Uint8Array } | undefined> {
    const e = (await this.read()).find((x) => x.id === id);
    if (!e) return undefined;
    const file = e.path ?? (e.cached ? join(this.dataDir, 'recent', e.cached) : undefined);
    if (!file) return undefined;
    try {
      return { fileName: e.fileName, path: e.path, bytes: new Uint8Array(await readFile(file)) };
    } catch {
      return undefined;
    }
  }
}
