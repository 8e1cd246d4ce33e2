/** Row shape of the generated operations table (src/domain/operations.generated.ts). */

/** HTTP methods used by the Bitbucket Cloud REST API spec. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/**
 * `[method, path template, summary, tag, scopes, deprecated?]`. `scopes` are all required
 * (empty when the spec lists none); a trailing 1 marks an operation the spec deprecates.
 */
export type OperationRow = readonly [method: string, path: string, summary: string, tag: string, scopes: readonly string[], deprecated?: 1];
