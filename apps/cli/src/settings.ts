import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './exit-codes';

export const DEFAULT_GATEWAY = 'http://127.0.0.1:8080';
export const CREDENTIALS_FILE = join('.contextforge', 'credentials.json');

export interface Settings {
  gatewayUrl: string;
  token: string | undefined;
  /** Where the token came from, for messages ("--token", "CF_TOKEN", the file path). */
  tokenSource: string | undefined;
}

/**
 * Gateway: `--gateway`, else CONTEXTFORGE_GATEWAY, else the credentials file's gatewayUrl, else
 * http://127.0.0.1:8080. Token: `--token`, else CF_TOKEN, else CONTEXTFORGE_TOKEN, else the
 * credentials file's clientToken. The file is `<cwd>/.contextforge/credentials.json` (written by
 * `npm start`); a missing file is fine, an unreadable one is a usage error.
 */
export async function resolveSettings(
  flags: { gateway?: string; token?: string },
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<Settings> {
  const file = await readCredentials(join(cwd, CREDENTIALS_FILE));
  const nonEmpty = (value: string | undefined): string | undefined =>
    value && value.trim() !== '' ? value.trim() : undefined;
  const gatewayUrl =
    nonEmpty(flags.gateway) ?? nonEmpty(env['CONTEXTFORGE_GATEWAY']) ?? file?.gatewayUrl ?? DEFAULT_GATEWAY;
  if (!/^https?:\/\/[^\s/]+/.test(gatewayUrl)) {
    throw new UsageError(`the gateway must be an http:// or https:// URL, got "${gatewayUrl}"`);
  }
  const candidates: Array<[string | undefined, string]> = [
    [nonEmpty(flags.token), '--token'],
    [nonEmpty(env['CF_TOKEN']), 'CF_TOKEN'],
    [nonEmpty(env['CONTEXTFORGE_TOKEN']), 'CONTEXTFORGE_TOKEN'],
    [file?.clientToken, CREDENTIALS_FILE],
  ];
  const found = candidates.find(([value]) => value !== undefined);
  return { gatewayUrl, token: found?.[0], tokenSource: found?.[1] };
}

async function readCredentials(
  path: string,
): Promise<{ gatewayUrl?: string; clientToken?: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const text_ = (key: string): string | undefined =>
    typeof record[key] === 'string' && record[key] !== '' ? (record[key] as string) : undefined;
  const gatewayUrl = text_('gatewayUrl');
  const clientToken = text_('clientToken');
  return { ...(gatewayUrl ? { gatewayUrl } : {}), ...(clientToken ? { clientToken } : {}) };
}
