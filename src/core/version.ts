import { readFileSync } from 'node:fs';

declare const __DCOS_VERSION__: string | undefined;

/** The CLI's version: baked in by the bundler, read from package.json when running from source. */
export const VERSION: string =
  typeof __DCOS_VERSION__ === 'string'
    ? __DCOS_VERSION__
    : (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
        .version;
