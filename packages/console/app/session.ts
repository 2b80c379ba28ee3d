/**
 * The API key lives in sessionStorage only: it is gone when the tab closes, and it is never
 * written to localStorage, cookies or URLs.
 */
const STORAGE_KEY = 'weft.console.apiKey';

export function storedApiKey(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeApiKey(apiKey: string): void {
  sessionStorage.setItem(STORAGE_KEY, apiKey);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
