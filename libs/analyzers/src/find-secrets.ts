/**
 * Likely hard-coded secrets, tuned for few false positives: AWS access key ids, PEM private key
 * headers, and string literals assigned to secret-named variables or keys (`password`, `secret`,
 * `api_key`, `token`, ...) that look like real values rather than placeholders, names or prose.
 * Findings name the variable, never the value.
 */

export interface SecretHit {
  line: number;
  /** What was found, without the value. */
  description: string;
}

const AWS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
// name, then `=`, `:`, `:=` or `=>`, then a quoted literal on the same line.
const ASSIGNMENT =
  /(?<![\w$])((?:[A-Za-z_$][\w$.-]*?)?(?:password|passwd|pwd|secret|api[_-]?key|apikey|token|access[_-]?key|private[_-]?key|credentials?)[\w$]*)["']?\s*(?::=|=>|[:=])\s*(?:[rbuf]{0,2})(["'`])([^"'`\r\n]*)\2/gi;
const PLACEHOLDER =
  /\$\{|\{\{|<[^>]*>|\*{3}|x{4}|\.\.\.|example|changeme|placeholder|dummy|your[_-]|redacted|^test|^fake|^mock/i;
const NOT_A_SECRET_NAME = /(?:file|path|dir|url|uri|name|type|header|field|prefix)s?$/i;
const WORDS = /^[a-z]+(?:[._:/-][a-z]+)*$/i;

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function looksLikeSecretValue(name: string, value: string): boolean {
  if (value.length < 8 || /\s/.test(value) || PLACEHOLDER.test(value)) return false;
  // `credentials_file`, `tokenUrl`, `secretName`: the value names where the secret is, not the secret.
  if (NOT_A_SECRET_NAME.test(name)) return false;
  if (/^(?:https?|file):\/\//i.test(value)) return false;
  if (/pass(?:word|wd)?$|pwd$/i.test(name)) return new Set(value).size >= 4;
  // Tokens and keys are random: identifier-like words (`x-api-key`, `access_token`) are names, not values.
  if (WORDS.test(value)) return false;
  return entropy(value) >= 3 || (/[a-z]/i.test(value) && /\d/.test(value));
}

export function findSecrets(content: string): SecretHit[] {
  const hits: SecretHit[] = [];
  const lines = content.split('\n');
  lines.forEach((text, index) => {
    const line = index + 1;
    if (AWS_KEY_ID.test(text) && !/EXAMPLE/.test(text.match(AWS_KEY_ID)?.[0] ?? '')) {
      hits.push({ line, description: 'an AWS access key id' });
      return;
    }
    if (PRIVATE_KEY.test(text)) {
      hits.push({ line, description: 'a PEM private key' });
      return;
    }
    for (const match of text.matchAll(ASSIGNMENT)) {
      const name = match[1] ?? '';
      if (looksLikeSecretValue(name, match[3] ?? '')) {
        hits.push({ line, description: `a string literal assigned to "${name}"` });
        return;
      }
    }
  });
  return hits;
}
