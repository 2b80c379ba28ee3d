// The offline local provider: the default when no AI provider is configured. Every function here
// is pure or reads only the bytes it is given, and none of them pretends to be a model.
export { analyzeText, type TextAnalysis } from './analyze-text';
export { describeImage, type ImageDescription } from './describe-image';
export { embedText, MAX_EMBEDDING_DIMENSIONS } from './embed-text';
export {
  type ChatMessage,
  GENERATED_TEXT_NOTICE,
  generateText,
  type GenerateTextRequest,
} from './generate-text';
export {
  MODERATION_CATEGORIES,
  type ModerationCategory,
  type ModerationMatch,
  type ModerationResult,
  moderateText,
} from './moderate-text';
export {
  CARD_FOOTER,
  CARD_SIDE_LIMITS,
  type PromptCardOptions,
  promptCardSvg,
  renderPromptCard,
} from './render-prompt-card';
