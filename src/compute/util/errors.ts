/** Errors raised by the landscape computations: a stable code, a readable message, and where in the input. */

export type LandscapeErrorCode =
  | 'bad-option'
  | 'bad-grid'
  | 'grid-too-large'
  | 'unknown-ion'
  | 'missing-oxidation'
  | 'missing-bvse-pair'
  | 'missing-radius'
  | 'no-anion'
  | 'no-framework'
  | 'method-unavailable'
  | 'model-missing'
  | 'too-large'
  | 'disordered-structure'
  | 'no-mobile-ion';

/** Where an error comes from in the structure: the CIF site label and its 1-based line (as editors count), when known. */
export interface LandscapeErrorLocation {
  siteLabel?: string;
  line?: number;
  element?: string;
  oxidation?: number | null;
}

export class LandscapeError extends Error {
  override name = 'LandscapeError';
  constructor(
    readonly code: LandscapeErrorCode,
    message: string,
    readonly at?: LandscapeErrorLocation,
  ) {
    super(message);
  }
}

/** The one cancellation error, end to end: thrown when an AbortSignal fires; `name` is 'AbortError' like the DOM's. */
export class CancelledError extends Error {
  override name = 'AbortError';
  constructor(message = 'Landscape computation cancelled.') {
    super(message);
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
