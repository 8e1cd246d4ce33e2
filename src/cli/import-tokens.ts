import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { checkImportHeader, parseImportRow, type RowIssue } from '../domain/token-csv.js';
import type { TokenRecord } from '../domain/types.js';
import type { TokenStore } from '../store/tokens.js';

export interface ImportProgress {
  phase: 'validate' | 'write';
  done: number;
  /** Known in the write phase. */
  total?: number;
}

export interface ImportOptions {
  tokens: TokenStore;
  input: Readable;
  /** Shown in each token's `imported` history entry, e.g. the file's base name. */
  source: string;
  now: Date;
  /** Validate only; write nothing. */
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Rows between two progress reports. */
  progressEvery?: number;
}

export interface ImportReport {
  /** True when the file was valid (and, unless a dry run, written). */
  ok: boolean;
  rows: number;
  /** Tokens this run created. */
  created: number;
  /** Rows whose token already existed (an earlier import, or recorded in Slack): left untouched. */
  unchanged: number;
  /** Problems that refused the file, in line order. Never contain a cell that looked like a token. */
  issues: RowIssue[];
  warnings: RowIssue[];
}

// Tokens written at once: enough to fill a pipeline, few enough to keep memory flat.
const WRITE_BATCH = 100;

/**
 * Imports a token inventory CSV (see src/domain/token-csv.ts for the columns). The whole file
 * is read and validated first; if any row is bad nothing is written and every problem is
 * reported with its line. Then each token is created through TokenStore.create, which writes
 * nothing for an id that exists: re-importing a file changes nothing, and re-running an import
 * that Redis interrupted completes it.
 */
export async function importTokens(opts: ImportOptions): Promise<ImportReport> {
  const { tokens, input, source, now, dryRun = false, onProgress, progressEvery = 1000 } = opts;
  const report: ImportReport = { ok: false, rows: 0, created: 0, unchanged: 0, issues: [], warnings: [] };
  const valid: Array<{ token: TokenRecord; line: number }> = [];
  const firstLineOf = new Map<string, number>();
  let columns: string[] | undefined;

  const parser = input.pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!columns) {
        const header = checkImportHeader(record);
        if ('issues' in header) {
          report.issues.push(...header.issues);
          return report;
        }
        columns = header.columns;
        continue;
      }
      report.rows += 1;
      if (report.rows % progressEvery === 0) onProgress?.({ phase: 'validate', done: report.rows });
      if (record.length !== columns.length) {
        report.issues.push({ line, message: `has ${record.length} cells but the header has ${columns.length} columns` });
        continue;
      }
      const cells = Object.fromEntries(columns.map((c, i) => [c, record[i] ?? '']));
      const row = parseImportRow(cells, line, now);
      if ('issues' in row) {
        report.issues.push(...row.issues);
        continue;
      }
      report.warnings.push(...row.warnings);
      const first = firstLineOf.get(row.token.id);
      if (first !== undefined) {
        report.issues.push({ line, message: `duplicates line ${first} (same id, or same owner_id, name, workspace and expires_on)` });
        continue;
      }
      firstLineOf.set(row.token.id, line);
      valid.push({ token: row.token, line });
    }
  } catch (err) {
    // csv-parse messages quote the offending text, which may be a token: report the code only.
    const { code, lines } = err as { code?: string; lines?: number };
    report.issues.push({ line: lines ?? 0, message: `is not valid CSV (${code ?? 'parse error'}): check the quotes on this line` });
    return report;
  }
  if (!columns) report.issues.push({ line: 1, message: 'the file is empty: the first line must name the columns' });
  if (report.issues.length > 0 || dryRun) {
    report.ok = report.issues.length === 0;
    return report;
  }

  for (let i = 0; i < valid.length; i += WRITE_BATCH) {
    const batch = valid.slice(i, i + WRITE_BATCH);
    const results = await Promise.all(
      batch.map(({ token, line }) => tokens.create(token, { at: now.getTime(), type: 'imported', detail: `${source} line ${line}` })),
    );
    for (const created of results) {
      if (created) report.created += 1;
      else report.unchanged += 1;
    }
    const done = i + batch.length;
    if (Math.floor(done / progressEvery) > Math.floor(i / progressEvery) || done === valid.length) {
      onProgress?.({ phase: 'write', done, total: valid.length });
    }
  }
  report.ok = true;
  return report;
}
