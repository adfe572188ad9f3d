import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// public/ sits beside src/ and dist/, so the same relative path works from TypeScript and compiled JS.
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/**
 * Loads public/ once at start: a fixed name -> content map, so no request path ever reaches the file system
 * (no traversal to guard against) and assets work without a CDN.
 */
export function loadAssets(dir: string = PUBLIC_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) assets.set(name, { body: readFileSync(join(dir, name), 'utf8'), contentType });
  }
  return assets;
}
