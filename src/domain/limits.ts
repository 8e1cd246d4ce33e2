/**
 * Numeric limits shared by presets and validation. Kept in their own module so presets.ts
 * and validation.ts can both use them without importing each other (a cycle in ESM can
 * leave a constant uninitialised at load time).
 */

/** Longest token name we accept (fits a Slack plain_text_input and Atlassian's name field). */
export const NAME_MAX = 100;

/** Longest free-text purpose (Slack plain_text_input max_length is 3000). */
export const PURPOSE_MAX = 3000;

/** Bitbucket workspace IDs are at most 62 characters. */
export const WORKSPACE_MAX = 62;

/** Atlassian allows an API token to live 1 to 365 days. */
export const MIN_EXPIRY_DAYS = 1;
/** Atlassian allows an API token to live 1 to 365 days. */
export const MAX_EXPIRY_DAYS = 365;
/** Suggested lifetime: long enough to be practical, short enough to be rotated regularly. */
export const DEFAULT_EXPIRY_DAYS = 90;

/** "Stored in": at most this many places, one per line. */
export const PLACES_MAX = 5;
/** "Stored in": the longest place, e.g. "Bitbucket Pipelines variable DEEPTRAQ_TOKEN in acme/web". */
export const PLACE_MAX = 150;

/** Co-owners: at most this many people besides the owner get a token's reminders. */
export const CO_OWNERS_MAX = 5;
