import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { HISTORY_COLUMNS, TOKEN_COLUMNS, toHistoryRow, toTokenRow } from '../domain/token-csv.js';
import type { TokenInventory } from '../store/inventory.js';
import type { TokenStore } from '../store/tokens.js';

export interface ExportOptions {
  inventory: TokenInventory;
  tokens: TokenStore;
  output: Writable;
  /** One row per history event instead of one row per token. */
  history?: boolean;
  onProgress?: (progress: { done: number; total: number }) => void;
  pageSize?: number;
}

/**
 * Writes every token (oldest first) as CSV: with `history`, one row per event of each token's
 * history; otherwise one row per token in the import format, so an export can be imported
 * into another Redis. Cells that a spreadsheet would run as a formula are prefixed with '.
 */
export async function exportTokens(opts: ExportOptions): Promise<{ tokens: number; rows: number }> {
  const { inventory, tokens, output, history = false, onProgress, pageSize = 500 } = opts;
  const columns = history ? HISTORY_COLUMNS : TOKEN_COLUMNS;
  const total = await inventory.count();
  let done = 0;
  let rows = 0;
  await write(output, stringify([], { header: true, columns: [...columns] }));
  for await (const page of inventory.pages(pageSize)) {
    const records = history
      ? (await Promise.all(page.map(async (token) => (await tokens.history(token.id)).map((event) => toHistoryRow(token, event))))).flat()
      : page.map(toTokenRow);
    await write(output, stringify(records, { columns: [...columns] }));
    rows += records.length;
    done += page.length;
    onProgress?.({ done, total });
  }
  return { tokens: done, rows };
}

async function write(output: Writable, chunk: string): Promise<void> {
  if (chunk !== '' && !output.write(chunk)) await once(output, 'drain');
}
