// The NDJSON file sink: one OCSF event a line, appended. A retried delivery appends only the events the
// file does not hold yet (matched on metadata.uid), so the file has each event once even though
// delivery is at least once.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EvidenceSink } from './sink.ts';

export function createNdjsonFileSink(options: { path: string }): EvidenceSink {
  return {
    name: 'ndjson',
    async deliver({ events }) {
      let existing = '';
      try {
        existing = await readFile(options.path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await mkdir(dirname(options.path), { recursive: true });
      }
      const have = new Set<string>();
      for (const line of existing.split('\n')) {
        if (!line.trim()) continue;
        try {
          const uid = (JSON.parse(line) as { metadata?: { uid?: unknown } }).metadata?.uid;
          if (typeof uid === 'string') have.add(uid);
        } catch {
          // A line cut short by a crash mid-append: not an event; its event is written again below.
        }
      }
      const missing = events.filter((e) => !have.has(e.metadata.uid));
      if (!missing.length) return;
      // Start on a fresh line if a crash left the last one unterminated.
      const lead = existing && !existing.endsWith('\n') ? '\n' : '';
      await appendFile(options.path, lead + missing.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
    },
  };
}
