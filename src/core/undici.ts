/** undici, loaded on first use. Bundled, its CommonJS module arrives as a default export. */
type Undici = typeof import('undici');

export async function loadUndici(): Promise<Undici> {
  const mod = (await import('undici')) as Undici & { default?: Undici };
  return mod.Agent ? mod : (mod.default as Undici);
}
