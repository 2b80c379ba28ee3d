/**
 * Text people read — names and descriptions in the console, the CLI and logs — must show what it
 * says. Control characters can rewrite a terminal line or hide in a log; bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make one name display as another.
 * Marks (U+200E, U+200F) only set direction and stay allowed, as right-to-left names need them.
 */
const BIDI_CONTROLS = '\\u202A-\\u202E\\u2066-\\u2069';

/** A single-line name: no C0 or C1 control character, no bidirectional control. */
export const DISPLAY_NAME_PATTERN = `^[^\\u0000-\\u001F\\u007F-\\u009F${BIDI_CONTROLS}]*$`;

/** A description: as a name, but tabs and line breaks allowed. */
export const DISPLAY_TEXT_PATTERN = `^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${BIDI_CONTROLS}]*$`;

/** How schemas and messages describe the refusal. */
export const DISPLAY_TEXT_RULE =
  'text without control characters or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)';

const NAME = new RegExp(DISPLAY_NAME_PATTERN, 'u');
const TEXT = new RegExp(DISPLAY_TEXT_PATTERN, 'u');

/** Whether `name` is fit to show as a single-line name. */
export function isDisplayName(name: string): boolean {
  return NAME.test(name);
}

/** Whether `text` is fit to show as a description. */
export function isDisplayText(text: string): boolean {
  return TEXT.test(text);
}
