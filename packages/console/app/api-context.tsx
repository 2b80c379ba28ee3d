import { createContext, useContext } from 'react';
import type { WeftApi } from './api/weft-api';

/** The API client of the signed-in session. */
export const ApiContext = createContext<WeftApi | undefined>(undefined);

export function useApi(): WeftApi {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error('useApi outside a signed-in session');
  return api;
}

/** An error as a sentence for the page. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
