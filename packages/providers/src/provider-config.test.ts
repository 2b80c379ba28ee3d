import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderConfigError, readProviderConfig, routeModel } from './provider-config';

function routesFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'weft-providers-')), 'providers.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('readProviderConfig', () => {
  it('runs everything locally when nothing is configured', () => {
    const config = readProviderConfig({});
    expect(config.openai).toBeUndefined();
    expect(config.fal).toBeUndefined();
    expect(config.defaults).toEqual({
      imageModel: 'local/prompt-card',
      textModel: 'local/template',
      embeddingModel: 'local/feature-hashing',
    });
    expect(routeModel(config, 'openai', 'gpt-4o-mini', {})).toEqual({
      provider: 'local',
      model: 'gpt-4o-mini',
    });
  });

  it('configures a provider from its key alone, on the provider’s public URL', () => {
    const config = readProviderConfig({ OPENAI_API_KEY: 'sk-1', FAL_KEY: 'fal-1' });
    expect(config.openai).toEqual({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-1' });
    expect(config.fal).toEqual({ baseUrl: 'https://queue.fal.run', apiKey: 'fal-1' });
    expect(config.defaults.imageModel).toBe('fal-ai/flux/schnell');
    expect(config.defaults.textModel).toBe('gpt-4o-mini');
  });

  it('takes a keyless base URL (vLLM, Ollama) and trims trailing slashes', () => {
    const config = readProviderConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1/' });
    expect(config.openai).toEqual({ baseUrl: 'http://localhost:11434/v1' });
    expect(routeModel(config, 'openai', 'llama3', {})).toEqual({
      provider: 'openai',
      model: 'llama3',
      endpoint: { baseUrl: 'http://localhost:11434/v1' },
    });
  });

  it('refuses base URLs that cannot work, without echoing credentials', () => {
    expect(() => readProviderConfig({ OPENAI_BASE_URL: 'not a url' })).toThrow(ProviderConfigError);
    expect(() => readProviderConfig({ FAL_BASE_URL: 'ftp://fal.example' })).toThrow(/http/);
    const error = (() => {
      try {
        readProviderConfig({ OPENAI_BASE_URL: 'https://user:hunter2@api.example/v1' });
      } catch (thrown) {
        return thrown as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/credentials/);
    expect(error?.message).not.toContain('hunter2');
    expect(() => readProviderConfig({ FAL_POLL_INTERVAL_MS: '0' })).toThrow(/FAL_POLL_INTERVAL_MS/);
  });

  it('routes models by the providers file, with keys from the variables it names', () => {
    const file = routesFile({
      models: {
        'Qwen/Qwen3.5-4B': {
          provider: 'openai',
          baseUrl: 'http://vllm.internal:8000/v1',
          apiKeyEnv: 'VLLM_KEY',
          model: 'qwen3.5-4b-instruct',
        },
        'gpt-4o': { provider: 'local' },
        'fal-ai/flux/dev': { provider: 'fal' },
      },
    });
    const env = { WEFT_PROVIDERS_FILE: file, OPENAI_API_KEY: 'sk-main', VLLM_KEY: 'vllm-secret' };
    const config = readProviderConfig(env);
    expect(routeModel(config, 'openai', 'Qwen/Qwen3.5-4B', env)).toEqual({
      provider: 'openai',
      model: 'qwen3.5-4b-instruct',
      endpoint: { baseUrl: 'http://vllm.internal:8000/v1', apiKey: 'vllm-secret' },
    });
    expect(routeModel(config, 'openai', 'gpt-4o', env)).toEqual({
      provider: 'local',
      model: 'gpt-4o',
    });
    expect(routeModel(config, 'openai', 'gpt-4.1-mini', env)).toMatchObject({
      provider: 'openai',
      endpoint: { apiKey: 'sk-main' },
    });
    expect(routeModel(config, 'openai', 'local/template', env).provider).toBe('local');
    // Routed to fal, which has no base URL here.
    expect(() => routeModel(config, 'fal', 'fal-ai/flux/dev', env)).toThrow(/no base URL/);
  });

  it('refuses a providers file that holds a key, or that is malformed', () => {
    expect(() =>
      readProviderConfig({
        WEFT_PROVIDERS_FILE: routesFile({ models: { m: { provider: 'openai', apiKey: 'sk-x' } } }),
      }),
    ).toThrow(/apiKeyEnv/);
    expect(() =>
      readProviderConfig({ WEFT_PROVIDERS_FILE: routesFile({ models: { m: { provider: 'x' } } }) }),
    ).toThrow(/provider must be/);
    expect(() => readProviderConfig({ WEFT_PROVIDERS_FILE: routesFile('{oops') })).toThrow(
      /cannot be read as JSON/,
    );
    expect(() =>
      readProviderConfig({ WEFT_PROVIDERS_FILE: '/nonexistent/providers.json' }),
    ).toThrow(ProviderConfigError);
  });
});
