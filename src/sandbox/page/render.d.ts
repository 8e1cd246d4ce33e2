/** Types of render.js (plain ES module served to the browser as is). */
export interface RenderContext {
  emoji?: Record<string, string>;
  userName?: (id: string) => string;
  channelName?: (id: string) => string;
  /** People a users select lists, and channels a conversations select lists. */
  users?: Array<{ id: string; name: string }>;
  channels?: Array<{ id: string; name: string }>;
  idPrefix?: string;
  values?: Record<string, Record<string, string | string[] | null>>;
  errors?: Record<string, string>;
}
export const RENDERED_BLOCKS: string[];
export const RENDERED_ELEMENTS: string[];
export function escapeHtml(s: unknown): string;
export function emojify(html: string, ctx?: RenderContext): string;
export function mrkdwn(text: unknown, ctx?: RenderContext): string;
export function plainText(obj: unknown, ctx?: RenderContext): string;
export function textObject(obj: unknown, ctx?: RenderContext): string;
export function rawText(obj: unknown): string;
export function renderElement(el: unknown, where: Record<string, unknown>, ctx?: RenderContext): string;
export function renderBlock(block: unknown, index: number, ctx?: RenderContext): string;
export function renderBlocks(blocks: unknown, ctx?: RenderContext): string;
