import { NonRetriableStepError } from '@weft/core';
import { loadMedia, providerReadableUrl, storeMedia } from './media';
import { falClient, localCannot, modelOf, openAiClient, route } from './provider-calls';
import type { StepHandler } from '@weft/worker';
import type { StepServices } from './step-services';

/** Input fields that name media a fal model must be able to fetch. */
const MEDIA_FIELDS = ['image_url', 'audio_url', 'video_url'] as const;

const AUDIO_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/L16',
};

/** A fal video task: media inputs made readable to fal, then fal's queue until the clip is done. */
function falVideo(services: StepServices, task: string): StepHandler {
  return async (inputs, context) => {
    const modelId = modelOf(context, task);
    const target = route(services, 'fal', modelId);
    if (target.provider !== 'fal') return localCannot(task, 'fal', 'make video');
    const input: Record<string, unknown> = { ...inputs };
    for (const field of MEDIA_FIELDS) {
      if (typeof input[field] === 'string') {
        input[field] = await providerReadableUrl(services, context, input[field]);
      }
    }
    const client = falClient(target.endpoint!, services.providers.falPollIntervalMs);
    const result = (await client.run(target.model, input, {
      signal: context.signal,
      idempotencyKey: context.idempotencyKey,
    })) as { video?: { url?: unknown } };
    if (typeof result.video?.url !== 'string') {
      throw new NonRetriableStepError('provider_bad_response', 'the model returned no video url');
    }
    return result;
  };
}

function fileNameFor(contentType: string | undefined): string {
  const extension =
    Object.entries(AUDIO_TYPES).find(([, type]) => type === contentType)?.[0] ??
    contentType?.split('/')[1]?.replace(/[^a-z0-9]/g, '') ??
    'bin';
  return `audio.${extension === 'mpeg' ? 'mp3' : extension}`;
}

/** The video tasks (fal) and the audio tasks (OpenAI-compatible speech and transcription). */
export function mediaStepHandlers(services: StepServices): Record<string, StepHandler> {
  return {
    'fal/text-to-video': falVideo(services, 'fal/text-to-video'),
    'fal/image-to-video': falVideo(services, 'fal/image-to-video'),
    'fal/speech-to-video': falVideo(services, 'fal/speech-to-video'),
    'fal/video-interpolation': falVideo(services, 'fal/video-interpolation'),

    'openai/audio-speech': async (inputs, context) => {
      const modelId = modelOf(context, 'openai/audio-speech');
      const target = route(services, 'openai', modelId);
      if (target.provider !== 'openai') {
        return localCannot('openai/audio-speech', 'openai', 'synthesise speech');
      }
      const client = openAiClient(target.endpoint!);
      const format = (inputs.response_format as string | undefined) ?? 'mp3';
      const speech = await client.speech(
        {
          ...inputs,
          model: target.model,
          input: inputs.input as string,
          voice: inputs.voice as string,
          response_format: format,
        },
        { signal: context.signal, idempotencyKey: context.idempotencyKey },
      );
      const contentType = AUDIO_TYPES[format] ?? speech.contentType;
      const { url } = await storeMedia(services, context, speech.bytes, contentType);
      return { audio_url: url, content_type: contentType };
    },

    'openai/audio-transcription': async (inputs, context) => {
      const modelId = modelOf(context, 'openai/audio-transcription');
      const target = route(services, 'openai', modelId);
      if (target.provider !== 'openai') {
        return localCannot('openai/audio-transcription', 'openai', 'transcribe speech');
      }
      const audio = await loadMedia(services, context, inputs.audio_url as string);
      const client = openAiClient(target.endpoint!);
      return client.transcription(
        {
          model: target.model,
          file: audio.bytes,
          filename: fileNameFor(audio.contentType),
          contentType: audio.contentType ?? 'application/octet-stream',
          ...(typeof inputs.language === 'string' ? { language: inputs.language } : {}),
          ...(typeof inputs.prompt === 'string' ? { prompt: inputs.prompt } : {}),
        },
        { signal: context.signal, idempotencyKey: context.idempotencyKey },
      );
    },
  };
}
