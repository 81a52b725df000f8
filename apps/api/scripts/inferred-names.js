/**
 * A step of the server's bundle (bundle.js), apart so that its test can run it.
 */
const acorn = require('acorn');

/**
 * keepNames also wraps every function expression bound to a name, `f = __name(() => …, "f")`,
 * and the wrapper runs each time the closure is made. Where the function would take that very
 * name without it (bound to a variable, assigned to a name or set as a property of that
 * name, so that the language names it so), the wrapper only costs: its redefinition of
 * `name` turns each such closure into a dictionary-mode object (about ten per request, in
 * Fastify, pino-http, Nest and the server). Those wrappers are blanked out with spaces, so that
 * every column stays where the source map says. Only a binding esbuild renamed keeps its
 * wrapper.
 */
function inferredNamesUnwrapped(path, text) {
  const blanks = unneededWrappers(text);
  if (blanks.length === 0) {
    throw new Error(`${path} has no __name wrapper to take out, as this build expects`);
  }
  let out = '';
  let at = 0;
  for (const [start, end] of blanks) {
    out += text.slice(at, start) + ' '.repeat(end - start);
    at = end;
  }
  return out + text.slice(at);
}

/** Where inferredNamesUnwrapped blanks text out: [start, end) pairs, in order. */
function unneededWrappers(text) {
  const program = acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'script' });
  const blanks = [];
  const bindingName = (parent, node) => {
    if (parent.type === 'VariableDeclarator' && parent.init === node) {
      return parent.id.type === 'Identifier' ? parent.id.name : undefined;
    }
    if (
      parent.type === 'AssignmentExpression' &&
      parent.operator === '=' &&
      parent.right === node
    ) {
      return parent.left.type === 'Identifier' ? parent.left.name : undefined;
    }
    // A method's or a shorthand's value is never a call: `kind` and `computed` suffice.
    if (
      parent.type === 'Property' &&
      parent.value === node &&
      parent.kind === 'init' &&
      !parent.computed
    ) {
      if (parent.key.type === 'Identifier') return parent.key.name;
      if (parent.key.type === 'Literal' && typeof parent.key.value === 'string') {
        return parent.key.value;
      }
    }
    return undefined;
  };
  const visit = (node, parent) => {
    if (
      node.type === 'CallExpression' &&
      node.callee.type === 'Identifier' &&
      node.callee.name === '__name' &&
      node.arguments.length === 2
    ) {
      const [fn, name] = node.arguments;
      if (
        (fn.type === 'ArrowFunctionExpression' || (fn.type === 'FunctionExpression' && !fn.id)) &&
        name.type === 'Literal' &&
        typeof name.value === 'string' &&
        name.value !== '__proto__' &&
        bindingName(parent, node) === name.value
      ) {
        blanks.push([node.start, fn.start], [fn.end, node.end]);
      }
    }
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item.type === 'string') visit(item, node);
      } else if (child && typeof child.type === 'string') {
        visit(child, node);
      }
    }
  };
  visit(program, undefined);
  return blanks.sort((a, b) => a[0] - b[0]);
}

module.exports = { inferredNamesUnwrapped, unneededWrappers };
