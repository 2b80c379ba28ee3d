import { TEMPLATES } from '@weft/core';
import { templateDefinition } from '../editor/templates';
import { Link } from '../navigation';

/** New Workflow: the templates (seed 000's two, image-generate-v1, Blank) to start from. */
export function NewWorkflowPage() {
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={{ page: 'workflows' }}>Workflows</Link> › New
          </p>
          <h1>New workflow</h1>
          <p className="muted">Start from a working pipeline, or from a blank canvas.</p>
        </div>
      </header>
      <ul className="template-grid">
        {TEMPLATES.map((template) => {
          const definition = templateDefinition(template);
          const nodes = Object.entries(definition.dag.nodes);
          return (
            <li key={template.slug} className="template-card">
              <h2>
                <Link to={{ page: 'template', template: template.slug }}>
                  {template.slug === 'image-generate-v1'
                    ? `${template.name} (image-generate-v1)`
                    : template.name}
                </Link>
              </h2>
              <p>{template.description}</p>
              <p className="muted small">
                {nodes.length === 0
                  ? 'No nodes yet'
                  : nodes.map(([id, node]) => `${id} (${node.task})`).join(' · ')}
              </p>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
