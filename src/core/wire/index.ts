/** The wire layer: deterministic CBOR, the shared frame envelope, body schemas. Imports only `src/lib`. */
export * from './errors.ts';
export * from './cbor.ts';
export * from './frame.ts';
export * from './schema.ts';
