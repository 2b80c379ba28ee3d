import { useEffect, useState } from 'react';
import { useApi } from '../api-context';
import { artifactPath, type MediaKind, type MediaReference } from './media';

function MediaElement({ kind, src, label }: { kind: MediaKind; src: string; label: string }) {
  switch (kind) {
    case 'image':
      return <img src={src} alt={label} className="media-image" loading="lazy" />;
    case 'audio':
      return <audio src={src} controls aria-label={label} className="media-audio" />;
    case 'video':
      return <video src={src} controls aria-label={label} className="media-video" />;
  }
}

function kindOfBlob(blob: Blob): MediaKind | undefined {
  const major = blob.type.split('/')[0];
  return major === 'image' || major === 'audio' || major === 'video' ? major : undefined;
}

/**
 * An artifact of the app, shown from its bytes: artifact URLs need the API key, which an
 * `<img src>` cannot send, so they are fetched and shown from a blob URL.
 */
function ArtifactPreview({ path, label }: { path: string; label: string }) {
  const api = useApi();
  const [shown, setShown] = useState<{ src: string; kind: MediaKind | undefined; size: number }>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    const controller = new AbortController();
    let url: string | undefined;
    api
      .artifact(path, controller.signal)
      .then((blob) => {
        url = URL.createObjectURL(blob);
        setShown({ src: url, kind: kindOfBlob(blob), size: blob.size });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setFailed((error as Error).message);
      });
    return () => {
      controller.abort();
      if (url !== undefined) URL.revokeObjectURL(url);
    };
  }, [api, path]);
  if (failed)
    return (
      <p className="hint hint-error">
        Could not load {path}: {failed}
      </p>
    );
  if (!shown) return <p className="hint">Loading {label}…</p>;
  return (
    <figure className="media">
      {shown.kind ? (
        <MediaElement kind={shown.kind} src={shown.src} label={label} />
      ) : (
        <p className="hint">A file of {shown.size} bytes.</p>
      )}
      <figcaption>
        <a href={shown.src} download={path.split('/').pop()}>
          Download
        </a>{' '}
        <span className="muted mono">{path}</span>
      </figcaption>
    </figure>
  );
}

/**
 * A media URL of a node's output, shown rather than listed: the app's artifacts from their
 * bytes, https media directly; other URLs (plain http elsewhere, which the console's
 * Content-Security-Policy does not load) as links.
 */
export function MediaPreview({ media, label }: { media: MediaReference; label: string }) {
  const path = artifactPath(media.url);
  if (path !== undefined) return <ArtifactPreview path={path} label={label} />;
  if (media.kind === undefined) return null;
  if (media.url.startsWith('https://')) {
    return (
      <figure className="media">
        <MediaElement kind={media.kind} src={media.url} label={label} />
        <figcaption>
          <a href={media.url} target="_blank" rel="noreferrer noopener">
            Open {media.kind}
          </a>
        </figcaption>
      </figure>
    );
  }
  return (
    <p className="media-link">
      <a href={media.url} target="_blank" rel="noreferrer noopener">
        Open {media.kind}: {media.url}
      </a>
    </p>
  );
}
