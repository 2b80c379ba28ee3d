import { DISPLAY_NAME_PATTERN, DISPLAY_TEXT_PATTERN } from '@weft/contract';

// The patterns are the API's (@weft/contract), which says why they refuse what they refuse.
export { DISPLAY_NAME_PATTERN, DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE } from '@weft/contract';

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
