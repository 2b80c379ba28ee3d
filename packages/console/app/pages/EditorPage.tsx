import { useEffect, useRef, useState } from 'react';
import { getTemplate } from '@weft/core';
import { errorMessage, useApi } from '../api-context';
import { Editor, type EditorStart } from '../editor/Editor';
import { templateDefinition } from '../editor/templates';
import { Link, useNavigation } from '../navigation';
import { ErrorAlert } from '../ui/ErrorAlert';

/**
 * The editor page: a saved workflow's latest version, or a new one from a template. After the
 * first save the URL becomes the workflow's, without reloading the editor.
 */
export function EditorPage({ slug, template }: { slug?: string; template?: string }) {
  const api = useApi();
  const { navigate } = useNavigation();
  const [start, setStart] = useState<{ key: number; value: EditorStart }>();
  const [error, setError] = useState<string>();
  const [taken, setTaken] = useState<ReadonlySet<string>>(new Set());
  // The slug the open editor saved under: the URL then names it, and nothing is to be loaded.
  const savedSlug = useRef<string>(undefined);
  const loads = useRef(0);

  useEffect(() => {
    let current = true;
    api
      .listWorkflows()
      .then(
        (list) => current && setTaken(new Set(list.filter((w) => !w.builtIn).map((w) => w.slug))),
      )
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api]);

  useEffect(() => {
    if (slug !== undefined && slug === savedSlug.current) return;
    savedSlug.current = undefined;
    setError(undefined);
    if (template !== undefined) {
      const found = getTemplate(template);
      if (!found) {
        setError(`There is no template "${template}".`);
        return;
      }
      setStart({ key: ++loads.current, value: { definition: templateDefinition(found) } });
      return;
    }
    if (slug === undefined) return;
    let current = true;
    setStart(undefined);
    api
      .getWorkflow(slug)
      .then((version) => {
        if (!current) return;
        setStart({
          key: ++loads.current,
          value: {
            definition: version.definition,
            slug: version.slug,
            savedVersion: version.version,
            builtIn: version.builtIn,
          },
        });
      })
      .catch((failure: unknown) => current && setError(errorMessage(failure)));
    return () => {
      current = false;
    };
  }, [api, slug, template]);

  if (error) {
    return (
      <div className="page">
        <p className="breadcrumb">
          <Link to={{ page: 'workflows' }}>Workflows</Link>
        </p>
        <ErrorAlert message={error} />
      </div>
    );
  }
  if (!start) return <p className="page muted">Loading the workflow…</p>;
  return (
    <Editor
      key={start.key}
      start={start.value}
      takenSlugs={taken}
      onSaved={(saved) => {
        savedSlug.current = saved;
        if (saved !== slug)
          navigate({ page: 'editor', slug: saved }, { replace: true, force: true });
      }}
    />
  );
}
