// Types of bin/build.js, for the tests that import it.
/** apps/server. */
export const SERVER_DIR: string;
/** Where builds go (apps/server/.build). */
export const BUILD_ROOT: string;
/** The newest modification time (ms) of `path` or anything under it; 0 when it does not exist. */
export function newest(path: string): number;
/** The name of the build of the sources as they are now: their newest change. */
export function sourcesStamp(): string;
/** The entry file of the build named `stamp` under `root`, compiling it first when it is not there. */
export function ensureBuild(o?: { root?: string; stamp?: string; now?: number }): Promise<string>;
