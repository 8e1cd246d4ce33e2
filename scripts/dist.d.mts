/** Types of dist.mjs (plain JavaScript: `npm start` runs it without TypeScript). */
export declare const ROOT: string;
export interface Build {
  key: string;
  files: Record<string, string>;
}
export declare function wantedBuild(root?: string): Build;
export declare function isCurrent(opts?: { root?: string; outDir?: string }): boolean;
export declare function build(opts?: {
  root?: string;
  outDir?: string;
  log?: (line: string) => void;
}): { built: false } | { built: true; transpiled: number; reused: number };
