// Used by validate-schemas.ts. Validates Kubernetes objects against the Kubernetes OpenAPI schemas shipped by the npm package
// kubernetes-models (one model class per apiVersion and kind, each with validate()). An ES module
// run as a child process (kubernetes-models is ESM only; the tests run under Jest's CommonJS).
// stdin: a JSON array of objects. stdout: a JSON array of { index, id, error } for the invalid ones.
// An apiVersion/kind without a model is an error too: nothing passes unchecked.
const input = await new Promise((resolve, reject) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
  process.stdin.on('error', reject);
});
const objects = JSON.parse(input);
const problems = [];
for (const [index, object] of objects.entries()) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : [undefined, object.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    problems.push({ index, id, error: `no schema for ${object.apiVersion} ${object.kind} (${module})` });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ index, id, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(problems));
