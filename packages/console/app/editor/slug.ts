import { WORKFLOW_SLUG_PATTERN } from '@weft/contract';

export { WORKFLOW_SLUG_PATTERN };

export const WORKFLOW_SLUG = new RegExp(WORKFLOW_SLUG_PATTERN);
