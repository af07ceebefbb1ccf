import type { OpenApiDocument } from './openapi';

/**
 * Renders the OpenAPI document as one self-contained HTML page (no scripts, no CDN): the API's
 * description, every operation grouped by tag with its parameters, body and answers, and the
 * component schemas as JSON. Generated from the document, so it says what /openapi.json says.
 */
const escapeHtml = (value: unknown): string =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const refName = (value: unknown): string | undefined => {
  const ref = (value as { $ref?: unknown } | undefined)?.$ref;
  return typeof ref === 'string' ? ref.split('/').at(-1) : undefined;
};

const schemaLink = (schema: unknown): string => {
  const name = refName(schema);
  return name
    ? `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`
    : `<code>${escapeHtml(JSON.stringify(schema))}</code>`;
};

/** Markdown-ish text to HTML: paragraphs, `## ` headings, `- ` lists and `code` spans only. */
function prose(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const inline = (line: string) => escapeHtml(line).replace(/`([^`]+)`/g, '<code>$1</code>');
      if (block.startsWith('## ')) return `<h3>${inline(block.slice(3))}</h3>`;
      const lines = block.split('\n');
      if (lines.every((line) => line.startsWith('- '))) {
        return `<ul>${lines.map((line) => `<li>${inline(line.slice(2))}</li>`).join('')}</ul>`;
      }
      return `<p>${inline(block.replace(/\n/g, ' '))}</p>`;
    })
    .join('\n');
}

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: unknown;
  }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

function renderOperation(method: string, path: string, operation: Operation): string {
  const parameters = operation.parameters ?? [];
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(operation.responses ?? {});
  return `
<section class="op" id="op-${escapeHtml(operation.operationId)}">
  <h4><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code> ${escapeHtml(operation.summary)}</h4>
  ${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}
  <p class="auth">${operation.security && operation.security.length === 0 ? 'No authentication.' : 'Authentication: Bearer JWT or X-API-Key.'}</p>
  ${
    parameters.length > 0
      ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr>${parameters
          .map(
            (parameter) =>
              `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td><td>${parameter.required ? 'yes' : 'no'}</td><td>${schemaLink(parameter.schema)}</td><td>${escapeHtml(parameter.description)}</td></tr>`,
          )
          .join('')}</table>`
      : ''
  }
  ${body ? `<p>Body (application/json): ${schemaLink(body)}</p>` : ''}
  <table><tr><th>Status</th><th>Description</th><th>Body</th></tr>${responses
    .map(([status, response]) => {
      const content = Object.entries(response.content ?? {})[0];
      return `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(response.description)}</td><td>${content ? `${escapeHtml(content[0])} ${schemaLink(content[1].schema)}` : ''}</td></tr>`;
    })
    .join('')}</table>
</section>`;
}

export function renderDocsPage(document: OpenApiDocument): string {
  const info = document['info'] as { title: string; version: string; summary?: string; description?: string };
  const tags = (document['tags'] as Array<{ name: string; description?: string }> | undefined) ?? [];
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      path,
      method,
      operation: operation as Operation,
    })),
  );
  const sections = tags
    .map((tag) => {
      const inTag = operations.filter(({ operation }) => operation.tags?.[0] === tag.name);
      return `<h2 id="tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</h2>
<p>${escapeHtml(tag.description)}</p>
${inTag.map(({ path, method, operation }) => renderOperation(method, path, operation)).join('\n')}`;
    })
    .join('\n');
  const schemas = Object.entries(document.components.schemas)
    .map(
      ([name, schema]) =>
        `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2430; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f4f6f8; padding: .75rem; overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; width: 100%; }
th, td { border: 1px solid #d6dbe1; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.op { border-top: 1px solid #d6dbe1; padding-top: .5rem; }
.method { display: inline-block; min-width: 4.5rem; color: #fff; border-radius: 3px; padding: 0 .4rem; font-size: 13px; }
.get { background: #2f6f3e; } .post { background: #1f5fa8; } .delete { background: #a83232; }
.auth { color: #5a6472; font-size: 13px; }
</style>
</head>
<body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.summary)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}).</p>
${prose(info.description ?? '')}
<nav><ul>${tags.map((tag) => `<li><a href="#tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</a></li>`).join('')}</ul></nav>
${sections}
<h2 id="schemas">Schemas</h2>
${schemas}
</body>
</html>
`;
}
