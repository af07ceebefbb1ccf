import { AppError, type Authenticator, type Principal } from '@contextforge/contracts';

/** Principals the gateway tests act as, each reached with the bearer token of the same name. */
export const PRINCIPALS = {
  'client-a': { kind: 'client', id: 'client-a', roles: ['client'] },
  'client-b': { kind: 'client', id: 'client-b', roles: ['client'] },
  admin: { kind: 'client', id: 'admin-1', roles: ['client', 'admin'] },
  /** An agent key bound to no agent: may act as any agent. */
  'agent-key': { kind: 'agent', id: 'agent-key:unbound00000', roles: ['agent'], keyId: 'unbound00000' },
  /** An agent key bound to agent-x. */
  'agent-x-key': {
    kind: 'agent',
    id: 'agent-key:boundxx00000',
    roles: ['agent'],
    keyId: 'boundxx00000',
    agentId: 'agent-x',
  },
} as const satisfies Record<string, Principal>;

export type TestToken = keyof typeof PRINCIPALS;

/**
 * An Authenticator test double: `Authorization: Bearer <token>` or `X-API-Key: <token>` with one
 * of the fixed tokens above resolves its principal; anything else is UNAUTHENTICATED, as the real
 * one (libs/auth) answers. Counts calls so tests can see that a route did or did not authenticate.
 */
export class FakeAuthenticator implements Authenticator {
  calls = 0;

  constructor(private readonly principals: Readonly<Record<string, Principal>> = PRINCIPALS) {}

  async authenticate(credentials: { authorization?: string; apiKey?: string }): Promise<Principal> {
    this.calls += 1;
    const { authorization, apiKey } = credentials;
    if (authorization === undefined && apiKey === undefined) {
      throw new AppError('UNAUTHENTICATED', 'no credentials: send a bearer token or an API key');
    }
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : apiKey;
    const principal = token === undefined ? undefined : this.principals[token];
    if (!principal) throw new AppError('UNAUTHENTICATED', 'invalid credentials');
    return structuredClone(principal);
  }
}
