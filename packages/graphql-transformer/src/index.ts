/** The transform (filled in by the transformer modules). */
export const TRANSFORMER_VERSION = '0.1.0';
