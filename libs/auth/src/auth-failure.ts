import { AppError } from '@contextforge/contracts';

/**
 * Why credentials were refused, in `details.reason` of every UNAUTHENTICATED error: stable words a
 * client (or the gateway's `WWW-Authenticate` header) can act on. The message says the same for
 * people. Neither ever contains the credential itself.
 */
export type AuthFailureReason =
  | 'missing_credentials'
  | 'ambiguous_credentials'
  | 'unsupported_scheme'
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'unknown_signing_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'malformed_api_key'
  | 'invalid_api_key'
  | 'revoked_api_key';

export function unauthenticated(reason: AuthFailureReason, message: string, cause?: unknown): AppError {
  return new AppError('UNAUTHENTICATED', message, { details: { reason }, cause });
}
