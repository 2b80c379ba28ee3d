import { NonRetriableStepError } from '@weft/core';
import { localProvider, type ResolvedRoute } from '@weft/providers';
import { loadMedia, providerReadableUrl, storeMedia } from './media';
import { falClient, localCannot, modelOf, openAiClient, route } from './provider-calls';
import type { StepContext, StepHandler } from '@weft/worker';
import type { StepServices } from './step-services';

interface Size {
  width: number;
  height: number;
}

interface ImageFile extends Partial<Size> {
  url: string;
  content_type: string;
}

/** fal's preset sizes, so the local provider draws what the preset asks for. */
const PRESET_SIZES: Record<string, Size> = {
  square_hd: { width: 1024, height: 1024 },
  square: { width: 512, height: 512 },
  portrait_4_3: { width: 768, height: 1024 },
  portrait_16_9: { width: 576, height: 1024 },
  landscape_4_3: { width: 1024, height: 768 },
  landscape_16_9: { width: 1024, height: 576 },
};

function sizeOf(imageSize: unknown): Size {
  if (typeof imageSize === 'string') return PRESET_SIZES[imageSize] ?? PRESET_SIZES.landscape_4_3!;
  if (typeof imageSize === 'object' && imageSize !== null) return imageSize as Size;
  return PRESET_SIZES.landscape_4_3!;
}

function parseSize(size: string | undefined): Size {
  const [width, height] = (size ?? '1024x1024').split('x').map(Number);
  if (!width || !height || width < 64 || height < 64 || width > 4096 || height > 4096) {
    throw new NonRetriableStepError('invalid_input', `size "${size}" must be 64x64 to 4096x4096`);
  }
  return { width, height };
}

/** The local provider's images: prompt cards, rendered (not generated) and kept as artifacts. */
async function renderCards(
  services: StepServices,
  context: StepContext,
  prompt: string,
  size: Size,
  count: number,
  seed: number,
): Promise<ImageFile[]> {
  const { renderPromptCard } = await localProvider();
  const images: ImageFile[] = [];
  for (let i = 0; i < count; i++) {
    const png = renderPromptCard(prompt, { ...size, seed: seed + i });
    const { url } = await storeMedia(services, context, png, 'image/png');
    images.push({ url, ...size, content_type: 'image/png' });
  }
  return images;
}

/** OpenAI-compatible image generation; base64 answers become artifacts, URLs pass through. */
async function openAiImages(
  services: StepServices,
  context: StepContext,
  target: ResolvedRoute,
  prompt: string,
  size: Size,
  count: number,
): Promise<ImageFile[]> {
  const client = openAiClient(target.endpoint!);
  const response = await client.imageGeneration(
    { model: target.model, prompt, n: count, size: `${size.width}x${size.height}` },
    { signal: context.signal, idempotencyKey: context.idempotencyKey },
  );
  const images: ImageFile[] = [];
  for (const image of response.data) {
    if (image.b64_json) {
      const bytes = Buffer.from(image.b64_json, 'base64');
      const { url } = await storeMedia(services, context, bytes, 'image/png');
      images.push({ url, ...size, content_type: 'image/png' });
    } else if (image.url) {
      images.push({ url: image.url, ...size, content_type: 'image/png' });
    }
  }
  if (images.length === 0) {
    throw new NonRetriableStepError('provider_bad_response', 'the provider returned no images');
  }
  return images;
}

/**
 * A fal model's images, with the requested size (when there was one) and type filled in where the
 * model leaves them out.
 */
async function falImages(
  services: StepServices,
  context: StepContext,
  target: ResolvedRoute,
  input: Record<string, unknown>,
  size: Size | undefined,
): Promise<{ images: ImageFile[]; seed?: number }> {
  const client = falClient(target.endpoint!, services.providers.falPollIntervalMs);
  const result = (await client.run(target.model, input, {
    signal: context.signal,
    idempotencyKey: context.idempotencyKey,
  })) as { images?: Partial<ImageFile>[]; seed?: number };
  if (!Array.isArray(result.images) || result.images.length === 0) {
    throw new NonRetriableStepError('provider_bad_response', 'the model returned no images');
  }
  return {
    images: result.images.map((image) => {
      const width = image.width ?? size?.width;
      const height = image.height ?? size?.height;
      return {
        url: String(image.url),
        ...(width !== undefined ? { width } : {}),
        ...(height !== undefined ? { height } : {}),
        content_type: image.content_type ?? 'image/png',
      };
    }),
    ...(typeof result.seed === 'number' ? { seed: result.seed } : {}),
  };
}

/** fal/text-to-image, fal/image-to-image, image_generate and enrich_image. */
export function imageStepHandlers(services: StepServices): Record<string, StepHandler> {
  return {
    'fal/text-to-image': async (inputs, context) => {
      const modelId = modelOf(context, 'fal/text-to-image');
      const target = route(services, 'fal', modelId);
      const size = sizeOf(inputs.image_size);
      const count = (inputs.num_images as number | undefined) ?? 1;
      const prompt = inputs.prompt as string;
      if (target.provider === 'fal') return falImages(services, context, target, inputs, size);
      const seed = (inputs.seed as number | undefined) ?? 0;
      const images =
        target.provider === 'openai'
          ? await openAiImages(services, context, target, prompt, size, count)
          : await renderCards(services, context, prompt, size, count, seed);
      return { images, seed };
    },

    'fal/image-to-image': async (inputs, context) => {
      const modelId = modelOf(context, 'fal/image-to-image');
      const target = route(services, 'fal', modelId);
      if (target.provider !== 'fal') return localCannot('fal/image-to-image', 'fal', 'edit images');
      const imageUrl = await providerReadableUrl(services, context, inputs.image_url as string);
      return falImages(
        services,
        context,
        target,
        { ...inputs, image_url: imageUrl },
        {
          width: 0,
          height: 0,
        },
      );
    },

    image_generate: async (inputs, context) => {
      const modelId = context.model_id ?? services.providers.defaults.imageModel;
      const target = route(services, 'fal', modelId);
      const size = parseSize(inputs.size as string | undefined);
      const count = (inputs.n as number | undefined) ?? 1;
      const prompt = inputs.prompt as string;
      if (target.provider === 'fal') {
        const { images } = await falImages(
          services,
          context,
          target,
          { prompt, image_size: size, num_images: count },
          size,
        );
        return { images };
      }
      const images =
        target.provider === 'openai'
          ? await openAiImages(services, context, target, prompt, size, count)
          : await renderCards(services, context, prompt, size, count, 0);
      return { images };
    },

    // Always local: it reads facts from the image's own bytes, which no provider is needed for.
    enrich_image: async (inputs, context) => {
      const media = await loadMedia(services, context, inputs.image_url as string);
      return (await localProvider()).describeImage(media.bytes);
    },
  };
}
