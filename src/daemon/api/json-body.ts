/**
 * Limits on request bodies. Every part of the daemon that walks an app definition (validation,
 * merging, views, JSON.stringify on the way to the store and out) recurses, so a body nested a few
 * thousand levels deep overflows the stack wherever it goes next; and a body of any size would be
 * held in memory whole. Both are refused before anything else reads them.
 */
import { MAX_JSON_DEPTH } from '../../core/json-checks.js';
import { ApiError } from '../model/api-error.js';

/** The largest request body read (Marathon's store, ZooKeeper, caps a node at 1 MiB too). */
export const MAX_BODY_BYTES = 1024 * 1024;
// Real app definitions nest about ten levels: the bound packages and options files have too.
export { MAX_JSON_DEPTH };

/**
 * The offset where `text` first nests deeper than `max` arrays and objects, or -1. A linear scan
 * that skips strings (and their escapes), so it cannot itself overflow on any input.
 */
export function depthExceededAt(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}

/** Parses a request body, answering 400 the way Marathon does for malformed JSON. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  const at = depthExceededAt(text, MAX_JSON_DEPTH);
  if (at >= 0) {
    throw new ApiError(400, { message: 'Invalid JSON', details: `The document is nested deeper than ${MAX_JSON_DEPTH} levels (at offset ${at})` });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, { message: 'Invalid JSON', details: (err as Error).message });
  }
}

export function bodyTooLarge(): ApiError {
  return new ApiError(413, { message: `Request body is larger than 1 MiB (${MAX_BODY_BYTES} bytes), the most this cluster reads` });
}
